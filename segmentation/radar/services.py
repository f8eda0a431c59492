"""Keeping the radar's flags (`ClientFlags`) as the nightly run finds them, set-based.

One statement evaluates every flag's condition (`flags.FLAGS`) and the worst-first score over
all clients and upserts the rows whose values changed: a second run on the same data writes
nothing. Inactive clients carry no flags, so their row is all false.
"""

from datetime import date

from django.db import connection

from accounts.models import Client
from segmentation.models import ClientFlags, Policy, RadarTally
from segmentation.radar.flags import FLAGS
from segmentation.radar.selectors import count_by_manager, flag_field, scored

COLUMNS = [flag.name for flag in FLAGS] + ["tier", "abroad", "score"]


def refresh(today: date, policy: Policy) -> int:
    """Upsert every client's flags and retally them per responsible manager; returns how many
    client rows were written (inserted or changed)."""
    annotated = scored(Client.objects.all(), today, policy)
    values = annotated.values_list(
        "pk", *[flag_field(flag) for flag in FLAGS], "tier_or_bronze", "is_abroad", "score"
    )
    select, params = values.query.sql_with_params()
    table = connection.ops.quote_name(ClientFlags._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ["client_id", *COLUMNS])
    changed = " OR ".join(
        f"{table}.{connection.ops.quote_name(c)} <> excluded.{connection.ops.quote_name(c)}" for c in COLUMNS
    )
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = excluded.{connection.ops.quote_name(c)}" for c in COLUMNS
    )
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT * FROM ({select}) AS flagged WHERE true "
        f"ON CONFLICT (client_id) DO UPDATE SET {updates} WHERE {changed}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    _retally()
    return written


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
