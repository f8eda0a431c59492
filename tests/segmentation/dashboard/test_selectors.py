"""The dashboard's figures, each one aggregate query, checked to the exact number on a small
base: ABCD, tiers, leagues, the Pareto buckets, the migration matrix, at risk and lost by
month, and the refusals by quarter."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Refusal
from segmentation.dashboard import selectors
from segmentation.models import ClientSegment, NightlyRun, SegmentChange, Tier, TierOverride
from tests.factories import ClientFactory, RefusalFactory

TODAY = datetime.date(2026, 5, 20)


def segment(**fields):
    return ClientSegment.objects.create(client=ClientFactory(), **fields)


def run_on(day):
    return NightlyRun.objects.create(run_on=day, status=NightlyRun.Status.SUCCESS)


def change(run, client, old, new, kind=SegmentChange.Kind.CATEGORY):
    return SegmentChange.objects.create(run=run, client=client, kind=kind, old=old, new=new)


def test_abcd_matrix_counts_clients_and_revenue_per_category(db, assert_queries):
    segment(category="A", revenue=Decimal("100.50"))
    segment(category="A", revenue=Decimal(50))
    segment(category="B", revenue=Decimal(200))
    segment(category="D", revenue=Decimal(0))
    segment(category="", revenue=Decimal(7))
    ClientFactory()  # not computed yet: no category either

    matrix = assert_queries(1, selectors.abcd_matrix)

    assert {key: (s.clients, s.revenue) for key, s in matrix.items()} == {
        "A": (2, Decimal("150.50")),
        "B": (1, Decimal(200)),
        "C": (0, Decimal(0)),
        "D": (1, Decimal(0)),
        "none": (2, Decimal(7)),
    }
    assert str(matrix["none"].label) == "No category yet"


def test_tiers_count_the_effective_tier_and_a_new_client_as_bronze(db, assert_queries):
    segment(tier=Tier.GOLD)
    segment(tier=Tier.SILVER)
    overridden = segment(tier=Tier.SILVER)
    TierOverride.objects.create(client=overridden.client, tier=Tier.GOLD, reason="image client")
    segment(tier=Tier.BRONZE)
    ClientFactory()

    tiers = assert_queries(1, selectors.tiers)

    assert [(s.value, s.clients) for s in tiers] == [("gold", 2), ("silver", 1), ("bronze", 2)]


def test_leagues_from_the_premier_down_then_qualifying_and_none(db, assert_queries):
    for league in ["premier", "second", "second", "third", "qualifying", ""]:
        segment(league=league)
    ClientFactory()

    leagues = assert_queries(1, selectors.leagues)

    assert [(s.value, s.clients) for s in leagues] == [
        ("premier", 1),
        ("first", 0),
        ("second", 2),
        ("third", 1),
        ("qualifying", 1),
        ("none", 2),
    ]


def test_pareto_with_few_clients_has_a_point_per_client(db, assert_queries):
    for revenue in [5, 50, 15, 30, 0]:
        segment(revenue=Decimal(revenue))

    curve = assert_queries(1, selectors.pareto)

    assert (curve.clients, curve.revenue) == (4, Decimal(100))
    assert [(p.clients, p.clients_share, p.revenue_share) for p in curve.points] == [
        (1, 25.0, 50.0),
        (2, 50.0, 80.0),
        (3, 75.0, 95.0),
        (4, 100.0, 100.0),
    ]
    assert curve.top(50).clients == 2
    assert curve.top(10).clients == 0


def test_pareto_buckets_by_rank_in_sql(db):
    for revenue in [5, 50, 15, 30, 0]:
        segment(revenue=Decimal(revenue))

    curve = selectors.pareto(buckets=2)

    assert [(p.clients, p.clients_share, p.revenue_share) for p in curve.points] == [
        (2, 50.0, 80.0),
        (4, 100.0, 100.0),
    ]


def test_pareto_never_has_more_points_than_buckets(db):
    ClientSegment.objects.bulk_create(
        ClientSegment(client=client, revenue=Decimal(1)) for client in ClientFactory.create_batch(250)
    )

    curve = selectors.pareto()

    assert len(curve.points) == 100
    assert curve.points[0].clients == 2  # rank 1 and 2: ceil(rank × 100 / 250) = 1
    assert curve.points[9].clients == 25
    assert (curve.points[9].clients_share, curve.points[9].revenue_share) == (10.0, 10.0)
    assert curve.points[-1].clients == 250


def test_pareto_of_an_empty_base(db):
    curve = selectors.pareto()

    assert (curve.clients, curve.revenue, curve.points) == (0, Decimal(0), [])


@pytest.fixture
def history(db):
    """Changes before, in and after a period of 10 May - 20 May."""
    before, first, second, same_day, after = (
        run_on(datetime.date(2026, 5, 9)),
        run_on(datetime.date(2026, 5, 10)),
        run_on(datetime.date(2026, 5, 15)),
        run_on(datetime.date(2026, 5, 15)),
        run_on(datetime.date(2026, 5, 21)),
    )
    climber, back, new, early, late, twice = ClientFactory.create_batch(6)
    change(first, climber, "C", "B")
    change(second, climber, "B", "A")
    change(first, back, "B", "C")
    change(second, back, "C", "B")
    change(first, new, "", "D")
    change(before, early, "D", "C")
    change(after, late, "A", "B")
    change(second, twice, "D", "C")
    change(same_day, twice, "C", "B")  # the later run of the same day wins
    change(first, climber, "bronze", "silver", kind=SegmentChange.Kind.TIER)
    return climber


def test_migration_counts_first_old_to_last_new_per_client(history, assert_queries):
    migration = assert_queries(
        2,  # the period's runs, then their changes
        lambda: selectors.migration(
            SegmentChange.Kind.CATEGORY, datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)
        ),
    )

    moves = {(old, new): n for old, row in migration.cells.items() for new, n in row.items() if n}
    assert moves == {("C", "A"): 1, ("", "D"): 1, ("D", "B"): 1}
    assert (migration.moved, migration.returned) == (3, 1)
    rows = migration.rows()
    assert [(str(label), total) for label, _counts, total in rows] == [
        ("A", 0),
        ("B", 0),
        ("C", 1),
        ("D", 1),
        ("No category", 1),
    ]
    assert rows[2][1] == [1, 0, None, 0, 0]


def test_migration_of_tiers_reads_only_tier_changes(history):
    migration = selectors.migration(
        SegmentChange.Kind.TIER, datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)
    )

    assert migration.cells["bronze"]["silver"] == 1
    assert (migration.moved, migration.returned) == (1, 0)


def test_migration_includes_both_ends_of_the_period(history):
    migration = selectors.migration(
        SegmentChange.Kind.CATEGORY, datetime.date(2026, 5, 9), datetime.date(2026, 5, 9)
    )

    assert migration.cells["D"]["C"] == 1
    assert migration.moved == 1


def test_migrations_of_a_period_without_runs_read_no_history(history, assert_queries):
    since = datetime.date(2026, 5, 11)

    migrations = assert_queries(1, lambda: selectors.migrations(["category", "tier"], since, since))

    assert [(m.kind, m.moved, m.returned) for m in migrations] == [("category", 0, 0), ("tier", 0, 0)]


def test_at_risk_and_lost_by_month_over_the_last_twelve(db, assert_queries):
    a, b = ClientFactory.create_batch(2)
    may, april, last_june, last_may = (
        run_on(datetime.date(2026, 5, 3)),
        run_on(datetime.date(2026, 4, 30)),
        run_on(datetime.date(2025, 6, 1)),
        run_on(datetime.date(2025, 5, 31)),
    )
    lost = SegmentChange.Kind.LOST
    change(may, a, "active", "at_risk", kind=lost)
    change(may, b, "active", "at_risk", kind=lost)
    change(run_on(datetime.date(2026, 5, 10)), a, "active", "at_risk", kind=lost)  # a again: once
    change(april, a, "at_risk", "lost", kind=lost)
    change(april, b, "lost", "won_back", kind=lost)
    change(last_june, b, "at_risk", "lost", kind=lost)
    change(last_june, a, "", "lost", kind=lost)  # its first computation: not a change
    change(last_may, b, "active", "at_risk", kind=lost)  # 13 months ago
    change(may, b, "A", "B")

    # the runs kept no figures (made by hand): their row read, then the history counted
    months = assert_queries(2, lambda: selectors.at_risk_and_lost(TODAY))

    assert [(m.month, m.at_risk, m.lost) for m in months if m.at_risk or m.lost] == [
        (datetime.date(2025, 6, 1), 0, 1),
        (datetime.date(2026, 4, 1), 0, 1),
        (datetime.date(2026, 5, 1), 2, 0),
    ]
    assert [m.month for m in months][::11] == [datetime.date(2025, 6, 1), datetime.date(2026, 5, 1)]
    assert len(months) == 12


def test_refusals_across_the_base_by_quarter_over_eight_quarters(db, assert_queries):
    one, other = ClientFactory.create_batch(2)
    RefusalFactory(client=one, date=datetime.date(2026, 4, 1), reason=Refusal.Reason.PRICE)
    RefusalFactory(client=other, date=datetime.date(2026, 5, 20), reason=Refusal.Reason.PRICE)
    RefusalFactory(client=other, date=datetime.date(2026, 3, 31), reason=Refusal.Reason.SERVICE)
    RefusalFactory(client=one, date=datetime.date(2024, 7, 1), reason=Refusal.Reason.COMPETITOR)
    # 9 quarters ago: left out
    RefusalFactory(client=one, date=datetime.date(2024, 6, 30), reason=Refusal.Reason.QUALITY)

    result = assert_queries(1, lambda: selectors.refusals(TODAY))

    assert result["reasons"] == [Refusal.Reason.PRICE, Refusal.Reason.SERVICE, Refusal.Reason.COMPETITOR]
    assert [(q["year"], q["quarter"], q["counts"], q["total"]) for q in result["quarters"]] == [
        (2026, 2, [2, 0, 0], 2),
        (2026, 1, [0, 1, 0], 1),
        (2024, 3, [0, 0, 1], 1),
    ]


@pytest.mark.parametrize(
    ("day", "back", "expected"),
    [
        (datetime.date(2026, 5, 20), 0, datetime.date(2026, 5, 1)),
        (datetime.date(2026, 5, 20), 11, datetime.date(2025, 6, 1)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2025, 12, 1)),
        (datetime.date(2026, 12, 1), 24, datetime.date(2024, 12, 1)),
    ],
)
def test_month_start(day, back, expected):
    assert selectors.month_start(day, back) == expected
