"""The nightly recomputation of every client's segments, set-based in SQL.

The rules live one per module beside this one (`abcd`, `tiers`, `leagues`, `size_class`,
`rhythm`, with `wallet` for the share of wallet); each gives its part of one staging
statement. This module owns what they share. One run:
1. takes the lock (an advisory lock on PostgreSQL; SQLite's write lock elsewhere);
2. brings the kept facts to the day (`facts`: the sums per client and product group, the
   purchase rhythm, the wallet and the points' footprint, re-reading the sales, estimates and
   points of only the clients whose facts may have moved), draws the rules' lines over the whole
   base, and judges the new segments of the clients whose segments may move (`_judged_sql`; all
   of them on a first night or under another policy) in one statement over those facts, the
   planned points and our own locations, keeping in a temporary table only the clients whose
   segment row moved;
3. records a segment-change row for every category, tier, league, size class and
   purchase status that moved, and a notification for the responsible manager;
4. tells the directors of every key client that has become bronze (DOMAIN §4);
5. updates only the segment rows that differ and inserts those of new clients;
6. keeps on its row the base's totals and the figures the directors' pages draw
   (`segments.figures`), so that no page aggregates the whole base per request;
7. checks the key cap over the base as it is now, and tells the directors when it is
   newly overrun (the previous run's `key_cap` was within it);
8. keeps the radar's flags of the clients whose flags may have moved (`radar.services`: those
   whose rows the flags read were marked by triggers, the segments just written among them).

All of it is one transaction: a failure half-way leaves the previous segments.
"""

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Client
from segmentation.keys.selectors import key_cap
from segmentation.models import (
    ClientPurchases,
    ClientSegment,
    FactsDay,
    KeyStatus,
    NightlyRun,
    Notification,
    OwnLocation,
    Policy,
)
from segmentation.notifications.selectors import directors
from segmentation.notifications.services import notify
from segmentation.radar import services as radar
from segmentation.segments import abcd, facts, figures, leagues, rhythm, size_class, tiers, wallet
from segmentation.segments.sql import Dialect, Fragment
from segmentation.segments.totals import Totals
from segmentation.signals import run_finished

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 4_151_001
# What the run computes: not what the segment mirrors of its client (`_insert_sql`).
MIRRORED = ("client_name", "is_key")
SEGMENT_COLUMNS = [
    f.column for f in ClientSegment._meta.concrete_fields if not f.primary_key and f.name not in MIRRORED
]
TRACKED_KINDS = [abcd.KIND, tiers.KIND, leagues.KIND, size_class.KIND, rhythm.KIND]

JUDGED = "seg_judged"


def _sales_ctes(some: bool) -> str:
    """Common to every rule, as `facts` keeps them: each client judged (`some`: those in `JUDGED`;
    else every client) with its revenue, last purchase and purchase dates of 24 months (their
    number and the median gap)."""
    where = f"\n    WHERE c.id IN (SELECT client_id FROM {JUDGED})" if some else ""
    return f"""base AS (
    SELECT c.id AS client_id, c.purchasing_centralised AS centralised, COALESCE(p.revenue, 0) AS revenue,
        p.last_purchase, COALESCE(p.purchase_dates, 0) AS purchase_dates, p.usual_interval
    FROM accounts_client c LEFT JOIN {ClientPurchases._meta.db_table} p ON p.client_id = c.id{where}
)"""


class RunSkipped(Exception):
    """Another run holds the lock."""


def recompute(*, today: date | None = None, trigger: str = "") -> NightlyRun:
    """Run the recomputation for `today` and return its log row (see the module docstring)."""
    today = today or timezone.localdate()
    run = NightlyRun.objects.create(run_on=today, trigger=trigger[:120])
    try:
        with transaction.atomic():
            _lock()
            policy = Policy.current()
            counts = _recompute(run, today, policy)
            cap = _check_cap(run, policy)
            radar.refresh(today, policy)
            counts |= {"cap_overrun": 1} if cap.pop("new_overrun") else {}
    except RunSkipped:
        _finish(run, NightlyRun.Status.SKIPPED)
        logger.info("nightly run %s skipped: another run holds the lock", run.pk)
    except Exception as error:
        _finish(run, NightlyRun.Status.FAILED, error=repr(error))
        logger.exception("nightly run %s failed", run.pk)
        raise
    else:
        _finish(run, NightlyRun.Status.SUCCESS, counts=counts, cap=cap)
        logger.info("nightly run %s changed %s", run.pk, counts)
        _announce(run, today)
    return run


def _announce(run: NightlyRun, today: date) -> None:
    """Tell the apps above that the run's segments are in (see `segmentation.signals`); a receiver's
    failure is logged and leaves the run as it is."""
    for receiver, outcome in run_finished.send_robust(sender=NightlyRun, run=run, today=today):
        if isinstance(outcome, Exception):
            logger.error("after nightly run %s, %s failed: %r", run.pk, receiver, outcome, exc_info=outcome)


def _finish(
    run: NightlyRun,
    status: str,
    *,
    counts: dict[str, int] | None = None,
    cap: dict[str, Any] | None = None,
    error: str = "",
) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.error = error
    if counts is not None:
        run.clients = counts.pop("clients", 0)
        run.changes = counts
    run.key_cap = cap or {}
    kept = ["clients", "changes", "key_cap", "totals", "figures", "written"]
    run.save(update_fields=["status", "finished_at", "error", *kept])


def _lock() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the database's write lock.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RunSkipped


def lock_held() -> bool:
    """Whether a session holds the run lock now (PostgreSQL only: it reads pg_locks, taking nothing).

    A bigint advisory key shows in pg_locks split into classid (high half) and objid
    (low half), with objsubid 1.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s AND objid = %s AND objsubid = 1)",
            [ADVISORY_LOCK_KEY >> 32, ADVISORY_LOCK_KEY & 0xFFFFFFFF],
        )
        return bool(cursor.fetchone()[0])


def _recompute(run: NightlyRun, today: date, policy: Policy) -> dict[str, int]:
    dialect = Dialect(postgres=connection.vendor == "postgresql")
    params = {name: dialect.param(value) for name, value in _params(run, today, policy).items()}
    with connection.cursor() as cursor:
        for table in ("seg_stage", facts.REDO, facts.SHIFT, facts.DATES, facts.MOVED, JUDGED):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if dialect.postgres:
            # Sorts stay in memory, and the purchase dates stream in (client, date) index
            # order into the rhythm's window instead of being hashed and then sorted again.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL enable_hashagg = off")
            # The CTEs hide row counts, so the planner's costs balloon and JIT compilation
            # (seconds) would cost more than the whole statement.
            cursor.execute("SET LOCAL jit = off")
        redone = facts.refresh(cursor, dialect, params, today)
        if redone is None:
            logger.info("nightly run %s re-read the sales of all", run.pk)
        else:
            logger.info(
                "nightly run %s re-read the sales of %s, shifted the year of %s and the dates of %s",
                run.pk,
                *redone,
            )
        if dialect.postgres:
            cursor.execute("SET LOCAL enable_hashagg = on")
        lines, pareto = _lines(cursor, dialect, params)
        params |= lines
        judged_with = _judged_with(policy)
        some = (
            redone is not None
            and FactsDay.objects.values_list("judged_with", flat=True).first() == judged_with
        )
        judged: object = "every client"
        if some:
            cursor.execute(_judged_sql(), params)
            if dialect.postgres:
                cursor.execute(f"ANALYZE {JUDGED}")
            cursor.execute(f"SELECT COUNT(*) FROM {JUDGED}")
            judged = cursor.fetchone()[0]
        logger.info("nightly run %s judged %s", run.pk, judged)
        cursor.execute(_stage_sql(dialect, some=some), params)
        if dialect.postgres:
            # Temporary tables get no statistics otherwise; the statements after it join on the
            # client alone.
            cursor.execute("ANALYZE seg_stage (client_id, new_segment)")
        # All judged, some staged; the active ones are the key cap's base.
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) FROM {Client._meta.db_table}",
            [Client.Status.ACTIVE],
        )
        clients, active = cursor.fetchone()
        for kind in TRACKED_KINDS:
            cursor.execute(_change_sql(kind, dialect), params)
        cursor.execute(_notify_sql(), params)
        key_bronze = _notify_key_bronze(cursor, params["now"])
        cursor.execute(_update_sql(dialect))
        written = cursor.rowcount
        cursor.execute(_insert_sql())
        written += cursor.rowcount
        if dialect.postgres and written and written * 10 >= clients:
            # Lists filter on segments: plan them on today's rows, not on what autovacuum last saw.
            # A night that writes less than a tenth of the rows leaves it to autovacuum, whose
            # threshold that is.
            cursor.execute(f"ANALYZE {ClientSegment._meta.db_table}")
        for table in ("seg_stage", facts.MOVED, JUDGED):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        FactsDay.objects.filter(pk=1).update(judged_with=judged_with)
        cursor.execute(
            "SELECT kind, COUNT(*) FROM segmentation_segmentchange WHERE run_id = %(run)s GROUP BY kind",
            params,
        )
        counts = dict(cursor.fetchall())
        run.totals = _totals(cursor, active=int(active or 0))
        run.figures = figures.compute(cursor, run, today, pareto)
    run.written = written
    return {"clients": clients, **counts} | ({"key_bronze": key_bronze} if key_bronze else {})


def _totals(cursor: Any, *, active: int) -> dict[str, Any]:
    cursor.execute(f"SELECT COUNT(*), SUM(revenue), SUM(potential) FROM {ClientSegment._meta.db_table}")
    clients, revenue, potential = cursor.fetchone()
    cents = Decimal("0.01")  # SQLite sums as floating point
    return {
        "clients": clients,
        "active": active,
        "revenue": str(Decimal(str(revenue or 0)).quantize(cents)),
        "potential": str(Decimal(str(potential or 0)).quantize(cents)),
    }


def _params(run: NightlyRun, today: date, policy: Policy) -> dict[str, Any]:
    """The run's dates, and each rule's policy fields under their own names."""
    common = {
        "run": run.pk,
        "now": timezone.now(),
        "today": today,
        "year_ago": today - timedelta(days=365),
        "two_years_ago": today - timedelta(days=730),
    }
    rules = abcd.params(policy) | tiers.params(policy) | size_class.params(policy)
    return common | rules | rhythm.params(policy, today)


def _lines(cursor: Any, d: Dialect, params: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The rules' lines over the whole base (`abcd.lines_sql`, `tiers.lines_sql`), as parameters,
    and the Pareto curve of revenue drawn with them (its rows: bucket, last rank, revenue)."""
    cursor.execute(abcd.lines_sql(figures.PARETO_BUCKETS), params)
    curve = cursor.fetchall()
    lines: dict[str, Any] = {"revenue_line": d.param(abcd.revenue_line(curve))}
    cursor.execute(tiers.lines_sql(), params)
    names = [column[0] for column in cursor.description]
    lines |= {name: d.param(value) for name, value in zip(names, cursor.fetchone(), strict=True)}
    return lines, [row[:3] for row in curve]


def _judged_with(policy: Policy) -> dict[str, str]:
    """The policy's fields as the stored segments keep them, and the places our own active
    locations cover (a planned point there is no expansion): `FactsDay.judged_with`."""
    covered = OwnLocation.objects.active().values_list("country", "region")
    places = ";".join(sorted({f"{country}:{region}" for country, region in covered}))
    return policy.as_text() | {"own_locations": places}


def _judged_sql() -> str:
    """The clients whose segment row may move tonight, into `JUDGED`; every other client's row is
    what judging it again would give, as its stored row was judged from the same facts under the
    same policy and our own locations (`FactsDay.judged_with`; under others, every client is
    judged):
    - the clients whose facts moved (`facts.MOVED`: sales, estimates, points; a new client and
      one whose purchasing was (de)centralised are marked with the points, which the league reads
      with it);
    - those whose stored revenue or potential is now on the other side of a line, and those whose
      purchase status moves with the day (on the day the stage kept, `rhythm.moves_on_sql`; every
      win back, which ends);
    - every key client and every client flagged bronze while key (the key status and the tier
      overrides are read, not kept).
    One pass over the segments: nothing kept is relative to the other clients but through the
    rules' lines, and the ranks are counted on the card (`segments.selectors.ranks`)."""
    segment = ClientSegment._meta.db_table
    return f"""
CREATE TEMP TABLE {JUDGED} AS
SELECT client_id FROM {facts.MOVED}
UNION SELECT client_id FROM segmentation_keystatus
UNION SELECT s.client_id FROM {segment} s
WHERE s.lost_status = 'won_back' OR s.key_bronze OR s.status_moves_on <= %(today)s
    OR s.buys_a_lot <> {abcd.buys_a_lot_sql("s.revenue")}
    OR s.tier <> {tiers.tier_sql("s.potential")}
"""


def _stage_sql(d: Dialect, *, some: bool) -> str:
    """The new segments of every client judged (`some`: those in `JUDGED`, else all) whose segment
    row differs from the stored one (or is missing): the common facts, then each rule's part (see
    `Fragment`). Only the rows that moved are kept, so that the statements after it (the segment
    changes, the updates, the inserts) read a handful of rows on a quiet night."""
    parts = [
        abcd.fragment(d),
        tiers.fragment(),
        leagues.fragment(),
        size_class.fragment(),
        rhythm.fragment(d),
    ]
    ctes = ",\n".join(
        [_sales_ctes(some), wallet.ESTIMATES_CTE, *(cte for part in parts for cte in part.ctes)]
    )
    facts = _joined(parts, "facts", ",\n        ")
    joins = _joined(parts, "joins", "\n    ")
    judged = _joined(parts, "judged", ",\n        ")
    columns = _joined(parts, "columns", ",\n    ")
    return f"""
CREATE TEMP TABLE seg_stage AS
WITH {ctes},
facts AS (
    SELECT b.client_id, b.centralised, b.revenue, b.last_purchase, est.potential, est.covered,
        {facts}
    FROM base b
    LEFT JOIN est ON est.client_id = b.client_id
    {joins}
), judged AS (
    SELECT f.*,
        {judged}
    FROM facts f
), staged AS (
    SELECT j.client_id,
        {columns}
    FROM judged j
    LEFT JOIN segmentation_clientsegment o ON o.client_id = j.client_id
)
SELECT st.*, s.client_id IS NULL AS new_segment
FROM staged st
LEFT JOIN {ClientSegment._meta.db_table} s ON s.client_id = st.client_id
WHERE s.client_id IS NULL OR {_differs(d, "s", SEGMENT_COLUMNS)}
"""


def _joined(parts: list[Fragment], name: str, separator: str) -> str:
    return separator.join(getattr(part, name) for part in parts if getattr(part, name))


def _change_sql(kind: str, d: Dialect) -> str:
    return f"""
INSERT INTO segmentation_segmentchange (run_id, client_id, kind, old, new)
SELECT %(run)s, st.client_id, '{kind}', COALESCE(s.{kind}, ''), st.{kind}
FROM seg_stage st LEFT JOIN segmentation_clientsegment s ON s.client_id = st.client_id
WHERE {d.distinct(f"COALESCE(s.{kind}, '')", f"st.{kind}")}
"""


def _notify_sql() -> str:
    """Tell the responsible manager of a real change (not a client's first segments)."""
    return f"""
INSERT INTO segmentation_notification (user_id, kind, change_id, client_id, details, created_at)
SELECT c.responsible_manager_id, '{Notification.Kind.SEGMENT}', ch.id, ch.client_id, '{{}}', %(now)s
FROM segmentation_segmentchange ch JOIN accounts_client c ON c.id = ch.client_id
WHERE ch.run_id = %(run)s AND c.responsible_manager_id IS NOT NULL AND ch.old <> '' AND (
    (ch.kind = 'lost_status' AND ch.new IN ('at_risk', 'lost'))
    OR ch.kind IN ('category', 'tier', 'league')
)
"""


# Key clients bronze now (the staged flag) and not at the last run (the stored one).
NEWLY_KEY_BRONZE = "st.key_bronze AND NOT COALESCE(s.key_bronze, FALSE)"


def _notify_key_bronze(cursor: Any, now: Any) -> int:
    """Tell every director of each key client that has become bronze; returns how many became so.

    Before the segments are updated, the stored flag is still the last run's: a client already
    flagged then is not told again (see `tiers.fragment`).
    """
    stage = "FROM seg_stage st LEFT JOIN segmentation_clientsegment s ON s.client_id = st.client_id"
    cursor.execute(f"SELECT COUNT(*) {stage} WHERE {NEWLY_KEY_BRONZE}")
    count = int(cursor.fetchone()[0])
    if count:
        told = directors().annotate(director_id=F("pk")).values("director_id")
        users, user_params = told.query.sql_with_params()
        cursor.execute(
            f"""INSERT INTO segmentation_notification (user_id, kind, client_id, details, created_at)
SELECT d.director_id, '{Notification.Kind.KEY_BRONZE}', st.client_id, '{{}}', %s
{stage} CROSS JOIN ({users}) d WHERE {NEWLY_KEY_BRONZE}""",
            [now, *user_params],
        )
    return count


def _check_cap(run: NightlyRun, policy: Policy) -> dict[str, Any]:
    """The key cap over the base as it is after the run; the directors are told of an overrun
    that the last finished run did not have. Returns the cap's figures and `new_overrun`."""
    cap = key_cap(policy, totals=Totals.kept(run.pk, run.totals))  # the active clients as it ends
    last: dict[str, Any] = (
        NightlyRun.objects.filter(status=NightlyRun.Status.SUCCESS, started_at__lte=run.started_at)
        .exclude(pk=run.pk)
        .order_by("-started_at", "-pk")
        .values_list("key_cap", flat=True)
        .first()
    ) or {}
    was_over = bool(last) and int(last["count"]) > int(last["limit"])
    new_overrun = cap.over and not was_over
    if new_overrun:
        notify(directors(), Notification.Kind.CAP_OVERRUN, details=cap.as_details())
    return cap.as_details() | {"new_overrun": new_overrun}


def _update_sql(d: Dialect) -> str:
    """Update the segment rows that differ (all the staged ones but the new)."""
    assignments = ", ".join(f"{c} = st.{c}" for c in SEGMENT_COLUMNS)
    return f"""
UPDATE {ClientSegment._meta.db_table} AS s SET {assignments}
FROM seg_stage st WHERE st.client_id = s.client_id AND {_differs(d, "s", SEGMENT_COLUMNS)}
"""


def _differs(d: Dialect, stored: str, columns: list[str]) -> str:
    """Whether any of the staged row's `columns` differs from the `stored` row's."""
    return "(" + " OR ".join(d.distinct(f"{stored}.{c}", f"st.{c}") for c in columns) + ")"


def _insert_sql() -> str:
    """Insert the segment rows of the clients that had none when staged, with their names and
    key status (which triggers would otherwise read one row at a time, migrations 0037, 0038)."""
    columns = SEGMENT_COLUMNS
    return f"""
INSERT INTO {ClientSegment._meta.db_table} (client_id, client_name, is_key, {", ".join(columns)})
SELECT st.client_id, c.name, COALESCE(ks.is_key, FALSE), {", ".join(f"st.{c}" for c in columns)}
FROM seg_stage st JOIN {Client._meta.db_table} c ON c.id = st.client_id
LEFT JOIN {KeyStatus._meta.db_table} ks ON ks.client_id = st.client_id
WHERE st.new_segment
"""
