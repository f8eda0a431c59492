"""The nightly recomputation of every client's segments, set-based in SQL.

One run:
1. takes the lock (an advisory lock on PostgreSQL; SQLite's write lock elsewhere);
2. computes every client's new segments into a temporary table in one statement
   (sales aggregates, Pareto and potential ranks with window functions, the purchase
   rhythm's median gap, the geographic footprint);
3. records a segment-change row for every category, tier, league, size class and
   purchase status that moved, and a notification for the responsible manager;
4. updates only the segment rows that differ and inserts those of new clients.

All of it is one transaction: a failure half-way leaves the previous segments.
The same SQL runs on PostgreSQL and SQLite; the few differences live in `Dialect`.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts import geography
from segmentation.models import NightlyRun, Policy

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 4_151_001
CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")

SEGMENT_COLUMNS = [
    "revenue",
    "revenue_rank",
    "revenue_above_share",
    "buys_a_lot",
    "potential",
    "covered_sales",
    "wallet_share",
    "headroom",
    "can_buy_more",
    "category",
    "potential_rank",
    "potential_above_share",
    "tier",
    "continents",
    "countries",
    "regions",
    "open_points",
    "league",
    "expansion_points",
    "size_class",
    "purchase_dates",
    "usual_interval",
    "last_purchase",
    "lost_status",
    "won_back_on",
]
TRACKED_KINDS = ["category", "tier", "league", "size_class", "lost_status"]


class RunSkipped(Exception):
    """Another run holds the lock."""


@dataclass(frozen=True)
class Dialect:
    postgres: bool

    def days_between(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.postgres else f"{a} IS NOT {b}"

    def rhythm(self) -> str:
        """Per client: the number of purchase dates and the median gap between them.

        PostgreSQL has percentile_cont; SQLite averages the middle row(s) of the ordered gaps.
        """
        if self.postgres:
            return (
                "SELECT client_id, COUNT(*) AS purchase_dates,"
                " percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS usual_interval"
                " FROM gaps GROUP BY client_id"
            )
        return """SELECT client_id, COUNT(*) AS purchase_dates,
        AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN gap END) AS usual_interval
    FROM (
        SELECT client_id, gap, ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY gap IS NULL, gap) AS rn,
            COUNT(gap) OVER (PARTITION BY client_id) AS n
        FROM gaps
    ) ranked GROUP BY client_id"""

    def param(self, value: Any) -> Any:
        """SQLite binds a Decimal as text, and text never compares equal to or less than a number."""
        return float(value) if isinstance(value, Decimal) and not self.postgres else value

    def decimal(self, expression: str) -> str:
        return f"CAST({expression} AS NUMERIC)" if self.postgres else f"({expression})"


def recompute(*, today: date | None = None, trigger: str = "") -> NightlyRun:
    """Run the recomputation for `today` and return its log row (see the module docstring)."""
    today = today or timezone.localdate()
    run = NightlyRun.objects.create(run_on=today, trigger=trigger[:120])
    try:
        with transaction.atomic():
            _lock()
            counts = _recompute(run, today, Policy.current())
    except RunSkipped:
        _finish(run, NightlyRun.Status.SKIPPED)
        logger.info("nightly run %s skipped: another run holds the lock", run.pk)
    except Exception as error:
        _finish(run, NightlyRun.Status.FAILED, error=repr(error))
        logger.exception("nightly run %s failed", run.pk)
        raise
    else:
        _finish(run, NightlyRun.Status.SUCCESS, counts=counts)
        logger.info("nightly run %s changed %s", run.pk, counts)
    return run


def _finish(run: NightlyRun, status: str, *, counts: dict[str, int] | None = None, error: str = "") -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.error = error
    if counts is not None:
        run.clients = counts.pop("clients", 0)
        run.changes = counts
    run.save(update_fields=["status", "finished_at", "error", "clients", "changes"])


def _lock() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the database's write lock.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RunSkipped


def _recompute(run: NightlyRun, today: date, policy: Policy) -> dict[str, int]:
    dialect = Dialect(postgres=connection.vendor == "postgresql")
    params = {name: dialect.param(value) for name, value in _params(run, today, policy).items()}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS seg_stage")
        cursor.execute("DROP TABLE IF EXISTS seg_rhythm")
        if dialect.postgres:
            # Sorts stay in memory, and the purchase dates stream in (client, date) index
            # order into the rhythm's window instead of being hashed and then sorted again.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL enable_hashagg = off")
            # The CTEs hide row counts, so the planner's costs balloon and JIT compilation
            # (seconds) would cost more than the whole statement.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_rhythm_sql(dialect), params)
        if dialect.postgres:
            cursor.execute("SET LOCAL enable_hashagg = on")
        cursor.execute(_stage_sql(dialect, policy), params)
        if dialect.postgres:
            cursor.execute("ANALYZE seg_stage")  # temporary tables get no statistics otherwise
        cursor.execute("SELECT COUNT(*) FROM seg_stage")
        clients = cursor.fetchone()[0]
        for kind in TRACKED_KINDS:
            cursor.execute(_change_sql(kind, dialect), params)
        cursor.execute(_notify_sql(), params)
        cursor.execute(_update_sql(dialect))
        cursor.execute(_insert_sql())
        cursor.execute("DROP TABLE seg_stage")
        cursor.execute("DROP TABLE seg_rhythm")
        cursor.execute(
            "SELECT kind, COUNT(*) FROM segmentation_segmentchange WHERE run_id = %(run)s GROUP BY kind",
            params,
        )
        counts = dict(cursor.fetchall())
    return {"clients": clients, **counts}


def _params(run: NightlyRun, today: date, policy: Policy) -> dict[str, Any]:
    return {
        "run": run.pk,
        "now": timezone.now(),
        "today": today,
        "year_ago": today - timedelta(days=365),
        "two_years_ago": today - timedelta(days=730),
        "won_back_since": today - timedelta(days=policy.won_back_days),
        "pareto": policy.pareto_share,
        "wallet_limit": policy.wallet_share_limit,
        "min_headroom": policy.min_headroom,
        "gold": policy.gold_share,
        "gold_silver": policy.gold_share + policy.silver_share,
        "at_risk_factor": policy.at_risk_factor,
        "at_risk_min": policy.at_risk_min_days,
        "lost_factor": policy.lost_factor,
        "lost_min": policy.lost_min_days,
        "nr_at_risk": policy.no_rhythm_at_risk_days,
        "nr_lost": policy.no_rhythm_lost_days,
        "medium_from": policy.medium_from,
        "large_from": policy.large_from,
        "largest_from": policy.largest_from,
    }


def _values(rows: list[tuple[str, ...]], empty: str) -> str:
    """A CTE body of literal rows; codes are checked, so nothing user-typed reaches the SQL."""
    safe = [row for row in rows if all(CODE.match(value) for value in row)]
    if not safe:
        return empty
    return "VALUES " + ", ".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in safe)


def _continents() -> str:
    rows = [(code, geography.continent_of(code)) for code in geography.country_codes()]
    return _values([(code, continent) for code, continent in rows if continent], "SELECT '', '' WHERE 1 = 0")


def _rhythm_sql(d: Dialect) -> str:
    """Each client's number of purchase dates in the last 24 months and the median gap."""
    gap = d.days_between("date", "LAG(date) OVER (PARTITION BY client_id ORDER BY date)")
    return f"""
CREATE TEMP TABLE seg_rhythm AS
WITH gaps AS (
    SELECT client_id, {gap} AS gap FROM accounts_sale
    WHERE date > %(two_years_ago)s AND date <= %(today)s GROUP BY client_id, date
)
{d.rhythm()}
"""


def _stage_sql(d: Dialect, policy: Policy) -> str:
    own = _values([(code,) for code in policy.own_region_codes()], "SELECT '' WHERE 1 = 0")
    area = "CASE WHEN p.region = '' THEN p.country ELSE p.region END"
    since = d.days_between("%(today)s", "b.last_purchase")
    return f"""
CREATE TEMP TABLE seg_stage AS
WITH cg AS (
    SELECT client_id, product_group_id, MAX(date) AS last_date,
        SUM(CASE WHEN date > %(year_ago)s THEN amount ELSE 0 END) AS sold
    FROM accounts_sale WHERE date <= %(today)s GROUP BY client_id, product_group_id
), rev AS (
    SELECT client_id, SUM(sold) AS revenue, MAX(last_date) AS last_purchase FROM cg GROUP BY client_id
), base AS (
    SELECT c.id AS client_id, c.purchasing_centralised AS centralised, COALESCE(r.revenue, 0) AS revenue,
        r.last_purchase
    FROM accounts_client c LEFT JOIN rev r ON r.client_id = c.id
), pareto AS (
    SELECT client_id, revenue,
        RANK() OVER (ORDER BY revenue DESC) AS revenue_rank,
        SUM(revenue) OVER () AS revenue_total,
        SUM(revenue) OVER (ORDER BY revenue DESC) - SUM(revenue) OVER (PARTITION BY revenue) AS revenue_above
    FROM base
), est AS (
    SELECT e.client_id, SUM(e.amount) AS potential,
        SUM(CASE WHEN COALESCE(g.sold, 0) > e.amount THEN e.amount ELSE COALESCE(g.sold, 0) END) AS covered
    FROM segmentation_potentialestimate e
    LEFT JOIN cg g ON g.client_id = e.client_id AND g.product_group_id = e.product_group_id
    GROUP BY e.client_id
), pot AS (
    SELECT b.client_id, est.potential, est.covered, COALESCE(est.potential, 0) AS pot,
        RANK() OVER (ORDER BY COALESCE(est.potential, 0) DESC) AS potential_rank,
        SUM(COALESCE(est.potential, 0)) OVER () AS potential_total,
        SUM(COALESCE(est.potential, 0)) OVER (ORDER BY COALESCE(est.potential, 0) DESC)
            - SUM(COALESCE(est.potential, 0)) OVER (PARTITION BY COALESCE(est.potential, 0))
            AS potential_above
    FROM base b LEFT JOIN est ON est.client_id = b.client_id
), cont(country, continent) AS (
    {_continents()}
), own(area) AS (
    {own}
), pts AS (
    SELECT p.client_id, COUNT(*) AS open_points, COUNT(DISTINCT p.country) AS countries,
        COUNT(DISTINCT {area}) AS regions, COUNT(DISTINCT k.continent) AS continents
    FROM accounts_pointofpresence p LEFT JOIN cont k ON k.country = p.country
    WHERE p.status = 'open' GROUP BY p.client_id
), presence AS (
    SELECT DISTINCT {area} AS area FROM accounts_pointofpresence p WHERE p.status = 'open'
    UNION SELECT area FROM own
), expansion AS (
    SELECT p.client_id, COUNT(*) AS expansion_points FROM accounts_pointofpresence p
    WHERE p.status = 'planned' AND {area} NOT IN (SELECT area FROM presence) GROUP BY p.client_id
), facts AS (
    SELECT b.client_id, b.centralised, pa.revenue, pa.revenue_rank, pa.revenue_total, pa.revenue_above,
        (pa.revenue > 0 AND pa.revenue_above * 100 < %(pareto)s * pa.revenue_total) AS buys_a_lot,
        po.potential, po.covered, po.pot, po.potential_rank, po.potential_total, po.potential_above,
        CASE WHEN po.potential IS NULL THEN NULL ELSE (po.potential > 0
            AND po.covered * 100 < %(wallet_limit)s * po.potential
            AND po.potential - po.covered >= %(min_headroom)s) END AS can_buy_more,
        COALESCE(pts.open_points, 0) AS open_points, COALESCE(pts.countries, 0) AS countries,
        COALESCE(pts.regions, 0) AS regions, COALESCE(pts.continents, 0) AS continents,
        COALESCE(ex.expansion_points, 0) AS expansion_points,
        COALESCE(rh.purchase_dates, 0) AS purchase_dates,
        CASE WHEN COALESCE(rh.purchase_dates, 0) >= 3 THEN rh.usual_interval END AS usual_interval,
        b.last_purchase, {since} AS since
    FROM base b
    JOIN pareto pa ON pa.client_id = b.client_id
    JOIN pot po ON po.client_id = b.client_id
    LEFT JOIN pts ON pts.client_id = b.client_id
    LEFT JOIN expansion ex ON ex.client_id = b.client_id
    LEFT JOIN seg_rhythm rh ON rh.client_id = b.client_id
), judged AS (
    SELECT f.*,
        CASE WHEN f.last_purchase IS NULL THEN ''
            WHEN f.usual_interval IS NOT NULL THEN CASE
                WHEN f.since > %(lost_factor)s * f.usual_interval AND f.since >= %(lost_min)s THEN 'lost'
                WHEN f.since > %(at_risk_factor)s * f.usual_interval
                    AND f.since >= %(at_risk_min)s THEN 'at_risk'
                ELSE 'active' END
            WHEN f.since > %(nr_lost)s THEN 'lost'
            WHEN f.since > %(nr_at_risk)s THEN 'at_risk'
            ELSE 'active' END AS rhythm_status
    FROM facts f
)
SELECT j.client_id,
    j.revenue,
    j.revenue_rank,
    CASE WHEN j.revenue_total > 0 THEN {d.decimal("j.revenue_above * 100.0 / j.revenue_total")} END
        AS revenue_above_share,
    j.buys_a_lot,
    j.potential,
    j.covered AS covered_sales,
    CASE WHEN j.potential > 0 THEN {d.decimal("j.covered * 100.0 / j.potential")} END AS wallet_share,
    j.potential - j.covered AS headroom,
    j.can_buy_more,
    CASE WHEN j.potential IS NULL THEN ''
        WHEN j.buys_a_lot AND j.can_buy_more THEN 'A'
        WHEN j.buys_a_lot THEN 'B'
        WHEN j.can_buy_more THEN 'C'
        ELSE 'D' END AS category,
    CASE WHEN j.potential IS NULL THEN NULL ELSE j.potential_rank END AS potential_rank,
    CASE WHEN j.potential_total > 0 AND j.potential IS NOT NULL
        THEN {d.decimal("j.potential_above * 100.0 / j.potential_total")} END AS potential_above_share,
    CASE WHEN j.pot > 0 AND j.potential_above * 100 < %(gold)s * j.potential_total THEN 'gold'
        WHEN j.pot > 0 AND j.potential_above * 100 < %(gold_silver)s * j.potential_total THEN 'silver'
        ELSE 'bronze' END AS tier,
    j.continents, j.countries, j.regions, j.open_points,
    CASE WHEN j.open_points = 0 THEN ''
        WHEN j.open_points >= 2 AND NOT j.centralised THEN 'qualifying'
        WHEN j.continents >= 2 THEN 'premier'
        WHEN j.countries >= 2 THEN 'first'
        WHEN j.regions >= 2 THEN 'second'
        ELSE 'third' END AS league,
    j.expansion_points,
    CASE WHEN COALESCE(j.potential, j.revenue) >= %(largest_from)s THEN 'largest'
        WHEN COALESCE(j.potential, j.revenue) >= %(large_from)s THEN 'large'
        WHEN COALESCE(j.potential, j.revenue) >= %(medium_from)s THEN 'medium'
        ELSE 'small' END AS size_class,
    j.purchase_dates,
    j.usual_interval,
    j.last_purchase,
    CASE WHEN j.rhythm_status = 'active' AND o.lost_status = 'lost' THEN 'won_back'
        WHEN j.rhythm_status = 'active' AND o.lost_status = 'won_back' AND o.won_back_on > %(won_back_since)s
            THEN 'won_back'
        ELSE j.rhythm_status END AS lost_status,
    CASE WHEN j.rhythm_status = 'active' AND o.lost_status = 'lost' THEN %(today)s
        WHEN j.rhythm_status = 'active' AND o.lost_status = 'won_back' AND o.won_back_on > %(won_back_since)s
            THEN o.won_back_on
        END AS won_back_on
FROM judged j
LEFT JOIN segmentation_clientsegment o ON o.client_id = j.client_id
"""


def _change_sql(kind: str, d: Dialect) -> str:
    return f"""
INSERT INTO segmentation_segmentchange (run_id, client_id, kind, old, new)
SELECT %(run)s, st.client_id, '{kind}', COALESCE(s.{kind}, ''), st.{kind}
FROM seg_stage st LEFT JOIN segmentation_clientsegment s ON s.client_id = st.client_id
WHERE {d.distinct(f"COALESCE(s.{kind}, '')", f"st.{kind}")}
"""


def _notify_sql() -> str:
    """Tell the responsible manager of a real change (not a client's first segments)."""
    return """
INSERT INTO segmentation_notification (user_id, change_id, created_at)
SELECT c.responsible_manager_id, ch.id, %(now)s
FROM segmentation_segmentchange ch JOIN accounts_client c ON c.id = ch.client_id
WHERE ch.run_id = %(run)s AND c.responsible_manager_id IS NOT NULL AND ch.old <> '' AND (
    (ch.kind = 'lost_status' AND ch.new IN ('at_risk', 'lost'))
    OR ch.kind IN ('category', 'tier', 'league')
)
"""


def _update_sql(d: Dialect) -> str:
    assignments = ", ".join(f"{c} = st.{c}" for c in SEGMENT_COLUMNS)
    differs = " OR ".join(d.distinct(f"s.{c}", f"st.{c}") for c in SEGMENT_COLUMNS)
    return f"""
UPDATE segmentation_clientsegment AS s SET {assignments}
FROM seg_stage st WHERE st.client_id = s.client_id AND ({differs})
"""


def _insert_sql() -> str:
    columns = ", ".join(SEGMENT_COLUMNS)
    return f"""
INSERT INTO segmentation_clientsegment (client_id, {columns})
SELECT st.client_id, {", ".join(f"st.{c}" for c in SEGMENT_COLUMNS)} FROM seg_stage st
WHERE st.client_id NOT IN (SELECT client_id FROM segmentation_clientsegment)
"""
