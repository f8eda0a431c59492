"""History rows and deletions for set-based writes.

django-simple-history records `save()` and `delete()`, one row at a time; a bulk change made
with `QuerySet.update()` or `INSERT ... SELECT` writes its own history rows, and here it does so
in one `INSERT ... SELECT` that copies the changed rows as they are now, whatever their number.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model, QuerySet

HISTORY_TYPES = {"+", "~", "-"}


def insert_history(
    model: type[Model],
    *,
    pks: QuerySet[Any],
    kind: str,
    user_id: int | None,
    at: datetime,
    reason: str | None = None,
) -> int:
    """Copy the rows of `model` whose pk `pks` (a one-column values queryset) holds into the
    model's history table: one entry each of `kind` ("+" created, "~" changed, "-" deleted,
    written before the delete), by `user_id` at `at`, with the `reason` the user gave (the
    card's history shows it). Returns how many rows were copied."""
    if kind not in HISTORY_TYPES:
        raise ValueError(kind)
    history: Any = model.history.model  # type: ignore[attr-defined]
    own = {f.attname: f.column for f in model._meta.concrete_fields}
    stamps = {
        "history_date": connection.ops.adapt_datetimefield_value(at),
        "history_type": kind,
        "history_user_id": user_id,
        "history_change_reason": reason,
    }
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname in own:
            values.append(quote(own[field.attname]))
        elif field.attname in stamps:
            values.append("%s")
            params.append(stamps[field.attname])
        else:
            raise ImproperlyConfigured(f"{history.__name__}.{field.name} has no value in a bulk history row")
    where, where_params = _pks_in(model, pks)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {quote(model._meta.db_table)} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        return cursor.rowcount


def delete_rows(model: type[Model], *, pks: QuerySet[Any]) -> int:
    """Delete the rows of `model` whose pk `pks` holds in one statement, without the per-row
    signals of `QuerySet.delete()` (the caller wrote their history with `insert_history`).
    The model must have nothing that cascades from it."""
    where, params = _pks_in(model, pks)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where}", params)
        return cursor.rowcount


def _pks_in(model: type[Model], pks: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = pks.order_by().query.sql_with_params()
    return f"{connection.ops.quote_name(model._meta.pk.column)} IN ({sql})", params
