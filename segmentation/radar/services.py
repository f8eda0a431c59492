"""Keeping the radar's flags (`ClientFlags`) as the nightly run finds them, set-based.

One statement evaluates every flag's condition (`flags.FLAGS`) once over the clients judged,
with the worst-first score over those columns, and keeps in a temporary table only the rows
whose values changed (and those of new clients); then those are updated (or inserted): a second
run on the same data writes nothing, not even a row lock. Inactive clients carry no flags, so
their row is all false.

A night judges only the clients whose flags may have moved since the day they are for
(`FlagsDay`); every other client's flags are what judging them again would give:
- the clients marked in `FlagsTouched` by the triggers on what the flags read of each client
  (its touches, contacts, points, estimates, key status, tier override, status, responsible
  manager, and its segment's tier, purchase status, league and expansion points);
- those with a touch or an estimate leaving the policy's window with the day ("no touch
  lately", "potential stale");
- the clients of the managers whose load went over capacity or came back under it.
A first night, a day before the flags' day, another policy, country or last closed review (the
flags read them for every client) judge every client.
"""

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL

from accounts.models import Client, Touch
from segmentation.models import (
    ClientFlags,
    FlagsDay,
    FlagsTouched,
    Policy,
    PotentialEstimate,
    RadarTally,
    Review,
)
from segmentation.potential.selectors import stale_before
from segmentation.radar.flags import FLAGS, no_touch_since
from segmentation.radar.selectors import count_by_manager, flag_field, flagged_clients, score_sql
from segmentation.segments import facts
from segmentation.segments.sql import Dialect
from segmentation.workload.selectors import overloaded_managers

logger = logging.getLogger(__name__)

COLUMNS = [flag.name for flag in FLAGS] + ["tier", "abroad", "score"]
STAGE = "radar_stage"
JUDGED = "radar_judged"
OVER = "over_capacity"  # the key of `FlagsDay.judged_with` that names the managers over capacity


def refresh(today: date, policy: Policy) -> int:
    """Write the flags that changed (and those of new clients) of the clients judged (see the
    module docstring) and retally them per responsible manager; returns how many client rows
    were written (inserted or changed)."""
    judged_with = _judged_with(policy)
    with connection.cursor() as cursor:
        judged = _judge(cursor, today, policy, judged_with)
    clients = Client.objects.order_by()
    if judged is not None:
        clients = clients.filter(pk__in=RawSQL(f"SELECT client_id FROM {JUDGED}", ()))
    flagged = flagged_clients(clients, today, policy)
    values = flagged.values_list("pk", *[flag_field(flag) for flag in FLAGS], "tier_or_bronze", "is_abroad")
    select, params = values.query.sql_with_params()
    score = score_sql(flag_field, "tier_or_bronze", "is_abroad")
    staged = [*(flag_field(flag) for flag in FLAGS), "tier_or_bronze", "is_abroad", "score"]
    table = ClientFlags._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(_stage_sql(table, select, score, staged), params)
        cursor.execute(_update_sql(table, staged))
        written = cursor.rowcount
        columns, chosen = ", ".join(COLUMNS), ", ".join(staged)
        cursor.execute(
            f"INSERT INTO {table} (client_id, {columns}) SELECT pk, {chosen} FROM {STAGE} WHERE new_row"
        )
        written += cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(f"DROP TABLE IF EXISTS {JUDGED}")
    FlagsDay.objects.update_or_create(pk=1, defaults={"day": today, "judged_with": judged_with})
    if judged != 0:  # a client's flags, status and responsible manager are what the tallies count
        _retally()
    return written


def _judged_with(policy: Policy) -> dict[str, Any]:
    """What every client's flags are judged by, besides its own rows (`FlagsDay.judged_with`)."""
    last_review = Review.objects.filter(closed_at__isnull=False).order_by("-closed_at", "-id")
    opened = last_review.values_list("opened_at", flat=True).first()
    return {
        "policy": policy.as_text(),
        "country": settings.KAM_COUNTRY,
        "last_review_opened": opened.isoformat() if opened else "",
        OVER: overloaded_managers(policy),
    }


def _judge(cursor: Any, today: date, policy: Policy, judged_with: dict[str, Any]) -> int | None:
    """The clients whose flags may have moved since their day, into `JUDGED`, and how many;
    None when every client is to be judged. The marks are taken either way (deleted first, so
    that a row written meanwhile marks its client again for the next night)."""
    d = Dialect(postgres=connection.vendor == "postgresql")
    cursor.execute(f"DROP TABLE IF EXISTS {JUDGED}")
    cursor.execute(f"CREATE TEMP TABLE {JUDGED} (client_id BIGINT PRIMARY KEY)")
    facts.take(cursor, d, FlagsTouched._meta.db_table, JUDGED)
    kept = FlagsDay.objects.first()
    if kept is None or kept.day > today or _for_everyone(kept.judged_with) != _for_everyone(judged_with):
        logger.info("the radar judges every client")
        return None
    moved = sorted(set(kept.judged_with.get(OVER, [])) ^ set(judged_with[OVER]))
    if moved:
        managers = ", ".join(["%s"] * len(moved))
        _judge_also(cursor, Client._meta.db_table, "id", f"responsible_manager_id IN ({managers})", moved)
    if kept.day < today:
        was, now = _windows_start(kept.day, policy), _windows_start(today, policy)
        for (table, column), start, end in zip(_WINDOWS, was, now, strict=True):
            _judge_also(cursor, table, "client_id", f"{column} >= %s AND {column} < %s", [start, end])
    if d.postgres:
        cursor.execute(f"ANALYZE {JUDGED}")
    cursor.execute(f"SELECT COUNT(*) FROM {JUDGED}")
    judged = int(cursor.fetchone()[0])
    logger.info("the radar judges %s clients", judged)
    return judged


def _for_everyone(judged_with: dict[str, Any]) -> dict[str, Any]:
    """What judges every client again when it moves: all but the managers over capacity."""
    return {key: value for key, value in judged_with.items() if key != OVER}


# The rows that keep a flag off while their date is in the policy's window: a client's touches
# ("no touch lately") and its potential estimates ("potential not estimated or stale").
_WINDOWS = [(Touch._meta.db_table, "date"), (PotentialEstimate._meta.db_table, "estimated_on")]


def _windows_start(day: date, policy: Policy) -> list[date]:
    """The first date inside each of `_WINDOWS` on `day`."""
    return [no_touch_since(day, policy), stale_before(day, policy)]


def _judge_also(cursor: Any, table: str, client: str, condition: str, params: list[Any]) -> None:
    cursor.execute(
        f"INSERT INTO {JUDGED} (client_id) SELECT DISTINCT {client} FROM {table} WHERE {condition}"
        f" EXCEPT SELECT client_id FROM {JUDGED}",
        params,
    )


def _stage_sql(table: str, select: str, score: str, staged: list[str]) -> str:
    """Every client's flags evaluated, and only the rows that differ from the stored ones (or
    have none yet) kept: most clients' flags do not move from one night to the next.

    The flags are evaluated once into a materialised table first: inlined, each flag's condition
    (a correlated subquery, some) would run again for the score and for the comparison."""
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    return f"""CREATE TEMP TABLE {STAGE} AS
WITH evaluated AS {materialized}({select})
SELECT st.*, t.client_id IS NULL AS new_row
FROM (SELECT f.*, {score} AS score FROM evaluated f) st LEFT JOIN {table} t ON t.client_id = st.pk
WHERE t.client_id IS NULL OR {_differs("t", staged)}"""


def _update_sql(table: str, staged: list[str]) -> str:
    """Update the flag rows whose staged values differ, and only those."""
    pairs = list(zip(COLUMNS, staged, strict=True))
    assignments = ", ".join(f"{column} = st.{value}" for column, value in pairs)
    return (
        f"UPDATE {table} SET {assignments} FROM {STAGE} st"
        f" WHERE st.pk = {table}.client_id AND {_differs(table, staged)}"
    )


def _differs(stored: str, staged: list[str]) -> str:
    """Whether any staged value differs from the `stored` row's."""
    pairs = zip(COLUMNS, staged, strict=True)
    return "(" + " OR ".join(f"{stored}.{column} <> st.{value}" for column, value in pairs) + ")"


def _retally() -> None:
    """The per-manager counts of the flags just written, in one GROUP BY; rows that did not
    change are left alone."""
    fresh = {
        row.manager_id: (row.clients, {cell.flag.name: cell.count for cell in row.cells})
        for row in count_by_manager()
    }
    kept = {tally.manager_id: tally for tally in RadarTally.objects.all()}
    RadarTally.objects.filter(pk__in=[t.pk for m, t in kept.items() if m not in fresh]).delete()
    for manager_id, (clients, counts) in fresh.items():
        tally = kept.get(manager_id)
        if tally is None:
            RadarTally.objects.create(manager_id=manager_id, clients=clients, counts=counts)
        elif (tally.clients, tally.counts) != (clients, counts):
            tally.clients, tally.counts = clients, counts
            tally.save(update_fields=["clients", "counts"])
