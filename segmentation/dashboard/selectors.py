"""Reads for the directors' dashboard, in a number of queries that does not grow with the base.

The snapshot figures (ABCD, tiers, leagues, Pareto) are what the last nightly run kept on its
row (`segments.figures`), with the directors' tier overrides applied live; the at-risk and lost
counts are summed from the runs of the last twelve months, and the migrations read the segment
history of the chosen period through its index on the run. Where no run has kept the figures
(segments written by hand, runs from before), each is counted live over the whole base.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Refusal
from accounts.selectors import refusal_counts, refusal_quarters, refusal_table
from segmentation.models import (
    Category,
    League,
    LostStatus,
    NightlyRun,
    SegmentChange,
    Tier,
    TierOverride,
)
from segmentation.segments import abcd
from segmentation.segments.figures import BECAME, PARETO_BUCKETS, Figures, pareto_rows
from segmentation.segments.tiers import effective_tier

TREND_MONTHS = 12
REFUSAL_QUARTERS = 8
NO_LEAGUE = "none"


@dataclass(frozen=True)
class Slice:
    """One group of clients in a figure: its value (as the client list filters by it, where it
    can), its label, how many clients and their revenue over the last 12 months."""

    value: str
    label: str | Promise
    clients: int
    revenue: Decimal = Decimal(0)


def abcd_matrix(figures: Figures | None = None) -> dict[str, Slice]:
    """Clients and their revenue per ABCD category, and those with no category yet (no
    potential estimate, or not computed yet), keyed A-D and `abcd.NO_CATEGORY`: the run's
    `figures`, or counted live when there are none."""
    found: dict[str, tuple[int, Decimal]] = {}
    if figures is not None:
        found = {key or abcd.NO_CATEGORY: kept for key, kept in figures.categories.items()}
    else:
        rows = Client.objects.values("segment__category").annotate(
            clients=Count("pk"), revenue=Sum("segment__revenue")
        )
        for row in rows.order_by():
            key = row["segment__category"] or abcd.NO_CATEGORY
            clients, revenue = found.get(key, (0, Decimal(0)))
            found[key] = (clients + row["clients"], revenue + (row["revenue"] or 0))
    labels: list[tuple[str, str | Promise]] = [*Category.choices, (abcd.NO_CATEGORY, _("No category yet"))]
    return {value: Slice(value, label, *found.get(value, (0, Decimal(0)))) for value, label in labels}


def tiers(figures: Figures | None = None) -> list[Slice]:
    """Clients per effective tier (a director's override wins), gold first: the tiers the run
    computed (its `figures`), each override moving its client live; without figures, counted
    live, a client the nightly run has not seen yet as bronze, as on its card."""
    counts: dict[str, int] = {}
    if figures is not None:
        counts = dict(figures.tiers)
        for computed, chosen, n in _overrides():
            counts[computed] = counts.get(computed, 0) - n
            counts[chosen] = counts.get(chosen, 0) + n
    else:
        rows = Client.objects.annotate(tier_now=effective_tier()).values("tier_now")
        for row in rows.annotate(clients=Count("pk")).order_by():
            key = row["tier_now"] or Tier.BRONZE
            counts[key] = counts.get(key, 0) + row["clients"]
    return [Slice(value, label, counts.get(value, 0)) for value, label in Tier.choices]


def _overrides() -> list[tuple[str, str, int]]:
    """The directors' overrides of clients the run computed: (computed tier, chosen tier, how
    many). One query over the overrides, whatever the base's size."""
    rows = (
        TierOverride.objects.filter(client__segment__isnull=False)
        .values_list("client__segment__tier", "tier")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(computed, chosen, n) for computed, chosen, n in rows if computed != chosen]


def leagues(figures: Figures | None = None) -> list[Slice]:
    """The league pyramid: premier at the top down to third, then qualifying and no league
    (no open point of presence, or not computed yet); the run's `figures` or counted live."""
    counts: dict[str, int] = {}
    if figures is not None:
        counts = {key or NO_LEAGUE: n for key, n in figures.leagues.items()}
    else:
        rows = Client.objects.values("segment__league").annotate(clients=Count("pk"))
        for row in rows.order_by():
            key = row["segment__league"] or NO_LEAGUE
            counts[key] = counts.get(key, 0) + row["clients"]
    labels: list[tuple[str, str | Promise]] = [*League.choices, (NO_LEAGUE, _("No league"))]
    return [Slice(value, label, counts.get(value, 0)) for value, label in labels]


@dataclass(frozen=True)
class ParetoPoint:
    """The top `clients` clients by revenue (`clients_share` % of those with revenue) hold
    `revenue_share` % of all revenue."""

    clients: int
    clients_share: float
    revenue_share: float


@dataclass(frozen=True)
class Pareto:
    clients: int
    revenue: Decimal
    points: list[ParetoPoint]

    def top(self, share: int) -> ParetoPoint:
        """The last point within the top `share` % of clients (the origin when none is)."""
        within = [p for p in self.points if p.clients * 100 <= share * self.clients]
        return within[-1] if within else ParetoPoint(0, 0.0, 0.0)


def pareto(buckets: int = PARETO_BUCKETS, figures: Figures | None = None) -> Pareto:
    """The Pareto curve of the revenue the last run stored: clients with revenue ranked by it,
    cut into `buckets` equal runs of rank, each ending at the cumulative share of clients and of
    revenue. The run's `figures` keep its buckets; without them they are ranked live in SQL.
    Never more than `buckets` points, whatever the base's size."""
    if figures is not None:
        rows = figures.pareto
    else:
        with connection.cursor() as cursor:
            rows = pareto_rows(cursor, buckets)
    total = sum((revenue for _top, revenue in rows), Decimal(0))
    clients = rows[-1][0] if rows else 0
    points, running = [], Decimal(0)
    for top, revenue in rows:
        running += revenue
        points.append(ParetoPoint(top, _share(top, clients), _share(running, total)))
    return Pareto(clients, total, points)


def _share(part: Decimal | int, whole: Decimal | int) -> float:
    return round(float(Decimal(part) * 100 / Decimal(whole)), 1)


@dataclass(frozen=True)
class Migration:
    """Clients whose segment of one kind moved between two dates: `cells[old][new]` clients
    had `old` at the first change in the period and `new` after the last one. `returned`
    changed and came back to where they started."""

    kind: str
    states: list[tuple[str, str | Promise]]
    cells: dict[str, dict[str, int]]
    returned: int

    @property
    def moved(self) -> int:
        return sum(n for old, row in self.cells.items() for new, n in row.items() if old != new)

    def rows(self) -> list[tuple[str | Promise, list[int | None], int]]:
        """For the table: each starting state's label, its counts per state (None on the
        diagonal) and its total."""
        result = []
        for old, label in self.states:
            counts = [None if old == new else self.cells[old][new] for new, _label in self.states]
            result.append((label, counts, sum(n or 0 for n in counts)))
        return result


MIGRATION_SQL = """
SELECT first_old, last_new, COUNT(*)
FROM (
    SELECT DISTINCT ch.client_id,
        FIRST_VALUE(ch.old) OVER (PARTITION BY ch.client_id ORDER BY r.run_on, ch.run_id) AS first_old,
        FIRST_VALUE(ch.new) OVER (PARTITION BY ch.client_id ORDER BY r.run_on DESC, ch.run_id DESC)
            AS last_new
    FROM {changes} ch JOIN {runs} r ON r.id = ch.run_id
    WHERE ch.kind = %s AND ch.run_id IN ({ids})
) moves
GROUP BY first_old, last_new
"""

MIGRATION_STATES: dict[str, list[tuple[str, str | Promise]]] = {
    SegmentChange.Kind.CATEGORY: [*Category.choices, ("", _("No category"))],
    SegmentChange.Kind.TIER: [*Tier.choices, ("", _("Not yet computed"))],
}


def migrations(kinds: list[str], since: date, until: date) -> list[Migration]:
    """How many clients moved from each segment to each other between `since` and `until`
    (both included, by the runs' dates), per kind: per client, the `old` of its first change of
    the kind in the period and the `new` of its last. A client that moved C→B→A counts once, as
    C→A. Not-yet-categorised is the state "" (the first run's changes too).

    The period's runs are read first and their changes then by run id, through the index on
    (run, kind): the planner knows each run's share of the history by its id, where a range of
    dates made it scan the whole history. A query per kind; none when no run is in the period."""
    runs = NightlyRun.objects.filter(run_on__gte=since, run_on__lte=until).order_by()
    ids = list(runs.values_list("pk", flat=True))
    return [_migration(kind, ids) for kind in kinds]


def migration(kind: str, since: date, until: date) -> Migration:
    """One kind's migrations in the period (see `migrations`)."""
    return migrations([kind], since, until)[0]


def _migration(kind: str, runs: list[int]) -> Migration:
    states = MIGRATION_STATES[kind]
    cells = {old: {new: 0 for new, _label in states} for old, _label in states}
    returned = 0
    if runs:
        sql = MIGRATION_SQL.format(
            changes=SegmentChange._meta.db_table,
            runs=NightlyRun._meta.db_table,
            ids=", ".join(["%s"] * len(runs)),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind, *runs])
            for old, new, count in cursor.fetchall():
                if old == new:
                    returned += count
                elif old in cells and new in cells:
                    cells[old][new] = count
    return Migration(kind, states, cells, returned)


@dataclass(frozen=True)
class MonthCount:
    month: date
    at_risk: int
    lost: int


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def at_risk_and_lost(today: date, months: int = TREND_MONTHS) -> list[MonthCount]:
    """Per month of the last `months` (this one included, oldest first): how many clients
    became at risk and how many lost, by the runs that recorded it.

    Each run keeps how many became so in it and not earlier in its month (`segments.figures`),
    so the months are sums over the runs' rows; when a run in the period kept none, the segment
    history is counted instead (one more query). A client's first computation is not a change
    (its old status is ""): a fresh install would otherwise show every long-lost client as lost
    in its first month, as notifications skip it."""
    since = month_start(today, months - 1)
    counts = _kept_by_month(since, today)
    if counts is None:
        counts = _counted_by_month(since, today)
    starts = [month_start(today, back) for back in range(months - 1, -1, -1)]
    return [
        MonthCount(m, counts.get((m, LostStatus.AT_RISK), 0), counts.get((m, LostStatus.LOST), 0))
        for m in starts
    ]


def _kept_by_month(since: date, until: date) -> dict[tuple[date, str], int] | None:
    """The runs' own counts summed per month: one row per run read; None if a run kept none."""
    sums = {status: Sum(Cast(KT(f"figures__became__{status}"), IntegerField())) for status in BECAME}
    rows = (
        NightlyRun.objects.filter(status=NightlyRun.Status.SUCCESS, run_on__gte=since, run_on__lte=until)
        .annotate(month=TruncMonth("run_on"))
        .values("month")
        .annotate(runs=Count("pk"), kept=Count(KT(f"figures__became__{BECAME[0]}")), **sums)
        .order_by()
    )
    counts: dict[tuple[date, str], int] = {}
    for row in rows:
        if row["kept"] < row["runs"]:
            return None
        counts |= {(row["month"], status): row[status] or 0 for status in BECAME}
    return counts


def _counted_by_month(since: date, until: date) -> dict[tuple[date, str], int]:
    """Distinct clients per month and status, counted over the segment history."""
    rows = (
        SegmentChange.objects.filter(
            kind=SegmentChange.Kind.LOST,
            new__in=BECAME,
            old__gt="",
            run__run_on__gte=since,
            run__run_on__lte=until,
        )
        .annotate(month=TruncMonth("run__run_on"))
        .values("month", "new")
        .annotate(clients=Count("client", distinct=True))
        .order_by()
    )
    return {(row["month"], row["new"]): row["clients"] for row in rows}


def refusals(today: date, quarters: int = REFUSAL_QUARTERS, figures: Figures | None = None) -> dict[str, Any]:
    """Refusals across the base by quarter and reason, over the last `quarters` quarters (this
    one included), newest first: the card's grouping (`accounts.selectors.refusal_table`).

    The quarters before the last run's are the run's `figures`; the refusals dated since are
    counted live, through the index on their date (a quarter's, not two years'). Without the
    run's figures, all are counted live."""
    this_quarter = month_start(today, (today.month - 1) % 3)
    since = month_start(this_quarter, 3 * (quarters - 1))
    if figures is None or figures.refusals is None or figures.refusals_until is None:
        return refusal_quarters(Refusal.objects.filter(date__gte=since, date__lte=today))
    kept = [row for row in figures.refusals if since <= date(row[0], 3 * row[1] - 2, 1) <= today]
    live = Refusal.objects.filter(date__gte=max(since, figures.refusals_until), date__lte=today)
    return refusal_table([*kept, *refusal_counts(live)])


def default_period(today: date) -> tuple[date, date]:
    """The migration period unless one is chosen: the last 90 days."""
    return today - timedelta(days=90), today
