"""What the directors' pages draw of the whole base, as the nightly run leaves it: how many
clients (and how much revenue) per category, tier, league, size class and purchase status, the
Pareto curve of revenue at a bounded number of points, how many clients became at risk or lost
in the run, and the refusals by quarter and reason before the run's quarter (the pages count
the quarter under way live, through the index on the refusals' date). The run computes them in
its transaction, set-based, and keeps them on its row (`NightlyRun.figures`); the dashboard and
the loyalty ladder read that one row instead of aggregating every client on every request
(`run_figures`).

The figures are the run's: a client added since, or a segment history written by hand, is
not in them until the next run. Pages fall back to counting live when no run has kept them.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from accounts.models import Refusal
from accounts.selectors import refusal_counts
from kam.prepared import Prepared
from segmentation.models import ClientSegment, LostStatus, NightlyRun, SegmentChange
from segmentation.segments.sql import pareto_curve_sql

PARETO_BUCKETS = 100
KEPT_QUARTERS = 8  # of refusals, before the run's quarter
BECAME = [LostStatus.AT_RISK.value, LostStatus.LOST.value]
CENTS = Decimal("0.01")

DISTRIBUTION_SQL = f"""
SELECT category, tier, league, size_class, lost_status, COUNT(*), SUM(revenue)
FROM {ClientSegment._meta.db_table}
GROUP BY category, tier, league, size_class, lost_status
"""

# A client that became at risk (or lost) in this run and not already in an earlier run of the
# same month: summed over a month's runs, each client counts once, as the dashboard counts them.
# Its first computation (old "") is not a change. Served by the index on (client, run).
BECAME_SQL = f"""
SELECT ch.new, COUNT(*) FROM {SegmentChange._meta.db_table} ch
WHERE ch.run_id = %(run)s AND ch.kind = '{SegmentChange.Kind.LOST}' AND ch.old <> ''
    AND ch.new IN ('{LostStatus.AT_RISK}', '{LostStatus.LOST}')
AND NOT EXISTS (
    SELECT 1 FROM {SegmentChange._meta.db_table} e JOIN {NightlyRun._meta.db_table} r ON r.id = e.run_id
    WHERE e.client_id = ch.client_id AND e.kind = ch.kind AND e.new = ch.new AND e.old <> ''
        AND e.run_id < ch.run_id AND r.run_on >= %(month)s AND r.run_on < %(next_month)s
)
GROUP BY ch.new
"""


@dataclass(frozen=True)
class Figures:
    """The figures one run kept. `categories` maps a category ("" for none yet) to its clients
    and revenue; the other distributions map a value ("" for none) to its clients; `pareto` is
    the curve's buckets, each the rank it ends at and the revenue of its clients; `refusals`
    the (year, quarter, reason, refusals) of the quarters before `refusals_until`, the first
    day of the run's quarter (None in the figures of a run that kept no refusals); `run_id` the
    run that kept them and `run_at` when it started (the two tell one run from any other, also
    after a database is restored from a backup and its ids are given again)."""

    categories: dict[str, tuple[int, Decimal]]
    tiers: dict[str, int]
    leagues: dict[str, int]
    sizes: dict[str, int]
    lost: dict[str, int]
    pareto: list[tuple[int, Decimal]]
    refusals: list[tuple[int, int, str, int]] | None = None
    refusals_until: date | None = None
    run_id: int | None = None
    run_at: datetime | None = None

    @classmethod
    def from_json(
        cls, kept: dict[str, Any], run_id: int | None = None, run_at: datetime | None = None
    ) -> "Figures":
        return cls(
            run_id=run_id,
            run_at=run_at,
            categories={key: (int(n), Decimal(revenue)) for key, (n, revenue) in kept["categories"].items()},
            tiers=_counts(kept["tiers"]),
            leagues=_counts(kept["leagues"]),
            sizes=_counts(kept["sizes"]),
            lost=_counts(kept["lost"]),
            pareto=[(int(top), Decimal(revenue)) for top, revenue in kept["pareto"]],
            **_refusals(kept.get("refusals")),
        )


def _counts(kept: dict[str, Any]) -> dict[str, int]:
    return {key: int(n) for key, n in kept.items()}


def _refusals(kept: dict[str, Any] | None) -> dict[str, Any]:
    if not kept:
        return {}
    counts = [(int(year), int(quarter), reason, int(n)) for year, quarter, reason, n in kept["counts"]]
    return {"refusals": counts, "refusals_until": date.fromisoformat(kept["until"])}


_LAST_FIGURES = Prepared(
    lambda: (
        NightlyRun.objects.filter(status=NightlyRun.Status.SUCCESS)
        .order_by("-started_at", "-pk")
        .values_list("pk", "started_at", "figures")[:1]
    )
)


def run_figures() -> Figures | None:
    """The last successful run's figures (one row read, by a prepared query); None when it kept
    none (a run before runs kept them, or segments written by hand)."""
    run_id, run_at, kept = next(iter(_LAST_FIGURES()), (None, None, None))
    return Figures.from_json(kept, run_id, run_at) if kept and "categories" in kept else None


def compute(cursor: Any, run: NightlyRun, today: date, pareto: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The run's figures as JSON (see the module docstring), once its segments and changes are
    written: one GROUP BY over the segments, the Pareto curve's rows (bucket, last rank, revenue:
    `pareto_rows`', as the run drew them with its revenue line over the same revenue), and the
    run's own purchase status changes."""
    return distribution(cursor) | {
        "pareto": [[int(top), str(_cents(revenue))] for _bucket, top, revenue in pareto],
        "became": became(cursor, run.pk, today),
        "refusals": refusals(today),
    }


def distribution(cursor: Any) -> dict[str, Any]:
    """Clients (and revenue, per category) per value of each segment, from one GROUP BY."""
    names = ["categories", "tiers", "leagues", "sizes", "lost"]
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    revenue: dict[str, Decimal] = {}
    cursor.execute(DISTRIBUTION_SQL)
    for *values, clients, total in cursor.fetchall():
        for name, value in zip(names, values, strict=True):
            counts[name][value] = counts[name].get(value, 0) + clients
        revenue[values[0]] = revenue.get(values[0], Decimal(0)) + _cents(total)
    categories = {key: [n, str(revenue[key])] for key, n in counts.pop("categories").items()}
    return {"categories": categories, **counts}


def pareto_rows(cursor: Any, buckets: int = PARETO_BUCKETS) -> list[tuple[int, Decimal]]:
    """Clients with revenue ranked by it, cut in SQL into `buckets` equal runs of rank: each
    bucket's last rank and its clients' revenue. Never more than `buckets` rows."""
    cursor.execute(pareto_curve_sql(ClientSegment._meta.db_table, "revenue", "0", buckets))
    return [(int(top), _cents(revenue)) for _bucket, top, revenue, _line in cursor.fetchall()]


def became(cursor: Any, run_id: int, today: date) -> dict[str, int]:
    """How many clients became at risk and lost in the run, and not earlier in its month."""
    month = today.replace(day=1)
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    cursor.execute(BECAME_SQL, {"run": run_id, "month": month, "next_month": next_month})
    found = dict(cursor.fetchall())
    return {status: int(found.get(status, 0)) for status in BECAME}


def refusals(today: date) -> dict[str, Any]:
    """The refusals of the `KEPT_QUARTERS` quarters before `today`'s, by quarter and reason, and
    the first day they leave out (the quarter under way, which the pages count live)."""
    until = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    back = until.year * 12 + until.month - 1 - 3 * KEPT_QUARTERS
    since = date(back // 12, back % 12 + 1, 1)
    counts = refusal_counts(Refusal.objects.filter(date__gte=since, date__lt=until))
    return {"until": until.isoformat(), "counts": [list(row) for row in counts]}


def _cents(value: Any) -> Decimal:
    """A sum as Decimal to the cent (SQLite sums as floating point)."""
    return Decimal(str(value or 0)).quantize(CENTS)
