"""The ABCD category in words: the exact sentence for every branch, the strategy each category
asks for, and the same sentences for what the nightly engine really computed."""

from datetime import timedelta
from decimal import Decimal

import pytest

from segmentation.models import ClientSegment, Policy, PotentialEstimate
from segmentation.segments import abcd as abcd_rule
from segmentation.segments import engine, leagues, selectors, tiers
from tests.factories import ClientFactory, PointFactory, ProductGroupFactory, SaleFactory
from tests.segmentation.segments.conftest import TODAY, segment

pytestmark = pytest.mark.usefixtures("english")


def abcd(
    *, category: str, revenue: int, rank: int, buys: bool, potential: int, covered: int, more: bool
) -> str:
    row = segment(
        category=category,
        revenue=Decimal(revenue),
        buys_a_lot=buys,
        potential=Decimal(potential),
        covered_sales=Decimal(covered),
        can_buy_more=more,
    )
    return str(abcd_rule.category_reason(row, Policy(), 300, rank))


def test_category_a_reason():
    text = abcd(
        category="A", revenue=9_000_000, rank=3, buys=True, potential=10_000_000, covered=1_200_000, more=True
    )

    assert text == (
        "A — in the top 80% of revenue (rank 3 of 300);"
        " share of wallet 12% is below 70%, headroom 8,800,000\xa0RUB"
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
        "share of wallet 20% is below 70%, headroom 1,200,000\xa0RUB"
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

    assert text.endswith("share of wallet 69.96% is below 70%, headroom 3,004\xa0RUB")


def test_category_reason_names_the_minimum_headroom_when_it_decides():
    row = segment(
        category="D",
        revenue=Decimal(900),
        buys_a_lot=False,
        potential=Decimal(1000),
        covered_sales=Decimal(900) - Decimal(800),
        can_buy_more=False,
    )
    policy = Policy(min_headroom=Decimal(1_000_000))

    assert str(abcd_rule.category_reason(row, policy, 300, 120)) == (
        "D — outside the top 80% of revenue (rank 120 of 300); "
        "share of wallet 10% is below 70%, but headroom 900\xa0RUB is under the minimum 1,000,000\xa0RUB"
    )


def test_no_estimate_has_no_category_only_a_to_do():
    row = segment(category="", revenue=Decimal(5000), buys_a_lot=True, potential=None)

    assert (
        str(abcd_rule.category_reason(row, Policy(), 300, 1))
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
    ranks = {pk: selectors.ranks(segment, None) for pk, segment in segments.items()}
    policy = Policy.current()
    words = {
        c.name: str(abcd_rule.category_reason(segments[c.pk], policy, 4, ranks[c.pk].revenue))
        for c in (top, second, small, unknown)
    }
    assert words == {
        "Top": "B — in the top 80% of revenue (rank 1 of 4); share of wallet 88% is above 70%",
        "Second": (
            "A — in the top 80% of revenue (rank 2 of 4);"
            " share of wallet 20% is below 70%, headroom 800\xa0RUB"
        ),
        "Small": (
            "C — outside the top 80% of revenue (rank 3 of 4);"
            " share of wallet 10% is below 70%, headroom 900\xa0RUB"
        ),
        "Unknown": "No category: the potential table is not filled in",
    }
    assert str(leagues.league_reason(segments[top.pk])) == "Premier league — present on 2 continents"
    assert str(tiers.tier_reason(segments[second.pk], policy, ranks[second.pk].potential)) == (
        "Gold — among the clients holding the first 50% of all potential (rank 1)"
    )
