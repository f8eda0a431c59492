"""Segments in words: the exact sentence for every branch of every rule, and the same
sentences for what the nightly engine really computed."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from segmentation.keys.words import key_reason
from segmentation.models import ClientSegment, KeyStatus, Policy, PotentialEstimate
from segmentation.segments import abcd as abcd_rule
from segmentation.segments import engine, leagues, rhythm, size_class, tiers
from segmentation.segments.words import money
from tests.factories import ClientFactory, PointFactory, ProductGroupFactory, SaleFactory

TODAY = date(2026, 10, 20)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def segment(**values: Any) -> ClientSegment:
    """An unsaved segment: the reasons read only its fields."""
    return ClientSegment(**values)


def abcd(
    *, category: str, revenue: int, rank: int, buys: bool, potential: int, covered: int, more: bool
) -> str:
    row = segment(
        category=category,
        revenue=Decimal(revenue),
        revenue_rank=rank,
        buys_a_lot=buys,
        potential=Decimal(potential),
        covered_sales=Decimal(covered),
        can_buy_more=more,
    )
    return str(abcd_rule.category_reason(row, Policy(), 300))


def test_category_a_reason():
    text = abcd(
        category="A", revenue=9_000_000, rank=3, buys=True, potential=10_000_000, covered=1_200_000, more=True
    )

    assert text == (
        "A — in the top 80% of revenue (rank 3 of 300); share of wallet 12% is below 70%, headroom 8,800,000"
    )


def test_category_b_reason():
    text = abcd(
        category="B", revenue=850_000, rank=41, buys=True, potential=1_000_000, covered=850_000, more=False
    )

    assert text == "B — in the top 80% of revenue (rank 41 of 300); share of wallet 85% is above 70%"


def test_category_c_reason():
    text = abcd(
        category="C", revenue=300_000, rank=212, buys=False, potential=1_500_000, covered=300_000, more=True
    )

    assert text == (
        "C — outside the top 80% of revenue (rank 212 of 300); "
        "share of wallet 20% is below 70%, headroom 1,200,000"
    )


def test_category_d_reason_without_revenue():
    text = abcd(category="D", revenue=0, rank=250, buys=False, potential=0, covered=0, more=False)

    assert text == "D — no revenue in the last 12 months; the estimated purchases are zero"


def test_category_d_reason_at_exactly_the_wallet_limit():
    text = abcd(category="D", revenue=70, rank=250, buys=False, potential=100, covered=70, more=False)

    assert (
        text == "D — outside the top 80% of revenue (rank 250 of 300); share of wallet 70% is not below 70%"
    )


def test_a_share_just_below_the_limit_never_reads_as_the_limit():
    text = abcd(category="C", revenue=6996, rank=9, buys=False, potential=10_000, covered=6996, more=True)

    assert text.endswith("share of wallet 69.96% is below 70%, headroom 3,004")


def test_category_reason_names_the_minimum_headroom_when_it_decides():
    row = segment(
        category="D",
        revenue=Decimal(900),
        revenue_rank=120,
        buys_a_lot=False,
        potential=Decimal(1000),
        covered_sales=Decimal(900) - Decimal(800),
        can_buy_more=False,
    )
    policy = Policy(min_headroom=Decimal(1_000_000))

    assert str(abcd_rule.category_reason(row, policy, 300)) == (
        "D — outside the top 80% of revenue (rank 120 of 300); "
        "share of wallet 10% is below 70%, but headroom 900 is under the minimum 1,000,000"
    )


def test_no_estimate_has_no_category_only_a_to_do():
    row = segment(category="", revenue=Decimal(5000), revenue_rank=1, buys_a_lot=True, potential=None)

    assert (
        str(abcd_rule.category_reason(row, Policy(), 300))
        == "No category: the potential table is not filled in"
    )
    assert abcd_rule.strategy("") is None


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("A", "Develop — grow our share of the client's purchases"),
        ("B", "Retain — build barriers to leaving"),
        ("C", "Develop — grow our share of the client's purchases"),
        (
            "D",
            "Minimise time and effort — one employee for all small clients, ordering through the website, "
            "a partner, or training",
        ),
    ],
)
def test_strategy_follows_the_category(category, expected):
    assert str(abcd_rule.strategy(category)) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"tier": "gold", "potential": Decimal(9), "potential_rank": 3},
            "Gold — among the clients holding the first 50% of all potential (rank 3)",
        ),
        (
            {"tier": "silver", "potential": Decimal(5), "potential_rank": 12},
            "Silver — among the clients holding the next 30% of all potential (rank 12)",
        ),
        (
            {"tier": "bronze", "potential": Decimal(1), "potential_rank": 80},
            "Bronze — outside the first 80% of all potential (rank 80)",
        ),
        ({"tier": "bronze", "potential": Decimal(0), "potential_rank": 99}, "Bronze — zero potential"),
        ({"tier": "bronze", "potential": None}, "Bronze — the potential table is not filled in"),
    ],
)
def test_tier_reason(values, expected):
    assert str(tiers.tier_reason(segment(**values), Policy())) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"league": "premier", "continents": 2, "countries": 3, "open_points": 3},
            "Premier league — present on 2 continents",
        ),
        (
            {"league": "first", "continents": 1, "countries": 3, "open_points": 3},
            "First league — 3 countries of one continent",
        ),
        (
            {"league": "second", "continents": 1, "countries": 1, "regions": 2},
            "Second league — 2 regions of one country",
        ),
        ({"league": "third", "regions": 1, "open_points": 1}, "Third league — 1 point in one region"),
        ({"league": "third", "regions": 1, "open_points": 2}, "Third league — 2 points in one region"),
        (
            {"league": "qualifying", "open_points": 4},
            "Qualifying league — 4 points that each buy for themselves",
        ),
        ({"league": "", "open_points": 0}, "No league — no open points of presence"),
    ],
)
def test_league_reason(values, expected):
    assert str(leagues.league_reason(segment(**values))) == expected


def test_expansion_reason_counts_the_planned_points():
    assert leagues.expansion_reason(segment(expansion_points=0)) is None
    assert str(leagues.expansion_reason(segment(expansion_points=1))) == (
        "Expansion alert: 1 planned point in a region where we have no presence"
    )
    assert str(leagues.expansion_reason(segment(expansion_points=2))) == (
        "Expansion alert: 2 planned points in regions where we have no presence"
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {
                "lost_status": "at_risk",
                "last_purchase": TODAY - timedelta(days=97),
                "usual_interval": Decimal("28.0"),
            },
            "At risk — no purchase for 97 days; usual interval 28 days",
        ),
        (
            {"lost_status": "lost", "last_purchase": TODAY - timedelta(days=200), "usual_interval": None},
            "Lost — no purchase for 200 days; no regular rhythm",
        ),
        (
            {
                "lost_status": "active",
                "last_purchase": TODAY - timedelta(days=1),
                "usual_interval": Decimal("28.5"),
            },
            "Active — last purchase 1 day ago; usual interval 28.5 days",
        ),
        (
            {
                "lost_status": "won_back",
                "last_purchase": date(2026, 10, 12),
                "won_back_on": date(2026, 10, 12),
            },
            "Won back on 10/12/2026",
        ),
        ({"lost_status": "", "last_purchase": None}, "No purchases yet"),
    ],
)
def test_purchase_status_reason(values, expected):
    assert str(rhythm.lost_reason(segment(**values), TODAY)) == expected


def test_won_back_date_follows_the_language():
    row = segment(lost_status="won_back", won_back_on=date(2026, 10, 12))

    with translation.override("ru"):
        assert "12.10.2026" in str(rhythm.lost_reason(row, TODAY))


def test_size_reason_names_its_basis():
    by_potential = segment(size_class="large", potential=Decimal(25_000_000), revenue=Decimal(10))
    by_revenue = segment(size_class="small", potential=None, revenue=Decimal("300000.40"))

    assert str(size_class.size_reason(by_potential)) == "Large — potential 25,000,000"
    assert str(size_class.size_reason(by_revenue)) == "Small — by revenue 300,000: no potential estimate"


def test_key_reason_lists_the_reasons_in_words():
    status = KeyStatus(is_key=True, reasons=["potential", "image"])

    assert str(key_reason(status)) == (
        "Key client — Potential sales volume or profitability, Image client: known, opens doors"
    )
    assert str(key_reason(KeyStatus(is_key=False))) == "Not a key client"
    assert str(key_reason(None)) == "Not a key client"


def test_money_is_grouped_as_the_language_groups_digits():
    assert money(Decimal("1200000.50")) == "1,200,001"
    with translation.override("ru"):
        assert money(Decimal(1_200_000)) == "1\xa0200\xa0000"


@pytest.mark.django_db
def test_reasons_of_what_the_engine_computed():
    """Four clients through the real nightly run: each reason quotes its rank among all four."""
    group = ProductGroupFactory(name="Cables")
    top, second, small, unknown = (ClientFactory(name=n) for n in ["Top", "Second", "Small", "Unknown"])
    for client, amount in [(top, 700), (second, 200), (small, 100), (unknown, 50)]:
        SaleFactory(client=client, product_group=group, date=TODAY - timedelta(days=3), amount=amount)
    for client, amount in [(top, 800), (second, 1000), (small, 1000)]:
        PotentialEstimate.objects.create(
            client=client, product_group=group, amount=amount, source="survey", estimated_on=TODAY
        )
    PointFactory(client=top, country="RU", region="RU-KYA")
    PointFactory(client=top, country="KZ", region="")
    top.purchasing_centralised = True
    top.save()

    engine.recompute(today=TODAY)

    segments = {s.client_id: s for s in ClientSegment.objects.all()}
    policy = Policy.current()
    words = {
        c.name: str(abcd_rule.category_reason(segments[c.pk], policy, 4))
        for c in (top, second, small, unknown)
    }
    assert words == {
        "Top": "B — in the top 80% of revenue (rank 1 of 4); share of wallet 88% is above 70%",
        "Second": (
            "A — in the top 80% of revenue (rank 2 of 4); share of wallet 20% is below 70%, headroom 800"
        ),
        "Small": (
            "C — outside the top 80% of revenue (rank 3 of 4); share of wallet 10% is below 70%, headroom 900"
        ),
        "Unknown": "No category: the potential table is not filled in",
    }
    assert str(leagues.league_reason(segments[top.pk])) == "Premier league — present on 2 continents"
    assert str(tiers.tier_reason(segments[second.pk], policy)) == (
        "Gold — among the clients holding the first 50% of all potential (rank 1)"
    )
