"""Keeping the radar's flags (`ClientFlags`) as the nightly run finds them, set-based.

One statement evaluates every flag's condition (`flags.FLAGS`) once over all clients, with the
worst-first score over those columns, and keeps in a temporary table only the rows whose values
changed (and those of new clients); then those are updated (or inserted): a second run on the
same data writes nothing, not even a row lock. Inactive clients carry no flags, so their row is all false.
"""

from datetime import date

from django.db import connection

from accounts.models import Client
from segmentation.models import ClientFlags, Policy, RadarTally
from segmentation.radar.flags import FLAGS
from segmentation.radar.selectors import count_by_manager, flag_field, flagged_clients, score_sql

COLUMNS = [flag.name for flag in FLAGS] + ["tier", "abroad", "score"]
STAGE = "radar_stage"


def refresh(today: date, policy: Policy) -> int:
    """Write every client's flags that changed (and those of new clients) and retally them per
    responsible manager; returns how many client rows were written (inserted or changed)."""
    flagged = flagged_clients(Client.objects.order_by(), today, policy)
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
    _retally()
    return written


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
