"""The segment panel on the card's overview: every segment with its reason, decisions, alerts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PointOfPresence
from segmentation.models import ClientSegment, KeyStatus, NightlyRun, Policy, PotentialEstimate, TierOverride
from segmentation.segments import engine
from segmentation.segments.selectors import SegmentPanel, segment_panel
from segmentation.segments.words import Reason
from tests.factories import ClientFactory, OwnLocationFactory, PointFactory, ProductGroupFactory, SaleFactory

pytestmark = pytest.mark.django_db


def overview(browser, client):
    response = browser.get(reverse("accounts:client_detail", args=[client.pk]))
    assert response.status_code == 200
    return response


def words(panel) -> dict[str, str]:
    names = ["category", "strategy", "tier", "league", "expansion", "size", "purchases", "key_reason"]
    return {name: str(getattr(panel, name)) for name in names if getattr(panel, name) is not None}


def test_client_the_nightly_run_has_not_seen(as_manager, client_card):
    response = overview(as_manager, client_card)

    html = response.content.decode()
    assert "Not computed yet — the nightly run has not seen this client." in html
    assert words(response.context["segments"]) == {"key_reason": "Not a key client"}
    assert reverse("segmentation:potential", args=[client_card.pk]) in html


def test_panel_reads_what_the_nightly_run_computed(as_manager, client_card):
    today = timezone.localdate()
    cables, pipes = ProductGroupFactory(name="Cables"), ProductGroupFactory(name="Pipes")
    other = ClientFactory(name="Other")
    for day in (97, 137, 177, 217):
        SaleFactory(client=client_card, product_group=cables, date=today - timedelta(days=day), amount=1000)
    SaleFactory(client=other, product_group=cables, date=today - timedelta(days=5), amount=1000)
    for client, group, amount in [
        (client_card, cables, 40_000),
        (client_card, pipes, 20_000),
        (other, pipes, 1000),
    ]:
        PotentialEstimate.objects.create(
            client=client, product_group=group, amount=amount, source="survey", estimated_on=today
        )
    PointFactory(client=client_card, country="RU", region="RU-KYA")
    PointFactory(client=client_card, country="RU", region="RU-MOW")
    client_card.purchasing_centralised = True
    client_card.save()
    engine.recompute(today=today)

    response = overview(as_manager, client_card)

    assert words(response.context["segments"]) == {
        "category": (
            "A — in the top 80% of revenue (rank 1 of 2);"
            " share of wallet 7% is below 70%, headroom 56,000\xa0RUB"
        ),
        "strategy": "Develop — grow our share of the client's purchases",
        "tier": "Gold — among the clients holding the first 50% of all potential (rank 1)",
        "league": "Second league — 2 regions of one country",
        "size": "Small — potential 60,000\xa0RUB",
        "purchases": "At risk — no purchase for 97 days; usual interval 40 days",
        "key_reason": "Not a key client",
    }
    html = response.content.decode()
    assert "<strong>A</strong> — in the top 80% of revenue (rank 1 of 2)" in html
    assert "80.0% of all clients' revenue; 98.4% of all potential" in html
    assert reverse("segmentation:key_decide", args=[client_card.pk]) not in html


def test_expansion_alert_names_the_regions_without_our_location(as_director, client_card):
    soon = timezone.localdate() + timedelta(days=40)
    OwnLocationFactory(name="Novosibirsk branch", country="RU", region="RU-NVS")
    OwnLocationFactory(name="Moscow office", country="RU", region="RU-MOW", is_active=False)
    OwnLocationFactory(name="Minsk office", country="BY", region="")
    PointFactory(client=client_card, country="RU", region="RU-KYA")
    PointFactory(client=ClientFactory(), country="RU", region="RU-MOW")
    for country, region in [
        ("RU", "RU-IRK"),
        ("MN", ""),
        ("RU", "RU-NVS"),
        ("RU", "RU-MOW"),
        ("RU", "RU-KYA"),
        ("BY", "BY-HM"),
    ]:
        PointFactory(
            client=client_card,
            country=country,
            region=region,
            status=PointOfPresence.Status.PLANNED,
            planned_date=soon,
        )
    engine.recompute(today=timezone.localdate())

    response = overview(as_director, client_card)

    panel = response.context["segments"]
    assert str(panel.expansion) == "Expansion alert: 4 planned points in regions where we have no presence"
    assert [(a.name, a.planned_date) for a in panel.expansion_areas] == [
        ("Irkutsk Oblast", soon),
        ("Mongolia", soon),
        ("Moscow", soon),
        ("Krasnoyarsk Krai", soon),
    ]
    assert "Irkutsk Oblast (planned " in response.content.decode()


def test_override_is_shown_with_its_reason_and_the_computed_tier(as_director, client_card, director):
    ClientSegment.objects.create(client=client_card, tier="bronze", potential=Decimal(0))
    TierOverride.objects.create(
        client=client_card, tier="gold", reason="Image client: opens Siberia", decided_by=director
    )

    response = overview(as_director, client_card)

    html = response.content.decode()
    assert '<strong>Gold</strong> <span class="badge text-bg-info">set by a director</span>' in html
    assert "Image client: opens Siberia" in html
    assert "Computed: <strong>Bronze</strong> — zero potential" in html
    assert reverse("segmentation:tier_override", args=[client_card.pk]) in html


def test_key_client_shows_its_reasons_and_shares(as_director, client_card, director):
    ClientSegment.objects.create(
        client=client_card, tier="gold", revenue=Decimal(300), potential=Decimal(1000)
    )
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(700), potential=Decimal(3000))
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(0), potential=None)
    KeyStatus.objects.create(
        client=client_card,
        is_key=True,
        reasons=["strategic", "competence"],
        note="Board, March",
        decided_by=director,
    )

    response = overview(as_director, client_card)

    panel = response.context["segments"]
    assert str(panel.key_reason) == (
        "Key client — Strategic importance, Competence client: keeps our standards high"
    )
    assert (panel.revenue_share, panel.potential_share) == (Decimal(30), Decimal(25))
    html = response.content.decode()
    assert "30.0% of all clients' revenue; 25.0% of all potential" in html
    assert "Board, March" in html
    assert "decided by Dmitry Volkov" in html


def test_segment_panel_query_count_is_fixed(client_card, director, assert_queries):
    ClientSegment.objects.create(client=client_card, tier="gold", expansion_points=1, potential=Decimal(5))
    PointFactory(client=client_card, status=PointOfPresence.Status.PLANNED, planned_date=timezone.localdate())
    Policy.current()
    director.has_perm("segmentation.decide_key_status")  # the permission cache: once per request

    NightlyRun.objects.create(
        run_on=timezone.localdate(),
        status=NightlyRun.Status.SUCCESS,
        totals={"clients": 1, "active": 1, "revenue": "0", "potential": "5"},
    )

    def panel() -> SegmentPanel:
        return segment_panel(client_card, user=director, today=timezone.localdate())

    # the client with its decisions, the run's totals, the policy, the planned points, and the
    # client's ranks by potential and by revenue, counted once for the run
    assert assert_queries(6, panel).may_decide is True
    assert assert_queries(4, panel).tier == Reason(
        "Gold", "among the clients holding the first 50% of all potential (rank 1)"
    )


def test_card_has_the_potential_tab(as_manager, client_card):
    html = overview(as_manager, client_card).content.decode()

    assert f'href="{reverse("segmentation:potential", args=[client_card.pk])}">Potential</a>' in html
