"""The nightly engine: exact boundaries, the acceptance cases, atomicity, idempotency, the lock."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Client
from segmentation.models import (
    ClientSegment,
    NightlyRun,
    Notification,
    Policy,
    PotentialEstimate,
    SegmentChange,
)
from segmentation.segments import engine, selectors
from segmentation.segments.selectors import Ranks
from tests.factories import ClientFactory, OwnLocationFactory, PointFactory, ProductGroupFactory, SaleFactory
from tests.helpers import second_session

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def seg(client: Client) -> ClientSegment:
    return ClientSegment.objects.get(client=client)


def with_revenue(amount: int, product_group: object = None, **kwargs: object) -> Client:
    client = ClientFactory(**kwargs)
    group = {"product_group": product_group} if product_group else {}
    SaleFactory(client=client, date=TODAY - timedelta(days=10), amount=amount, **group)
    return client


def estimate(client: Client, amount: int, group: object = None) -> None:
    group = group or ProductGroupFactory(name="Packaging")
    PotentialEstimate.objects.create(
        client=client, product_group=group, amount=amount, source="survey", estimated_on=TODAY
    )


def test_pareto_boundary_exactly_80_percent_is_out():
    top, second = with_revenue(80), with_revenue(20)

    engine.recompute(today=TODAY)

    assert (seg(top).buys_a_lot, seg(second).buys_a_lot) == (True, False)


def test_pareto_client_crossing_the_line_is_in():
    top, second, third = with_revenue(79), with_revenue(21), with_revenue(0)

    engine.recompute(today=TODAY)

    assert [seg(c).buys_a_lot for c in (top, second, third)] == [True, True, False]


def test_pareto_ties_land_on_the_same_side():
    clients = [with_revenue(50), with_revenue(50)]

    engine.recompute(today=TODAY)

    assert [seg(c).buys_a_lot for c in clients] == [True, True]


def test_trailing_twelve_months_are_the_365_days_ending_today():
    client = ClientFactory()
    SaleFactory(client=client, date=TODAY - timedelta(days=365), amount=500)
    SaleFactory(client=client, date=TODAY - timedelta(days=364), amount=7)

    engine.recompute(today=TODAY)

    assert seg(client).revenue == Decimal(7)


def test_share_of_wallet_exactly_70_percent_cannot_buy_more():
    group = ProductGroupFactory(name="Packaging")
    at_limit, below = ClientFactory(), ClientFactory()
    for client, sold in ((at_limit, 700), (below, 699)):
        SaleFactory(client=client, product_group=group, date=TODAY, amount=sold)
        estimate(client, 1000, group)

    engine.recompute(today=TODAY)

    assert (seg(at_limit).can_buy_more, seg(at_limit).wallet_share) == (False, Decimal("70.00"))
    assert (seg(below).can_buy_more, seg(below).category) == (True, "A")
    assert seg(at_limit).category == "B"


def test_sales_above_the_estimate_count_as_a_full_share():
    group = ProductGroupFactory(name="Packaging")
    client = ClientFactory()
    SaleFactory(client=client, product_group=group, date=TODAY, amount=5000)
    estimate(client, 1000, group)

    engine.recompute(today=TODAY)

    assert (seg(client).wallet_share, seg(client).headroom, seg(client).can_buy_more) == (
        Decimal("100.00"),
        Decimal(0),
        False,
    )


def test_minimum_headroom_from_the_policy():
    Policy.objects.update_or_create(pk=1, defaults={"min_headroom": Decimal(600)})
    client = ClientFactory()
    estimate(client, 500)

    engine.recompute(today=TODAY)

    assert (seg(client).can_buy_more, seg(client).category) == (False, "D")


def test_a_client_without_an_estimate_has_no_category():
    client = with_revenue(1000)

    engine.recompute(today=TODAY)

    assert (seg(client).category, seg(client).can_buy_more, seg(client).potential) == ("", None, None)


def test_tiers_by_share_of_potential_and_zero_is_bronze():
    clients = [ClientFactory() for _ in range(4)]
    for client, amount in zip(clients, (50, 30, 20, 0), strict=True):
        estimate(client, amount)

    engine.recompute(today=TODAY)

    assert [seg(c).tier for c in clients] == ["gold", "silver", "bronze", "bronze"]


@pytest.mark.parametrize(
    ("places", "centralised", "league"),
    [
        ([("RU", "RU-KYA")], True, "third"),
        ([("RU", "RU-MOW"), ("RU", "RU-MOS")], True, "second"),
        ([("RU", "RU-MOW"), ("BY", "BY-HM")], True, "first"),
        ([("RU", "RU-MOW"), ("KZ", "KZ-75")], True, "premier"),
        ([("RU", "RU-MOW"), ("RU", "RU-MOS")], False, "qualifying"),
        ([], True, ""),
    ],
)
def test_leagues_by_footprint(places, centralised, league):
    client = ClientFactory(purchasing_centralised=centralised)
    for country, region in places:
        PointFactory(client=client, country=country, region=region)

    engine.recompute(today=TODAY)

    assert seg(client).league == league


def test_a_planned_point_does_not_change_the_league():
    client = ClientFactory(purchasing_centralised=True)
    PointFactory(client=client, country="RU", region="RU-KYA")
    PointFactory(client=client, country="DE", region="DE-BE", status="planned", planned_date=TODAY)

    engine.recompute(today=TODAY)

    assert (seg(client).league, seg(client).expansion_points) == ("third", 1)


def planned(client: Client, country: str, region: str) -> None:
    PointFactory(client=client, country=country, region=region, status="planned", planned_date=TODAY)


@pytest.mark.parametrize(
    ("locations", "point", "alert"),
    [
        ([], ("RU", "RU-IRK"), 1),
        ([("RU", "RU-IRK", True)], ("RU", "RU-IRK"), 0),
        ([("RU", "RU-KYA", True)], ("RU", "RU-IRK"), 1),
        ([("RU", "RU-IRK", False)], ("RU", "RU-IRK"), 1),
        ([("KZ", "", True)], ("KZ", "KZ-75"), 0),
        ([("KZ", "", False)], ("KZ", "KZ-75"), 1),
        ([("KZ", "KZ-71", True)], ("KZ", "KZ-75"), 1),
        ([("KZ", "KZ-71", True)], ("KZ", ""), 0),
        ([("DE", "", True)], ("KZ", ""), 1),
        ([("RU", "RU-IRK", True)], ("KZ", "KZ-IRK"), 1),
    ],
    ids=[
        "no-location",
        "location-in-the-region",
        "location-in-another-region",
        "retired-location",
        "country-location-covers-its-regions",
        "retired-country-location",
        "another-region-of-the-country",
        "a-point-without-region-is-covered-by-the-country",
        "another-country",
        "same-region-letters-in-another-country",
    ],
)
def test_expansion_alert_only_where_we_have_no_active_location(locations, point, alert):
    for country, region, active in locations:
        OwnLocationFactory(country=country, region=region, is_active=active)
    client = ClientFactory()
    PointFactory(client=client, country="RU", region="RU-KYA")
    planned(client, *point)

    engine.recompute(today=TODAY)

    assert seg(client).expansion_points == alert


def test_other_clients_open_points_are_not_our_presence():
    OwnLocationFactory(country="RU", region="RU-KYA")
    krasnoyarsk = ClientFactory()
    PointFactory(client=krasnoyarsk, country="RU", region="RU-KYA")
    PointFactory(client=ClientFactory(), country="RU", region="RU-IRK")
    for region in ("RU-IRK", "RU-KYA"):
        planned(krasnoyarsk, "RU", region)

    engine.recompute(today=TODAY)

    assert seg(krasnoyarsk).expansion_points == 1


def test_retiring_a_location_raises_the_alert_at_the_next_run():
    branch = OwnLocationFactory(country="RU", region="RU-IRK")
    client = ClientFactory()
    planned(client, "RU", "RU-IRK")
    engine.recompute(today=TODAY)
    assert seg(client).expansion_points == 0

    branch.is_active = False
    branch.save()
    engine.recompute(today=TODAY)

    assert seg(client).expansion_points == 1


def purchases(client: Client, *days_back: int) -> None:
    for back in days_back:
        SaleFactory(client=client, date=TODAY - timedelta(days=back), amount=100)


@pytest.mark.parametrize(
    ("since", "status"), [(40, "active"), (41, "at_risk"), (60, "at_risk"), (61, "lost")]
)
def test_lost_status_by_the_clients_own_rhythm(since, status):
    client = ClientFactory()
    purchases(client, since, since + 20, since + 40, since + 60)

    engine.recompute(today=TODAY)

    assert (seg(client).usual_interval, seg(client).lost_status) == (Decimal("20.0"), status)


@pytest.mark.parametrize(("since", "status"), [(29, "active"), (30, "at_risk")])
def test_at_risk_needs_at_least_30_days_even_with_a_short_rhythm(since, status):
    client = ClientFactory()
    purchases(client, since, since + 5, since + 10)

    engine.recompute(today=TODAY)

    assert seg(client).lost_status == status


@pytest.mark.parametrize(
    ("since", "status"), [(90, "active"), (91, "at_risk"), (180, "at_risk"), (181, "lost")]
)
def test_without_a_rhythm_90_and_180_days(since, status):
    client = ClientFactory()
    purchases(client, since, since + 30)

    engine.recompute(today=TODAY)

    assert (seg(client).usual_interval, seg(client).lost_status) == (None, status)


def test_a_purchase_after_lost_is_won_back_for_90_days():
    client = ClientFactory()
    purchases(client, 200)
    engine.recompute(today=TODAY)
    assert seg(client).lost_status == "lost"

    purchases(client, 0)
    engine.recompute(today=TODAY)
    assert (seg(client).lost_status, seg(client).won_back_on) == ("won_back", TODAY)

    purchases(client, -80)
    engine.recompute(today=TODAY + timedelta(days=89))
    assert seg(client).lost_status == "won_back"
    engine.recompute(today=TODAY + timedelta(days=90))
    assert (seg(client).lost_status, seg(client).won_back_on) == ("active", None)


def test_size_class_by_potential_or_else_revenue():
    by_potential, by_revenue = ClientFactory(), with_revenue(12_000_000)
    estimate(by_potential, 50_000_000)

    engine.recompute(today=TODAY)

    assert (seg(by_potential).size_class, seg(by_revenue).size_class) == ("largest", "large")


def test_second_run_changes_nothing():
    client = with_revenue(100)
    estimate(client, 1000)
    PointFactory(client=client)
    first = engine.recompute(today=TODAY)
    before = list(ClientSegment.objects.values())

    second = engine.recompute(today=TODAY)

    assert first.changes == {"category": 1, "tier": 1, "league": 1, "size_class": 1, "lost_status": 1}
    assert (second.status, second.changes, second.clients) == ("success", {}, 1)
    assert list(ClientSegment.objects.values()) == before
    assert SegmentChange.objects.filter(run=second).count() == 0


def test_changes_are_recorded_and_the_manager_notified():
    client = with_revenue(100)
    estimate(client, 100, client.sales.get().product_group)
    engine.recompute(today=TODAY)
    assert Notification.objects.count() == 0
    PotentialEstimate.objects.update(amount=10_000)

    run = engine.recompute(today=TODAY)

    change = SegmentChange.objects.get(run=run, kind="category")
    assert (change.client, change.old, change.new) == (client, "B", "A")
    notification = Notification.objects.get()
    assert (notification.user, notification.change) == (client.responsible_manager, change)


def test_a_failure_half_way_leaves_the_previous_segments(monkeypatch):
    client = with_revenue(100)
    engine.recompute(today=TODAY)
    PotentialEstimate.objects.create(
        client=client, product_group=ProductGroupFactory(), amount=10, source="survey", estimated_on=TODAY
    )
    monkeypatch.setattr(engine, "_insert_sql", lambda *args: "INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(Exception, match="no_such_table"):
        engine.recompute(today=TODAY)

    run = NightlyRun.objects.first()
    assert (run.status, run.changes) == ("failed", {})
    assert "no_such_table" in run.error
    assert (seg(client).category, seg(client).potential) == ("", None)
    assert not SegmentChange.objects.filter(run=run).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_a_run_is_skipped_while_another_holds_the_lock():
    with_revenue(100)
    other = second_session()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])
        run = engine.recompute(today=TODAY)
    finally:
        other.close()

    assert run.status == "skipped"
    assert not ClientSegment.objects.exists()


def test_a_rerun_with_nothing_changed_writes_no_segment_row():
    # Shares of wallet of 1/3 each: the stage keeps them at the column's two decimals, so the
    # stored rows compare equal the next night.
    group = ProductGroupFactory(name="Packaging")
    for amount in (100, 200, 400):
        client = with_revenue(amount, product_group=group)
        estimate(client, amount * 3, group)
    first = engine.recompute(today=TODAY)

    second = engine.recompute(today=TODAY)

    assert (first.written, second.written) == (3, 0)
    assert list(ClientSegment.objects.values_list("wallet_share", flat=True).distinct()) == [Decimal("33.33")]
    stored = ClientSegment.objects.order_by("revenue")
    assert [selectors.ranks(s, None) for s in stored] == [Ranks(3, 3), Ranks(2, 2), Ranks(1, 1)]


def test_a_client_passing_another_by_revenue_writes_its_own_row_alone():
    """Nothing kept is relative to the other clients: the ranks are counted on the card."""
    first, second = with_revenue(100), with_revenue(200)
    engine.recompute(today=TODAY)
    SaleFactory(client=first, product_group=first.sales.get().product_group, date=TODAY, amount=150)

    run = engine.recompute(today=TODAY)

    assert run.written == 1
    ranked = {s.client_id: selectors.ranks(s, None).revenue for s in ClientSegment.objects.all()}
    assert ranked == {first.pk: 1, second.pk: 2}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin and ANALYZE are PostgreSQL's")
def test_a_rerun_leaves_the_rows_untouched_and_the_run_analyses_what_it_wrote():
    table = ClientSegment._meta.db_table
    client = with_revenue(300)
    estimate(client, 700)
    with_revenue(400)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = %s", [table])
        assert cursor.fetchone()[0] == 0
        engine.recompute(today=TODAY)
        cursor.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = %s", [table])
        assert cursor.fetchone()[0] > 0
        cursor.execute(f"SELECT client_id, xmin::text FROM {table} ORDER BY client_id")
        before = cursor.fetchall()

        engine.recompute(today=TODAY)

        cursor.execute(f"SELECT client_id, xmin::text FROM {table} ORDER BY client_id")
        assert cursor.fetchall() == before


def test_the_run_keeps_the_bases_totals():
    client = with_revenue(300)
    estimate(client, 700)
    with_revenue(400)

    run = engine.recompute(today=TODAY)

    assert run.totals == {"clients": 2, "active": 2, "revenue": "700.00", "potential": "700.00"}
