"""Keyset pagination: pages stay fast at any depth because nothing is OFFSET-skipped,
and the total is counted only up to a cap.

Every list pages through `keyset_page`, ordered by a few fields or annotations whose last one
is unique (the pk), and hands out opaque cursors made by one codec (`encode_cursor`).
"""

import base64
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKey,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.http import QueryDict

from kam.joins import keys_from_joined, pks_from_joined
from kam.prepared import Ids

COUNT_CAP = 1000
# Where a page's rows are read from by their pks: a queryset, or a function of the pks.
Reader = QuerySet[Any] | Callable[[list[Any]], Iterable[Any]]
Parts = QuerySet[Any] | Sequence[QuerySet[Any]]
_DECIMAL_DIGITS = 100  # either side of the point: far beyond any column, well within PostgreSQL's


def _decimal(text: str) -> Decimal:
    """A cursor's Decimal if finite and of a size PostgreSQL takes: it fails the whole query on a
    numeric past its range, where SQLite merely compares."""
    value = Decimal(text)
    exponent = value.as_tuple().exponent  # a letter when not finite
    if not (
        isinstance(exponent, int) and exponent >= -_DECIMAL_DIGITS and value.adjusted() < _DECIMAL_DIGITS
    ):
        raise ValueError(text)
    return value


def _datetime(text: str) -> datetime:
    """A cursor's datetime if every database takes it: a day inside the calendar's ends, so that
    no time zone shifts it past them, and an offset under 16 hours (PostgreSQL's limit)."""
    value = datetime.fromisoformat(text)
    offset = value.utcoffset() or timedelta(0)
    if not (datetime.min.year < value.year < datetime.max.year and abs(offset) < timedelta(hours=16)):
        raise ValueError(text)
    return value


# How a cursor writes the values JSON has no type for: a tag, and how to read its string back.
# datetime comes before date, which it extends.
_TAGGED: dict[type, tuple[str, Callable[[str], Any]]] = {
    datetime: ("dt", _datetime),
    date: ("date", date.fromisoformat),
    Decimal: ("dec", _decimal),
}


@dataclass
class Page:
    """One page of a list. A cursor is empty where there is no page to go to (the pager template
    shows no link then); `total` is 0 for lists that asked for no count."""

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


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque, URL-safe cursor for a row's sort values (int, str, Decimal, datetime, date)."""
    return base64.urlsafe_b64encode(json.dumps([_tagged(v) for v in values]).encode()).decode()


def decode_cursor(cursor: str, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The values of a cursor, each of the type given for its position, or None when the cursor
    is malformed or made for another sort: it comes from the query string, so anything goes."""
    try:
        raw = json.loads(base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True))
    except (ValueError, RecursionError):  # binascii.Error and UnicodeError are ValueErrors
        return None
    if not isinstance(raw, list) or len(raw) != len(types):
        return None
    values = [_untagged(value, expected) for value, expected in zip(raw, types, strict=True)]
    return None if any(v is None for v in values) else tuple(values)


def _tagged(value: Any) -> Any:
    for kind, (tag, _parse) in _TAGGED.items():
        if isinstance(value, kind):
            return {tag: value.isoformat() if isinstance(value, date) else str(value)}
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise TypeError(f"A cursor holds int, str, Decimal, datetime or date, not {value!r}")


def _untagged(value: Any, expected: type) -> Any:
    """`value` as `expected`, or None when it is not one (a bool is no int, a NUL ends no name)."""
    if expected is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if expected is str:
        return value if isinstance(value, str) and _storable(value) else None
    tag, parse = _TAGGED[expected]
    if not (isinstance(value, dict) and value.keys() == {tag} and isinstance(value[tag], str)):
        return None
    try:
        return parse(value[tag])
    except (ValueError, ArithmeticError):  # Decimal's InvalidOperation is an ArithmeticError
        return None


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL in text, and no database takes a lone surrogate."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def keyset_page(
    querysets: Parts | Callable[[], Parts],
    *,
    order: Sequence[str],
    after: str = "",
    before: str = "",
    size: int = 50,
    count: bool = True,
    chained: bool = False,
    narrow: bool = True,
    read: Reader | None = None,
    first: Callable[[], Iterable[Any]] | None = None,
    among: QuerySet[Any] | None = None,
    counts: Sequence[Callable[[], list[Any]]] | None = None,
) -> Page:
    """One page of rows in `order`, after or before a cursor (a malformed one: the first page).

    `order` names fields or annotations, "-" for descending, the last one unique (the pk); all
    must be NOT NULL (Coalesce the annotations), since a NULL neither compares nor orders alike
    on every database. Several disjoint querysets of one model are merged: each reads at most
    `size + 1` rows, so a union that no index serves costs a few cheap queries instead (see
    `_merged` for who orders the merge). `count=False` skips the count (total 0).

    The count reads the matching pks, up to `COUNT_CAP + 1`: when no more match, the page is
    read among those pks (a filter that matches a few rows costs what a few rows cost; when
    they are more than a page, its keys first and then its rows by pk), a queryset found empty
    is not read again, and when none matches, no page is read.

    `chained`: the querysets come in the order's sequence, every row of one before every row of
    the next; a later one is read (and counted) only when the earlier ones fall short.

    `narrow=False` keeps the page's query as it is after counting: for a filter an index serves
    in the page's order (a user's notifications), walking it to the page beats sorting every
    counted row.

    `read`: the querysets then yield only their ordering keys, as one lean query (no column or
    join the rows need beyond their order), and the page's rows are read from `read` by pk, in
    one query: a queryset, or a function of the pks (a prepared query, `kam.prepared`). The rows
    carry what the order names, as the querysets' do.

    `among`: the rows of the querysets before their filters, with what `order` names (the same
    annotations): where the page's keys are read among the counted pks, they are read from it,
    not from the querysets, whose filters the database would otherwise evaluate again (a join, a
    scan of a filter's index) for rows the count found matching. Only where the rows are read by
    pk afterwards (`read`, or the keys read first among more counted rows than a page), since it
    carries no column the rows show; a row changed between the count and the page's read shows
    as it is then, as a row read by pk does anyway.

    `first`: the first page as `first_page` reads it for the same querysets, order, size and
    `read`, from a query the caller keeps prepared (`kam.prepared`): a page without a cursor runs
    it instead of compiling its own query anew (the same SQL, compiled once per process and
    planned once per connection). That is the rows of one queryset read as it is, or the keys
    where the database merges them (PostgreSQL, with `read` or an order by text); elsewhere,
    and on the other pages, the querysets are read as they are. With a count, it is run only
    where the count narrowed no queryset to its pks (each one was past the cap, or not counted).

    `counts`: each queryset's count as the pager reads it (`count_query`), from queries the
    caller keeps prepared: with `first`, a list that opens on a prepared page compiles nothing.

    `querysets` may be a function that makes them: a first page the database merges from
    `first` and reads from `read` (PostgreSQL, uncounted) then makes none, since building a
    list's parts costs a page that runs two prepared queries a good share of its time; nor does
    one whose `counts` narrowed no part and whose keys come from `first` (the order's types then
    read from `among`). The database is the default one: the only one this project has.
    """
    keys = [(name.removeprefix("-"), name.startswith("-")) for name in order]
    if callable(querysets):
        opening = read is not None and not (count or after or before)
        if first is not None and opening and _merges(DEFAULT_DB_ALIAS):
            found = _by_keys(list(first()), keys, read, [])
            return _page(found[:size], keys, more=len(found) > size)
    parts = _made(querysets)
    types = [_python_type(among if among is not None else parts()[0], name) for name, _ in keys]
    cursor = decode_cursor(before, types)
    backwards = cursor is not None
    if not backwards:
        cursor = decode_cursor(after, types)
    keys_now = [(name, descending != backwards) for name, descending in keys]
    total = 0
    if count:
        names = [name for name, _ in keys]
        counted: list[list[Any] | None]
        if read is not None and counts is None and not chained and _keys_from(parts(), parts()[0], names):
            # Its keys are read down the joined table's index, not among its pks: only counted.
            counted, total = [None], count_query(parts()[0]).count()
        else:
            counted, total = _counted(parts, counts)
        if narrow and read is None and not chained and len(parts()) == 1 and size < total <= COUNT_CAP:
            # More counted rows than a page: the page's keys among them first (no join that only
            # the rows need), then its rows by pk, instead of every counted row joined and sorted.
            read = parts()[0]
        if narrow and any(pks is not None and len(pks) <= COUNT_CAP for pks in counted):
            keys_from = among if read is not None and not chained else None
            narrowed = _narrowed(parts(), counted, keys_from, names)
            if [id(one) for one in narrowed] != [id(one) for one in parts()]:
                first = None  # a queryset narrowed to its pks, or left out: not `first`'s
            parts = _made(narrowed)
    if count and not total:
        found = []  # nothing matches: walking the order to find so would read every row
    elif chained:
        found = _chained(parts()[::-1] if backwards else parts(), keys_now, cursor, size + 1)
    else:
        found = _merged(parts, keys_now, types, cursor, size + 1, read, None if cursor else first)
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    return _page(found, keys, more=more, cursor=cursor, backwards=backwards, total=total)


def _made(querysets: Parts | Callable[[], Parts]) -> Callable[[], list[QuerySet[Any]]]:
    """The querysets as a list, made (when a function makes them) the first time they are asked
    for."""
    made: list[list[QuerySet[Any]]] = []

    def parts() -> list[QuerySet[Any]]:
        if not made:
            found = querysets() if callable(querysets) else querysets
            made.append([found] if isinstance(found, QuerySet) else list(found))
        return made[0]

    return parts


def _page(
    found: list[Any],
    keys: list[tuple[str, bool]],
    *,
    more: bool,
    cursor: tuple[Any, ...] | None = None,
    backwards: bool = False,
    total: int = 0,
) -> Page:
    return Page(
        rows=found,
        next_cursor=_cursor(found[-1], keys) if found and (more or backwards) else "",
        previous_cursor=_cursor(found[0], keys)
        if found and cursor is not None and (more or not backwards)
        else "",
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
    )


def count_query(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The query that counts a queryset's rows for a page: its pks, up to one past the cap; read
    from the one table its conditions are on where the model's own only joins it
    (`kam.joins.pks_from_joined`)."""
    queryset = queryset.order_by()
    pks = pks_from_joined(queryset)
    return (pks if pks is not None else queryset.values_list("pk", flat=True))[: COUNT_CAP + 1]


def _counted(
    parts: Callable[[], list[QuerySet[Any]]], counts: Sequence[Callable[[], list[Any]]] | None = None
) -> tuple[list[list[Any] | None], int]:
    """The matching pks of each queryset (`count_query`, or its prepared `counts`, which leave
    the querysets unmade), up to the cap in all, and the total: once past the cap, the querysets
    left are not counted (None)."""
    counted: list[list[Any] | None] = []
    total = 0
    for n in range(len(counts) if counts is not None else len(parts())):
        if total > COUNT_CAP:
            counted.append(None)
            continue
        pks = list(counts[n]() if counts is not None else count_query(parts()[n]))
        total += len(pks)
        counted.append(pks)
    return counted, total


def _narrowed(
    querysets: list[QuerySet[Any]],
    counted: list[list[Any] | None],
    among: QuerySet[Any] | None,
    names: list[str],
) -> list[QuerySet[Any]]:
    """The querysets that match: those with few matches narrowed to their pks (the database then
    sorts those few rather than walk an index in the page's order past every row that does not
    match; one parameter, however many: `Ids`), taken from `among` when given; those not counted
    or past the cap as they are, and so a lone one whose keys in the order the table it joins
    holds (`_keys_from`: read down that table's index, however few match); the empty ones left
    out (the first kept when all are)."""
    narrowed = []
    for queryset, pks in zip(querysets, counted, strict=True):
        if pks is None or len(pks) > COUNT_CAP or (pks and _keys_from(querysets, queryset, names)):
            narrowed.append(queryset)
        elif pks:
            narrowed.append((queryset if among is None else among).filter(pk__any=Ids(pks)))
    return narrowed or querysets[:1]


def _chained(
    querysets: list[QuerySet[Any]], keys: list[tuple[str, bool]], cursor: tuple[Any, ...] | None, limit: int
) -> list[Any]:
    found: list[Any] = []
    for queryset in querysets:
        found += _read(queryset, keys, cursor, limit - len(found))
        if len(found) >= limit:
            break
    return found


def _read(
    queryset: QuerySet[Any], keys: list[tuple[str, bool]], cursor: tuple[Any, ...] | None, limit: int
) -> list[Any]:
    """Up to `limit` rows in `keys` order beyond the cursor."""
    return list(_beyond(queryset, keys, cursor).order_by(*_ordering(keys))[:limit])


def _ordering(keys: list[tuple[str, bool]]) -> list[str]:
    return [f"-{name}" if descending else name for name, descending in keys]


def _beyond(
    queryset: QuerySet[Any], keys: list[tuple[str, bool]], cursor: tuple[Any, ...] | None
) -> QuerySet[Any]:
    """The rows beyond the cursor: (f1, f2, ...) after (v1, v2, ...) lexicographically, each
    field's "after" being `lt` when it descends and `gt` when it ascends."""
    if cursor is not None:
        terms: list[Q] = []
        equal: dict[str, Any] = {}
        for (name, descending), value in zip(keys, cursor, strict=True):
            terms.append(Q(**equal, **{f"{name}__{'lt' if descending else 'gt'}": value}))
            equal[name] = value
        # Every term bounds the first key alike; said alone, the bound lets an index on it
        # start at the cursor instead of walking from the first row.
        first, descending = keys[0]
        bound = Q(**{f"{first}__{'lte' if descending else 'gte'}": cursor[0]})
        queryset = queryset.filter(bound, reduce(operator.or_, terms))
    return queryset


def _merged(
    parts: Callable[[], list[QuerySet[Any]]],
    keys: list[tuple[str, bool]],
    types: list[type],
    cursor: tuple[Any, ...] | None,
    limit: int,
    read: Reader | None = None,
    first: Callable[[], Iterable[Any]] | None = None,
) -> list[Any]:
    """The first `limit` rows of every queryset of `parts()` together, in `keys` order (`first`:
    the rows of one queryset or the merged keys, read by the caller's prepared query, when there
    is no cursor; the querysets are then made only where the rows are read from them).

    Numbers and dates compare in Python as in the database, and so does text on SQLite (by code
    point): each queryset's rows are read and sorted together. Text on PostgreSQL compares by
    the database's collation, which Python does not know: the database merges the querysets'
    keys (a UNION ALL of each one's first rows, ordered and cut), and the page's rows are then
    read from the querysets that hold them (or from `read`, which the database merges for too).
    """
    if read is None and len(parts()) == 1:
        return list(first()) if first is not None else _read(parts()[0], keys, cursor, limit)
    by_database = str in types or read is not None
    if not by_database or not _merges(DEFAULT_DB_ALIAS):
        querysets = parts()
        # Stable sorts, the least significant key first.
        if read is None:
            rows = [row for queryset in querysets for row in _read(queryset, keys, cursor, limit)]
            for name, descending in reversed(keys):
                rows.sort(key=operator.attrgetter(name), reverse=descending)
            return rows[:limit]
        page = [values for head in _heads(querysets, keys, cursor, limit) for values in head]
        for index, (_name, descending) in reversed(list(enumerate(keys))):
            page.sort(key=operator.itemgetter(index), reverse=descending)
        page = page[:limit]
    else:
        page = list(first() if first is not None else _union_of_heads(parts(), keys, cursor, limit))
    return _by_keys(page, keys, read, parts() if read is None else [])


def _merges(using: str) -> bool:
    """Whether the database merges the parts' keys (`_union_of_heads`): SQLite takes no ORDER BY
    or LIMIT in a part of a UNION."""
    return bool(connections[using].features.supports_slicing_ordering_in_compound)


def _by_keys(
    page: list[Any], keys: list[tuple[str, bool]], read: Reader | None, querysets: list[QuerySet[Any]]
) -> list[Any]:
    """The rows of a page of keys (each ending with its part's place where there is no `read`),
    read by pk from `read` or from their parts."""
    pk = len(keys) - 1  # the last key is the pk
    if read is not None:
        ids = [values[pk] for values in page]
        found = read.filter(pk__any=Ids(ids)) if isinstance(read, QuerySet) else read(ids) if ids else []
        by_pk = {row.pk: row for row in found}
    else:
        wanted: dict[int, list[Any]] = {}
        for values in page:
            wanted.setdefault(values[-1], []).append(values[pk])
        by_pk = {
            row.pk: row for part, pks in wanted.items() for row in querysets[part].filter(pk__any=Ids(pks))
        }
    # A row deleted between the two reads is left out, not an error.
    return [by_pk[values[pk]] for values in page if values[pk] in by_pk]


def first_page(
    querysets: QuerySet[Any] | Sequence[QuerySet[Any]],
    *,
    order: Sequence[str],
    size: int = 50,
    read: bool = False,
) -> QuerySet[Any]:
    """The query `keyset_page` runs for the first page of these querysets in `order` (`read`:
    when it reads the rows from `read`), for a caller to keep prepared and hand back as `first`:
    the rows of one queryset read as it is, ordered and cut; else the keys of each one's first
    rows and its place, in one UNION ALL ordered and cut (where the database merges them)."""
    querysets = [querysets] if isinstance(querysets, QuerySet) else list(querysets)
    keys = [(name.removeprefix("-"), name.startswith("-")) for name in order]
    if len(querysets) == 1 and not read:
        return _beyond(querysets[0], keys, None).order_by(*_ordering(keys))[: size + 1]
    return _union_of_heads(querysets, keys, None, size + 1)


def _union_of_heads(
    querysets: list[QuerySet[Any]], keys: list[tuple[str, bool]], cursor: tuple[Any, ...] | None, limit: int
) -> QuerySet[Any]:
    heads = _heads(querysets, keys, cursor, limit)
    # A part known to be empty (`.none()`) is left out: Django's union of an empty queryset is
    # the other one, already cut, which cannot be ordered again.
    head, *others = [head for head in heads if not head.query.is_empty()] or heads[:1]
    return head.union(*others, all=True).order_by(*_ordering(keys))[:limit] if others else head


def _heads(
    querysets: list[QuerySet[Any]], keys: list[tuple[str, bool]], cursor: tuple[Any, ...] | None, limit: int
) -> list[QuerySet[Any]]:
    """Each queryset's first `limit` keys beyond the cursor, with the queryset's place: a lone
    one's read from the table it joins where that holds them (`_keys_from`)."""
    heads = []
    for part, queryset in enumerate(querysets):
        names = [name for name, _ in keys]
        joined = _keys_from(querysets, queryset, names)
        if joined is not None:
            queryset, names = joined
        named = [(name, descending) for name, (_, descending) in zip(names, keys, strict=True)]
        head = _beyond(queryset, named, cursor).order_by(*_ordering(named))
        heads.append(head.values_list(*names, Value(part))[:limit])
    return heads


def _keys_from(
    querysets: list[QuerySet[Any]], queryset: QuerySet[Any], names: list[str]
) -> tuple[QuerySet[Any], list[str]] | None:
    """The lone queryset's rows as the table it joins holds them, and the names there of the
    order's keys (`kam.joins.keys_from_joined`); None for one of several, whose keys a UNION
    merges by the names of the first."""
    return keys_from_joined(queryset, names) if len(querysets) == 1 else None


def _python_type(queryset: QuerySet[Any], name: str) -> type:
    """What a cursor holds for `name`: an annotation's output field, else the model's field."""
    meta = queryset.model._meta
    if name in queryset.query.annotations:
        field = queryset.query.annotations[name].output_field
    else:
        field = meta.pk if name == "pk" else meta.get_field(name)
    while isinstance(field, ForeignKey):  # a one-to-one primary key holds the related row's key
        field = field.target_field
    return next((t for kind, t in _FIELD_TYPES if isinstance(field, kind)), str)


# DateTimeField before DateField, which it extends.
_FIELD_TYPES: list[tuple[type, type]] = [
    (IntegerField, int),  # AutoField and BigAutoField too
    (DecimalField, Decimal),
    (DateTimeField, datetime),
    (DateField, date),
]


def _cursor(row: Any, keys: list[tuple[str, bool]]) -> str:
    return encode_cursor([getattr(row, name) for name, _ in keys])
