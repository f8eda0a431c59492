"""Night after night the engine re-reads only some clients' sales (`segments.facts`): between
nights the windows slide, sales arrive (some dated ahead), change and go, potential estimates
are added, changed and deleted, points of presence open, close and move, purchasing is
(de)centralised, and every night gives exactly the reference's segments and the facts a whole
re-read would give."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Client, PointOfPresence, ProductGroup, Sale
from segmentation.models import (
    ClientFootprint,
    ClientPurchases,
    ClientSegment,
    ClientWallet,
    EstimatesTouched,
    FactsDay,
    GroupSales,
    OwnLocation,
    PointsTouched,
    Policy,
    PotentialEstimate,
    SalesTouched,
)
from segmentation.segments.engine import recompute
from tests.factories import ClientFactory, OwnLocationFactory, PointFactory, ProductGroupFactory, SaleFactory
from tests.segmentation.segments.engine_data import computed, store
from tests.segmentation.segments.reference import ClientData, Point, Rules, segments
from tests.segmentation.segments.test_engine_properties import PLACES

TODAY = date(2026, 6, 15)
AMOUNTS = [Decimal(100), Decimal(250), Decimal(1000), Decimal(400_000)]

# Days back from TODAY, often close to where the 365-day and 24-month windows end; below zero
# a sale dated ahead, which a later night counts.
back = st.one_of(st.integers(-60, 800), st.integers(320, 370), st.integers(680, 735))
sale = st.tuples(st.integers(0, 3), back.map(lambda n: TODAY - timedelta(days=n)), st.sampled_from(AMOUNTS))
point = st.builds(lambda at, planned: Point(*at, planned=planned), st.sampled_from(PLACES), st.booleans())
client = st.builds(
    ClientData,
    centralised=st.booleans(),
    sales=st.lists(sale, max_size=10),
    estimates=st.just({0: Decimal(1000)}),
    points=st.lists(point, max_size=2),
)
night = st.fixed_dictionaries(
    {
        "later": st.integers(-3, 45),
        "added": st.lists(st.tuples(st.integers(0, 5), sale), max_size=3),
        "changed": st.lists(st.integers(0, 5), max_size=1),
        "deleted": st.lists(st.integers(0, 5), max_size=1),
        # (client, product group, amount; None: the estimate deleted)
        "estimated": st.lists(
            st.tuples(st.integers(0, 5), st.integers(0, 3), st.one_of(st.none(), st.sampled_from(AMOUNTS))),
            max_size=2,
        ),
        # (client, a point opened or planned; None: its first point closed)
        "placed": st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), point)), max_size=2),
        "replanned": st.lists(st.integers(0, 5), max_size=1),  # its first point open <-> planned
        "centralised": st.lists(st.integers(0, 5), max_size=1),  # purchasing (de)centralised
    }
)


def stored_facts() -> tuple[list[tuple[object, ...]], ...]:
    sums = GroupSales.objects.order_by("client", "product_group_id")
    purchases = ClientPurchases.objects.order_by("client")
    wallets = ClientWallet.objects.order_by("client")
    footprints = ClientFootprint.objects.order_by("client")
    return (
        list(sums.values_list("client", "product_group_id", "sold", "last_date")),
        list(purchases.values_list("client", "revenue", "last_purchase", "purchase_dates", "usual_interval")),
        list(wallets.values_list("client", "potential", "covered")),
        list(footprints.values_list("client", "open_points", "countries", "regions", "continents")),
    )


def between(nights: dict[str, list], data: dict[int, ClientData], ids: dict[int, int]) -> None:
    """Write a night's sales changes into the database and the reference data alike."""
    keys = sorted(data)
    groups = {g: ProductGroup.objects.get(name=f"Group {g}") for g in range(4)}
    number = {group.pk: g for g, group in groups.items()}
    for n, (group, day, amount) in nights["added"]:
        key = keys[n % len(keys)]
        Sale.objects.create(client_id=ids[key], product_group=groups[group], date=day, amount=amount)
        data[key].sales.append((group, day, amount))
    for action in ("changed", "deleted"):
        for n in nights[action]:
            key = keys[n % len(keys)]
            rows = Sale.objects.filter(client_id=ids[key]).order_by("date", "id")
            first = rows.first()
            if first is None:
                continue
            group = number[first.product_group_id]
            data[key].sales.remove((group, first.date, first.amount))
            if action == "deleted":
                first.delete()
            else:
                Sale.objects.filter(pk=first.pk).update(amount=Decimal(7))
                data[key].sales.append((group, first.date, Decimal(7)))
    for n, group, amount in nights["estimated"]:
        key = keys[n % len(keys)]
        estimate(ids[key], groups[group], amount)
        # A new dict: the clients' strategy shares one estimates dict between them.
        kept = {g: value for g, value in data[key].estimates.items() if g != group}
        data[key].estimates = kept if amount is None else kept | {group: amount}
    _move_points(nights, data, ids)


def _move_points(nights: dict[str, list], data: dict[int, ClientData], ids: dict[int, int]) -> None:
    keys = sorted(data)
    for n, place in nights["placed"]:
        key = keys[n % len(keys)]
        if place is None:
            first = PointOfPresence.objects.filter(client_id=ids[key]).order_by("id").first()
            if first is not None:
                first.delete()
                data[key].points = data[key].points[1:]
            continue
        PointOfPresence.objects.create(
            client_id=ids[key],
            country=place.country,
            region=place.region,
            status="planned" if place.planned else "open",
            planned_date=TODAY + timedelta(days=30) if place.planned else None,
        )
        data[key].points = [*data[key].points, place]
    for n in nights["replanned"]:
        key = keys[n % len(keys)]
        first = PointOfPresence.objects.filter(client_id=ids[key]).order_by("id").first()
        if first is not None:
            planned = first.status == "open"
            first.status, first.planned_date = ("planned", TODAY) if planned else ("open", None)
            first.save()
            moved = data[key].points[0]
            data[key].points = [Point(moved.country, moved.region, planned=planned), *data[key].points[1:]]
    for n in nights["centralised"]:
        key = keys[n % len(keys)]
        data[key].centralised = not data[key].centralised
        Client.objects.filter(pk=ids[key]).update(purchasing_centralised=data[key].centralised)


def estimate(client_id: int, group: ProductGroup, amount: Decimal | None) -> None:
    """Set the client's estimate of the group (None: delete it)."""
    rows = PotentialEstimate.objects.filter(client_id=client_id, product_group=group)
    if amount is None:
        rows.delete()
    elif not rows.update(amount=amount):
        PotentialEstimate.objects.create(
            client_id=client_id, product_group=group, amount=amount, source="survey", estimated_on=TODAY
        )


def remember(data: dict[int, ClientData], ids: dict[int, int]) -> None:
    """The reference's previous purchase status: what the last night stored."""
    stored = {s.client_id: s for s in ClientSegment.objects.filter(client_id__in=ids.values())}
    for key, pk in ids.items():
        data[key].previous_status = stored[pk].lost_status
        data[key].previous_won_back_on = stored[pk].won_back_on


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(st.integers(0, 20), client, min_size=1, max_size=6),
    nights=st.lists(night, max_size=4),
)
def test_night_after_night_the_engine_matches_the_reference(data, nights):
    rules = Rules()
    with transaction.atomic():
        ids = store(data, rules, TODAY)
        day = TODAY
        recompute(today=day)
        assert computed(ids) == segments(data, day, rules)
        for tonight in nights:
            between(tonight, data, ids)
            remember(data, ids)
            day += timedelta(days=tonight["later"])
            recompute(today=day)
            assert computed(ids) == segments(data, day, rules)
        kept = stored_facts()
        FactsDay.objects.all().delete()
        recompute(today=day)
        assert stored_facts() == kept
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_night_re_reads_only_the_clients_whose_sales_moved(caplog):
    group = ProductGroupFactory()
    quiet, bought, leaving = ClientFactory(), ClientFactory(), ClientFactory()
    SaleFactory(client=quiet, product_group=group, date=TODAY - timedelta(days=100), amount=100)
    SaleFactory(client=leaving, product_group=group, date=TODAY - timedelta(days=364), amount=100)
    recompute(today=TODAY)
    SaleFactory(client=bought, product_group=group, date=TODAY, amount=50)
    assert list(SalesTouched.objects.values_list("client_id", flat=True)) == [bought.pk]

    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY + timedelta(days=1))

    # PostgreSQL shifts the year of the client whose sale only left it; SQLite re-reads it.
    read, shifted = (1, 1) if connection.vendor == "postgresql" else (2, 0)
    assert f"re-read the sales of {read}, shifted the year of {shifted} and the dates of 0" in caplog.text
    assert not SalesTouched.objects.exists()
    sums = dict(GroupSales.objects.values_list("client_id", "sold"))
    assert sums == {quiet.pk: Decimal(100), bought.pk: Decimal(50), leaving.pk: Decimal(0)}
    assert ClientSegment.objects.get(client=leaving).revenue == 0


@pytest.mark.django_db
def test_a_client_whose_sales_only_leave_the_windows_is_shifted_as_a_re_read_would_count_it(caplog):
    group, other = ProductGroupFactory(), ProductGroupFactory()
    ageing, both = ClientFactory(), ClientFactory()
    for client in (ageing, both):  # a purchase a month, the first leaving the 24 months tonight
        for months in range(24):
            day = TODAY - timedelta(days=729) + timedelta(days=30 * months)
            SaleFactory(client=client, product_group=group, date=day, amount=Decimal("10.10"))
    SaleFactory(client=both, product_group=other, date=TODAY - timedelta(days=364), amount=Decimal("7.35"))
    recompute(today=TODAY)
    before = ClientPurchases.objects.get(client=ageing)

    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY + timedelta(days=1))

    read, shifted, dates = (0, 1, 2) if connection.vendor == "postgresql" else (2, 0, 0)
    assert (
        f"re-read the sales of {read}, shifted the year of {shifted} and the dates of {dates}" in caplog.text
    )
    after = ClientPurchases.objects.get(client=ageing)
    assert (before.purchase_dates, after.purchase_dates) == (24, 23)
    assert after.last_purchase == before.last_purchase
    assert GroupSales.objects.get(client=both, product_group_id=other.pk).sold == 0
    shifted_facts = stored_facts()
    FactsDay.objects.all().delete()
    recompute(today=TODAY + timedelta(days=1))
    assert stored_facts() == shifted_facts


@pytest.mark.django_db
def test_a_sale_moved_to_another_client_marks_both_and_a_deleted_client_is_no_trouble():
    group = ProductGroupFactory()
    first, second, gone = ClientFactory(), ClientFactory(), ClientFactory()
    sale = SaleFactory(client=first, product_group=group, date=TODAY - timedelta(days=5), amount=300)
    SaleFactory(client=gone, product_group=group, date=TODAY - timedelta(days=5), amount=100)
    recompute(today=TODAY)

    Sale.objects.filter(pk=sale.pk).update(client=second)
    gone_id = gone.pk
    gone.delete()

    assert set(SalesTouched.objects.values_list("client_id", flat=True)) == {first.pk, second.pk, gone_id}
    run = recompute(today=TODAY)
    assert run.status == "success"
    assert dict(ClientPurchases.objects.values_list("client_id", "revenue")) == {second.pk: Decimal(300)}
    assert (
        ClientSegment.objects.get(client=first).revenue,
        ClientSegment.objects.get(client=second).revenue,
    ) == (
        Decimal(0),
        Decimal(300),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers are PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # pending deferred checks forbid a TRUNCATE inside one
def test_a_truncate_of_the_sales_makes_the_next_night_read_every_client():
    SaleFactory(date=TODAY - timedelta(days=5), amount=300)
    recompute(today=TODAY)
    assert FactsDay.objects.get().day == TODAY

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Sale._meta.db_table}")

    assert not FactsDay.objects.exists()
    recompute(today=TODAY)
    assert not GroupSales.objects.exists()
    assert list(ClientSegment.objects.values_list("revenue", flat=True)) == [Decimal(0)]


@pytest.mark.django_db
def test_a_night_computes_the_wallet_again_of_the_clients_whose_estimates_moved():
    group, other = ProductGroupFactory(), ProductGroupFactory()
    quiet, changed, dropped = ClientFactory(), ClientFactory(), ClientFactory()
    for client in (quiet, changed, dropped):
        SaleFactory(client=client, product_group=group, date=TODAY - timedelta(days=10), amount=300)
        estimate(client.pk, group, Decimal(1000))
    recompute(today=TODAY)

    estimate(changed.pk, other, Decimal(500))
    estimate(dropped.pk, group, None)
    assert set(EstimatesTouched.objects.values_list("client_id", flat=True)) == {changed.pk, dropped.pk}
    recompute(today=TODAY)

    assert not EstimatesTouched.objects.exists()
    wallets = {row[0]: row[1:] for row in ClientWallet.objects.values_list("client", "potential", "covered")}
    assert wallets == {
        quiet.pk: (Decimal(1000), Decimal(300)),
        changed.pk: (Decimal(1500), Decimal(300)),
    }
    segments = {s.client_id: (s.potential, s.covered_sales, s.category) for s in ClientSegment.objects.all()}
    assert segments[changed.pk][:2] == (Decimal(1500), Decimal(300))
    assert segments[dropped.pk] == (None, None, "")


@pytest.mark.django_db
def test_a_night_counts_again_the_footprint_of_the_clients_whose_points_moved():
    quiet, moved, closed = ClientFactory(), ClientFactory(), ClientFactory()
    for client in (quiet, moved, closed):
        PointFactory(client=client, country="RU", region="RU-MOW")
    recompute(today=TODAY)
    assert not PointsTouched.objects.exists()

    PointFactory(client=moved, country="KZ", region="")
    closed.points.get().delete()
    assert set(PointsTouched.objects.values_list("client_id", flat=True)) == {moved.pk, closed.pk}
    recompute(today=TODAY)

    assert not PointsTouched.objects.exists()
    counted = ClientFootprint.objects.values_list("client", "open_points", "continents")
    footprints = {row[0]: row[1:] for row in counted}
    assert footprints == {quiet.pk: (1, 1), moved.pk: (2, 2)}
    leagues = dict(ClientSegment.objects.values_list("client_id", "league"))
    assert leagues == {quiet.pk: "third", moved.pk: "qualifying", closed.pk: ""}


@pytest.mark.django_db
def test_a_quiet_night_judges_only_the_clients_whose_segments_may_move(caplog):
    group = ProductGroupFactory()
    quiet, bought = ClientFactory(), ClientFactory()
    ClientFactory()  # no sales at all
    for client in (quiet, bought):
        SaleFactory(client=client, product_group=group, date=TODAY - timedelta(days=10), amount=100)
    recompute(today=TODAY)
    SaleFactory(client=bought, product_group=group, date=TODAY, amount=50)

    caplog.clear()
    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY)

    assert [m.split(" judged ")[1] for m in caplog.messages if " judged " in m] == ["1"]
    assert ClientSegment.objects.get(client=bought).revenue == 150


@pytest.mark.django_db
def test_a_night_under_another_policy_judges_every_client_again(caplog):
    group = ProductGroupFactory()
    big, small = ClientFactory(), ClientFactory()
    for client, amount in ((big, 1000), (small, 10)):
        estimate(client.pk, group, Decimal(amount))
    recompute(today=TODAY)

    def tiers() -> dict[int, str]:
        return dict(ClientSegment.objects.values_list("client_id", "tier"))

    assert tiers() == {big.pk: "gold", small.pk: "bronze"}

    Policy.objects.update(gold_share=100)  # no save(): nothing but the fields themselves tells
    caplog.clear()
    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY)

    assert [m.split(" judged ")[1] for m in caplog.messages if " judged " in m] == ["every client"]
    assert tiers() == {big.pk: "gold", small.pk: "gold"}


@pytest.mark.django_db
def test_a_planned_point_is_judged_again_only_when_our_own_locations_move(caplog):
    planner, quiet = ClientFactory(), ClientFactory()
    PointFactory(client=planner, country="KZ", region="", status="planned", planned_date=TODAY)
    recompute(today=TODAY)

    def judged() -> list[str]:
        return [m.split(" judged ")[1] for m in caplog.messages if " judged " in m]

    def expansion() -> int:
        return ClientSegment.objects.get(client=planner).expansion_points

    assert expansion() == 1
    caplog.clear()
    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY)
    assert judged() == ["0"]

    OwnLocationFactory(country="KZ", region="")  # Kazakhstan is ours now: no expansion there
    caplog.clear()
    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY)
    assert (judged(), expansion()) == (["every client"], 0)

    OwnLocation.objects.update(is_active=False)  # no save(): what they cover tells
    caplog.clear()
    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY)
    assert (judged(), expansion()) == (["every client"], 1)
    assert quiet.segment.expansion_points == 0


@pytest.mark.django_db
def test_a_purchase_status_that_moves_with_the_days_is_judged_on_its_day(caplog):
    """Nothing is bought and nothing leaves a window: the status moves with the days alone, on
    the day the last night kept (`ClientSegment.status_moves_on`), and only then is it judged."""
    Policy.current()
    Policy.objects.update(
        at_risk_factor=2, at_risk_min_days=0, lost_factor=4, lost_min_days=0,
        no_rhythm_at_risk_days=30, no_rhythm_lost_days=60,
    )  # fmt: skip
    group = ProductGroupFactory()
    regular, once = ClientFactory(name="Every ten days"), ClientFactory(name="Once")
    for days in (35, 25, 15, 5):  # a usual interval of 10 days: at risk after 20, lost after 40
        SaleFactory(client=regular, product_group=group, date=TODAY - timedelta(days=days), amount=100)
    SaleFactory(client=once, product_group=group, date=TODAY - timedelta(days=5), amount=100)
    recompute(today=TODAY)

    def night(later: int) -> tuple[str, dict[str, str]]:
        caplog.clear()
        with caplog.at_level("INFO", logger="segmentation.segments.engine"):
            recompute(today=TODAY + timedelta(days=later))
        judged = [m.split(" judged ")[1] for m in caplog.messages if " judged " in m]
        statuses = dict(ClientSegment.objects.values_list("client__name", "lost_status"))
        FactsDay.objects.update(judged_with={})  # judging every client again writes nothing
        assert recompute(today=TODAY + timedelta(days=later)).written == 0
        return judged[0], statuses

    assert ClientSegment.objects.get(client=regular).status_moves_on == TODAY + timedelta(days=16)
    assert night(15) == ("0", {"Every ten days": "active", "Once": "active"})
    assert night(16) == ("1", {"Every ten days": "at_risk", "Once": "active"})
    assert ClientSegment.objects.get(client=regular).status_moves_on == TODAY + timedelta(days=36)
    assert night(30) == ("1", {"Every ten days": "at_risk", "Once": "at_risk"})  # since 35 > 30
    assert night(35) == ("0", {"Every ten days": "at_risk", "Once": "at_risk"})
    assert night(40) == ("1", {"Every ten days": "lost", "Once": "at_risk"})
    assert ClientSegment.objects.get(client=regular).status_moves_on is None
    assert night(70) == ("1", {"Every ten days": "lost", "Once": "lost"})


@pytest.mark.django_db
def test_a_new_client_and_purchasing_centralised_are_judged_the_next_night(caplog):
    spread = ClientFactory(purchasing_centralised=False)
    for region in ("RU-MOW", "RU-SPE"):
        PointFactory(client=spread, country="RU", region=region, status=PointOfPresence.Status.OPEN)
    recompute(today=TODAY)
    assert ClientSegment.objects.get(client=spread).league == "qualifying"

    Client.objects.filter(pk=spread.pk).update(purchasing_centralised=True)  # no save()
    new = ClientFactory()
    caplog.clear()
    with caplog.at_level("INFO", logger="segmentation.segments.engine"):
        recompute(today=TODAY)

    assert [m.split(" judged ")[1] for m in caplog.messages if " judged " in m] == ["2"]
    assert ClientSegment.objects.get(client=spread).league == "second"
    assert ClientSegment.objects.filter(client=new).exists()
