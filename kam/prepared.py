"""Queries compiled once per process, for the few the busiest pages run on every request.

Building a queryset and compiling it to SQL costs the ORM about a millisecond of CPU for a
query of a card (its columns, joins and order, every time): 13 of the card overview's 35 ms.
A `Prepared` query is built and compiled once per process and database, with stand-ins for its
arguments; each call puts the arguments in the stand-ins' places of the parameters and runs the
SQL kept, and Django turns the rows into models (with their `select_related` objects and
annotations) and prefetches as it always does.

    CONTACTS = Prepared(lambda client: Contact.objects.filter(client_id=client).order_by("pk"))
    contacts = CONTACTS(client.pk)   # a list of Contact

The arguments are whole numbers (ids), dates, texts (a key) and lists of ids (`Ids`, which the lookup
`pk__any=` takes as one parameter: `= ANY(%s)` on PostgreSQL, a JSON array on SQLite), each
used as a parameter of the SQL and only so: the first call compiles the query twice, with two
sets of stand-ins, and raises `ValueError` unless the SQL is the same and the parameters differ
exactly where the stand-ins are (a date may reach the SQL as text, as SQLite takes it). So a
query whose SQL depends on its arguments' values (`pk__in=` a list of them, a slice `[:n]`, a
value derived in Python such as `day + 1`) says at once that it cannot be prepared. Two
compilations cannot see everything, so `build` must be one expression of its arguments: no
branch on their values, and nothing else that changes (the time, the policy, a setting), which
would be kept as the first call found it.

Models come without the related object a related manager would attach (`contact.client`):
`attach` sets it on every row, as the manager would.

On PostgreSQL the kept SQL is also prepared on the server, once per connection (`PREPARE`,
then `EXECUTE` with the arguments): PostgreSQL otherwise parses and plans it on every run, and
for the card's short queries that planning is three times their execution (bench/README.md).
The query's constants (a status, a role, a JSON value) are written into the statement as
literals and its arguments are its parameters, typed from the stand-ins (`bigint`, `date`,
`bigint[]`): so the plan PostgreSQL may keep for every argument (its generic plan, after five
runs) sees the constants as a plain query would, and uses an index whose condition names them.
A fixed SQL text (`execute`) whose parameter is of another kind runs as plain SQL.

PostgreSQL keeps planning a statement anew for each run's arguments (a custom plan) when it
estimates that the plan for any argument would cost more: for a page's long query (the win-back
list's first page, a UNION of four parts) that planning costs more than running it, and the
plan for any argument runs as fast. `Prepared(..., generic=True)` runs such a statement with
`plan_cache_mode = force_generic_plan`, set in the same round trip as its `EXECUTE`; once one
ran in a session, every other statement resets the setting in its own `EXECUTE`'s round trip
(a round trip after each generic run cost the manager's day, with three of them, 0.5 ms).
`KAM_PREPARED_STATEMENTS = False` turns this off, for a connection pooler that does not keep a
session's prepared statements (PgBouncer in transaction mode).
"""

import copy
import itertools
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from threading import Lock
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

import psycopg2.extensions
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ForeignKey, IntegerField, Lookup, Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")


class Ids(tuple[int, ...]):
    """Ids a query takes as one parameter (`pk__any=Ids(pks)`), so that its SQL is the same
    however many there are: a prepared query's argument."""

    def resolve_expression(self, *args: Any, **kwargs: Any) -> "Ids":
        """Itself: a filter's value that has this method is taken as it is. Without it Django
        walks a tuple to resolve each item as an expression, and builds it again: a thousand
        steps for a thousand counted pks."""
        return self


class _IdsAsText:
    """Ids as psycopg2 writes them into a query: an array written as text, `'{1,2}'::bigint[]`.
    psycopg2 writes a list as `ARRAY[1,2]`, adapting each number on its own: 0.8 ms for the
    thousand pks a filtered list counts, against 0.08 ms. Anything but whole numbers is left to
    psycopg2."""

    def __init__(self, ids: Ids):
        self.ids = ids

    def getquoted(self) -> bytes:
        if not all(type(one) is int for one in self.ids):
            return psycopg2.extensions.adapt(list(self.ids)).getquoted()
        return f"'{{{','.join(map(str, self.ids))}}}'::bigint[]".encode()


psycopg2.extensions.register_adapter(Ids, _IdsAsText)
sqlite3.register_adapter(Ids, lambda ids: json.dumps(list(ids)))


@IntegerField.register_lookup
@ForeignKey.register_lookup
class AnyOf(Lookup):
    """`pk__any=Ids(...)` (or `client__any=`): the rows whose value is one of the ids, given as
    one parameter."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not isinstance(self.rhs, Ids):
            raise TypeError("The lookup __any takes Ids.")
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, self.rhs]


Arg = int | date | str | Ids


def _stand_ins(types: tuple[type, ...], first: bool) -> list[Arg]:
    """Values no query of the project holds as a constant (ids near the top of a 32-bit integer
    column's range, which Django checks a lookup against; dates a thousand years ahead), one set
    for each of the two compilations."""
    start = 2_011_000_001 if first else 2_012_000_001
    day = date(3041, 1, 1) if first else date(3051, 1, 1)
    made: dict[type, Callable[[int], Arg]] = {
        date: lambda i: day + timedelta(days=i),
        Ids: lambda i: Ids((start + i,)),
        str: lambda i: f"kam-stand-in-{start + i}",
        int: lambda i: start + i,
    }
    return [made[kind](i) for i, kind in enumerate(types)]


# The PostgreSQL type of a prepared statement's parameter, by the type of the value it was
# compiled with (a stand-in or a constant). `bool` before `int`, which it is a kind of.
SERVER_TYPES: list[tuple[type, str]] = [
    (bool, "boolean"),
    (int, "bigint"),
    (Ids, "bigint[]"),
    (str, "text"),
    (datetime, "timestamptz"),
    (date, "date"),
    (Decimal, "numeric"),
    (float, "double precision"),
]
_names = itertools.count(1)
# The statements each PostgreSQL session has prepared, by its connection, READY or OUTDATED (by
# a change of a table's columns since: prepared still, to be deallocated and prepared again). A
# session keeps them until it ends: PREPARE is not undone by a rollback.
_sessions: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()
READY, OUTDATED = "ready", "outdated"
GENERIC_RAN = "plan_cache_mode"  # a key of a session's states: a generic statement ran in it
_lock = Lock()


class _OnServer:
    """A kept SQL prepared on a PostgreSQL server: `PREPARE name (types) AS sql`, then
    `EXECUTE name (arguments)`, whose arguments psycopg2 writes as it writes a query's.

    The parameters marked `constant` (a query's own constants: a status, a role, a threshold)
    are written into the statement as literals, by psycopg2 as it writes them into a query: only
    the arguments are the statement's parameters. So a plan PostgreSQL makes once for every
    argument (its generic plan, which it may choose after five runs) still sees the constants,
    and uses an index whose condition names them (`contact_birthday_idx`)."""

    def __init__(
        self, sql: str, params: list[Any], constant: list[bool] | None = None, *, generic: bool = False
    ):
        constant = constant or [False] * len(params)
        self.generic = generic
        arguments = [param for param, fixed in zip(params, constant, strict=True) if not fixed]
        types = [next((name for kind, name in SERVER_TYPES if isinstance(p, kind)), None) for p in arguments]
        self.name = f"kam_prepared_{next(_names)}"
        self.typed = None not in types
        self.constants = [param for param, fixed in zip(params, constant, strict=True) if fixed]
        self.prepare, self.execute = f"PREPARE {self.name} AS {sql}", f"EXECUTE {self.name}"
        if params:  # Django doubles a literal % only when the SQL has parameters
            numbers, marks = itertools.count(1), iter(constant)
            # A constant's %s stays for psycopg2 to write at PREPARE; an argument's is $n.
            body = re.sub(
                r"%[s%]",
                lambda m: m.group() if m.group() == "%%" or next(marks) else f"${next(numbers)}",
                sql,
            )
            typed = f" ({', '.join(map(str, types))})" if arguments else ""
            self.prepare = f"PREPARE {self.name}{typed} AS {body}"
            self.execute = (
                f"EXECUTE {self.name} ({', '.join(['%s'] * len(arguments))})" if arguments else self.execute
            )
        self._text = None if params else self.prepare
        # Sent with the EXECUTE, in its round trip: a generic statement sets the plans it needs;
        # any other resets them, once a generic one ran in the session (`sql`).
        self.run_as = f"SET plan_cache_mode = force_generic_plan; {self.execute}" if generic else self.execute
        self.run_reset = self.run_as if generic else f"RESET plan_cache_mode; {self.execute}"

    def text(self, cursor: Any) -> str:
        """The PREPARE as the server takes it: the constants written in, a doubled % as one."""
        with _lock:
            if self._text is None:
                self._text = cursor.mogrify(self.prepare, self.constants).decode()
            return self._text

    def sql(self, connection: BaseDatabaseWrapper) -> str:
        """`EXECUTE`, once the statement is prepared in this connection's session: a generic
        statement's with the setting it runs with, and once one ran in the session, any other's
        with the setting reset (each run sets what it needs, so no rollback of an earlier one's
        setting matters)."""
        connection.ensure_connection()
        session = connection.connection
        with _lock:
            states = _sessions.setdefault(session, {})
        state = states.get(self.name)
        if state != READY:
            with session.cursor() as cursor:  # not a query of the page's: the debug cursor does not count it
                if state == OUTDATED:
                    cursor.execute(f"DEALLOCATE {self.name}")
                cursor.execute(self.text(cursor))
            states[self.name] = READY
        if self.generic:
            states[GENERIC_RAN] = READY
            return self.run_as
        return self.run_reset if GENERIC_RAN in states else self.run_as

    def outdated(self, error: DatabaseError, connection: BaseDatabaseWrapper) -> bool:
        """Whether `error` says this session's statement no longer fits its tables (a column's
        type changed since it was prepared: a migration's) or is gone (`DISCARD ALL`): it is then
        prepared again on its next run."""
        cause = error.__cause__
        code = getattr(cause, "pgcode", None)
        gone = code == "26000"  # invalid_sql_statement_name
        if not gone and not (code == "0A000" and "cached plan must not change result type" in str(cause)):
            return False
        states = _sessions.get(connection.connection, {})
        if gone:
            states.pop(self.name, None)
        else:
            states[self.name] = OUTDATED
        return True

    def retried(self, connection: BaseDatabaseWrapper, run: Callable[[], T]) -> T:
        """`run()`, once more when its statement was outdated, unless in a transaction, which the
        error has broken (the next transaction prepares it again)."""
        try:
            return run()
        except DatabaseError as error:
            if not self.outdated(error, connection) or connection.in_atomic_block:
                raise
            return run()


def forget(connection: BaseDatabaseWrapper) -> None:
    """Deallocate every statement the connection's session prepared: a change of a table's
    columns made in that session itself (a test's) outdates them while its transaction is open."""
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        states = _sessions.pop(connection.connection, {})
        if GENERIC_RAN in states:  # the session's setting stays
            _sessions[connection.connection] = {GENERIC_RAN: READY}


class _Compiled:
    """One query compiled for one database: its SQL, the queryset and compiler it was compiled
    with, for each parameter the argument it takes (its index, and whether as text) or the
    constant it keeps (index -1), and on PostgreSQL its prepared statement."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        compiler: SQLCompiler,
        sql: str,
        params: list[Any],
        slots: list[tuple[int, bool, Any]],
        generic: bool = False,
        on_server: bool = True,
    ):
        self.queryset, self.compiler, self.sql, self.slots = queryset, compiler, sql, slots
        constant = [index < 0 for index, _, _ in slots]
        on_postgresql = compiler.connection.vendor == "postgresql"
        server = _OnServer(sql, params, constant, generic=generic) if on_postgresql and on_server else None
        self.server = server if server is not None and server.typed else None
        # The converters of the query's columns, by connection: Django looks them up for every
        # run (each column's field and the backend asked), the same each time.
        self._converters: WeakKeyDictionary[BaseDatabaseWrapper, dict[tuple[int, ...], Any]] = (
            WeakKeyDictionary()
        )

    def run(self, args: tuple[Arg, ...], using: str) -> list[Any]:
        """The rows, through the queryset's own iterable (models, values or tuples) and
        prefetches, from a copy of the query whose compiler answers with the SQL kept (or with
        the `EXECUTE` of its prepared statement, which takes the arguments alone). The copies
        are shallow: nothing of the query's tree is built or compiled again."""
        return self._on(args, using, self._rows)

    def fetch(self, args: tuple[Arg, ...], using: str) -> list[tuple[Any, ...]]:
        """The rows as the database returns them: each a tuple of the query's columns, in its
        order, before Django converts them or makes models of them (`made`)."""
        return self._on(args, using, self._fetched)

    def made(self, fetched: list[tuple[Any, ...]], using: str) -> list[Any]:
        """What `run` makes of rows `fetch` returned (models, values or tuples, and prefetches),
        without running the query again."""
        return self._rows("", (), connections[using], fetched)

    def _on(self, args: tuple[Arg, ...], using: str, rows: Callable[..., list[Any]]) -> list[Any]:
        connection = connections[using]  # this thread's connection
        if self.server is None or not settings.KAM_PREPARED_STATEMENTS:
            params = tuple(
                constant if index < 0 else str(args[index]) if as_text else args[index]
                for index, as_text, constant in self.slots
            )
            return rows(self.sql, params, connection)
        server = self.server
        arguments = tuple(args[index] for index, _, _ in self.slots if index >= 0)
        return server.retried(connection, lambda: rows(server.sql(connection), arguments, connection))

    @staticmethod
    def _fetched(sql: str, params: tuple[Any, ...], connection: BaseDatabaseWrapper) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    def _rows(
        self,
        sql: str,
        params: tuple[Any, ...],
        connection: BaseDatabaseWrapper,
        fetched: list[tuple[Any, ...]] | None = None,
    ) -> list[Any]:
        query = copy.copy(self.queryset.query)
        compiler = copy.copy(self.compiler)
        compiler.query, compiler.connection = query, connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)  # type: ignore[method-assign]
        compiler.get_converters = self._converters_for(compiler, connection)  # type: ignore[method-assign,assignment]
        if fetched is not None:  # the rows, one chunk, as `execute_sql` would have read them
            compiler.execute_sql = lambda *args, **kwargs: [fetched]  # type: ignore[method-assign,assignment]
        query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        queryset = object.__new__(type(self.queryset))
        fresh = {"_query": query, "_result_cache": None, "_prefetch_done": False}
        queryset.__dict__ = self.queryset.__dict__ | fresh
        return list(queryset)

    def _converters_for(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> Callable[[list[Any]], Any]:
        """`compiler.get_converters`, looked up once per connection for the same expressions (the
        kept query's own columns, which live as long as it does)."""
        kept = self._converters.get(connection)
        if kept is None:
            kept = self._converters.setdefault(connection, {})
        look_up = compiler.get_converters

        def get_converters(expressions: list[Any]) -> Any:
            key = tuple(map(id, expressions))
            found = kept.get(key)
            if found is None:
                found = kept[key] = look_up(expressions)
            return found

        return get_converters

    @cached_property
    def columns(self) -> dict[str, tuple[int, list[Any], Any]]:
        """Where a model query's row holds each of its model's fields (by attname, and the pk as
        "pk") and each annotation: its index, and the converters Django runs on
        the value the database returns, with the expression they take."""
        select, klass_info = self.compiler.select, self.compiler.klass_info
        places: dict[str, int] = {}
        for index in klass_info["select_fields"] if klass_info else ():
            field = select[index][0].target
            places[field.attname] = index  # a foreign key's name is its object's, not a column
            if field.primary_key:
                places["pk"] = index
        places.update(self.compiler.annotation_col_map or {})
        found = {}
        for name, index in places.items():
            expression = select[index][0]
            converters = self.compiler.get_converters([expression]).get(0, ([], expression))[0]
            found[name] = (index, converters, expression)
        return found


class Prepared(Generic[T]):
    """A query built by `build` from whole numbers, dates, texts and `Ids`, compiled once per database
    and arguments' types; `generic`: planned once for every argument on PostgreSQL.
    `on_server=False`: its SQL is kept compiled but not prepared on the server, for a query kept
    among others that come and go (a statement prepared stays in the session until it ends)."""

    def __init__(
        self, build: Callable[..., "QuerySet[Any, T]"], *, generic: bool = False, on_server: bool = True
    ):
        self.build, self.generic, self.on_server = build, generic, on_server
        self._compiled: dict[tuple[str, tuple[type, ...]], _Compiled] = {}
        self._model: type[Model] | None = None
        self._lock = Lock()

    def __call__(self, *args: Arg, attach: tuple[str, Any] | None = None) -> list[T]:
        compiled, using = self._compiled_for(args)
        rows = compiled.run(args, using)
        if attach is not None:
            name, value = attach
            for row in rows:
                setattr(row, name, value)
        return rows

    def fetch(self, *args: Arg) -> "Fetched[T]":
        """The rows as the database returns them (`Fetched`), for a caller that makes models of
        some of them only."""
        compiled, using = self._compiled_for(args)
        return Fetched(compiled, using, compiled.fetch(args, using))

    def flat(self, *args: Arg) -> list[Any]:
        """The first column of each row as the database returns it, unconverted: a count's pks,
        without Django's iteration of each row (a thousand of them cost a list 0.5 ms)."""
        compiled, using = self._compiled_for(args)
        return [row[0] for row in compiled.fetch(args, using)]

    def _compiled_for(self, args: tuple[Arg, ...]) -> tuple[_Compiled, str]:
        types = tuple(type(arg) for arg in args)
        if any(kind not in (int, date, str, Ids) for kind in types):
            raise TypeError("A prepared query takes whole numbers, dates, texts and Ids.")
        model = self._model or self.build(*args).model
        self._model = model
        using = router.db_for_read(model)
        return self._compiled.get((using, types)) or self._compile(types, using), using

    def of_pks(self, pks: list[int]) -> list[T]:
        """The rows of a query of one `Ids` argument for these pks: a page's rows read by the
        keys the pager found (`keyset_page(read=QUERY.of_pks)`)."""
        return self(Ids(pks))

    def _compile(self, types: tuple[type, ...], using: str) -> _Compiled:
        first, second = _stand_ins(types, True), _stand_ins(types, False)
        queryset = self.build(*first)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
            other_sql, other_params = self.build(*second).query.get_compiler(using=using).as_sql()
        except EmptyResultSet as empty:
            raise ValueError(
                "The query's SQL depends on its arguments' values; it cannot be prepared."
            ) from empty
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("The query's SQL depends on its arguments' values; it cannot be prepared.")
        pairs = zip(params, other_params, strict=True)
        slots = [_slot(param, other, first, second) for param, other in pairs]
        if {index for index, _, _ in slots if index >= 0} != set(range(len(types))):
            raise ValueError("An argument of the query is not a parameter of its SQL; it cannot be prepared.")
        with self._lock:
            compiled = _Compiled(queryset, compiler, sql, params, slots, self.generic, self.on_server)
            return self._compiled.setdefault((using, types), compiled)


NOT_A_COLUMN = object()


class Fetched(Generic[T]):
    """A prepared query's rows as the database returned them (`rows`, tuples of the query's
    columns), with what reads a value of one by name (`value`) and what makes models, or
    whatever the query yields, of some of them (`made`): as the query run would have made
    them, without running it again."""

    def __init__(self, compiled: _Compiled, using: str, rows: list[tuple[Any, ...]]):
        self.compiled, self.using, self.rows = compiled, using, rows

    @property
    def layout(self) -> object:
        """What tells the rows' columns apart: the query compiled (once per process)."""
        return self.compiled

    def value(self, row: tuple[Any, ...], name: str) -> Any:
        """The value of a field of the query's model (by attname, or "pk") or of an
        annotation in `row`, converted as Django converts it; `NOT_A_COLUMN` for any other name
        (a related object, a property), which only a model has."""
        found = self.compiled.columns.get(name)
        if found is None:
            return NOT_A_COLUMN
        index, converters, expression = found
        value = row[index]
        for converter in converters:
            value = converter(value, expression, connections[self.using])
        return value

    def made(self, rows: list[tuple[Any, ...]]) -> list[T]:
        return self.compiled.made(rows, self.using) if rows else []


def _slot(param: Any, other: Any, first: list[Arg], second: list[Arg]) -> tuple[int, bool, Any]:
    """What a parameter takes: a stand-in's argument, as it is or as text, or a constant."""
    for index, (one, two) in enumerate(zip(first, second, strict=True)):
        if type(param) is type(one) and param == one and other == two:
            return index, False, None
        if param == str(one) and other == str(two):
            return index, True, None
    # The database's adapters (JSON) are compared by the value they wrap.
    value, other_value = getattr(param, "adapted", param), getattr(other, "adapted", other)
    if value == other_value and not any(value in (one, str(one)) for one in first):
        return -1, False, param
    raise ValueError("An argument of the query is not only a parameter; it cannot be prepared.")


_fixed: dict[tuple[str, tuple[type, ...]], _OnServer] = {}


def related(
    owners: list[Any], query: "Prepared[Any]", owner: str, item: str | None = None
) -> defaultdict[int, list[Any]]:
    """What a prefetch of a relation gives each of `owners`, from `query` of their pks (`Ids`):
    its rows, or each row's `item` (the far side of a link row), by the row's `owner` id, in the
    query's order; no query for no owners. A prefetch would build and compile its query anew on
    every request."""
    found: defaultdict[int, list[Any]] = defaultdict(list)
    if owners:
        for row in query(Ids(one.pk for one in owners)):
            found[getattr(row, owner)].append(row if item is None else getattr(row, item))
    return found


def execute(cursor: Any, sql: str, params: list[Any]) -> None:
    """Run a fixed SQL text (one that only its parameters change, such as the session's read)
    with `params`: on PostgreSQL through its statement prepared on the server, once per
    connection, as a `Prepared` query's; elsewhere as it is."""
    connection = cursor.db
    if connection.vendor != "postgresql" or not settings.KAM_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    key = (sql, tuple(type(param) for param in params))
    server = _fixed.get(key)
    if server is None:
        with _lock:
            server = _fixed.setdefault(key, _OnServer(sql, params))
    if server.typed:
        server.retried(connection, lambda: cursor.execute(server.sql(connection), params))
    else:
        cursor.execute(sql, params)
