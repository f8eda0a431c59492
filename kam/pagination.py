"""Keyset pagination: pages stay fast at any depth because nothing is OFFSET-skipped,
and the total is counted only up to a cap."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, Model, Q, QuerySet
from django.http import QueryDict

COUNT_CAP = 1000


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str
    previous_cursor: str
    total: int
    total_capped: bool


def query_without(query: QueryDict, *names: str) -> str:
    """The query string without `names` (the cursors, say), for links that set them anew."""
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode()


def decode_cursor(cursor: str, *, expect: type = str) -> tuple[Any, int] | None:
    """The (value, pk) of a cursor, or None when it is not a cursor for this sort."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(value, dict):
            value = datetime.fromisoformat(str(value["dt"]))
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(pk, int) or not isinstance(value, expect):
        return None
    if isinstance(value, str) and "\x00" in value:
        return None
    return value, pk


def keyset_page(
    queryset: QuerySet[Any],
    *,
    field: str,
    descending: bool,
    after: str = "",
    before: str = "",
    size: int = 50,
) -> Page:
    """One page of `queryset` ordered by (`field`, pk), after or before a cursor."""
    total = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    expect = datetime if isinstance(queryset.model._meta.get_field(field), DateTimeField) else str
    backwards = bool(before) and decode_cursor(before, expect=expect) is not None
    cursor = decode_cursor(before if backwards else after, expect=expect) if (before or after) else None
    forward_desc = descending != backwards
    rows = queryset
    if cursor is not None:
        value, pk = cursor
        op = "lt" if forward_desc else "gt"
        rows = rows.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))
    prefix = "-" if forward_desc else ""
    found = list(rows.order_by(f"{prefix}{field}", f"{prefix}pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    return Page(
        rows=found,
        next_cursor=_cursor(found[-1], field) if found and (more or backwards) else "",
        previous_cursor=_cursor(found[0], field)
        if found and (cursor is not None and (more or not backwards))
        else "",
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
    )


def _cursor(row: Model, field: str) -> str:
    return encode_cursor(getattr(row, field), row.pk)
