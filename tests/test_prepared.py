"""Prepared queries (kam.prepared): the rows the queryset gives, compiled once, and the queries
that cannot be prepared refused at once."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, JSONField, Max, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from accounts.models import Client, Contact, Touch
from kam.prepared import NOT_A_COLUMN, Ids, Prepared, execute, forget, related
from tests.factories import ClientFactory, ContactFactory, ManagerFactory, TouchFactory

pytestmark = pytest.mark.django_db


def _touches(client: int, since: date) -> QuerySet[Touch]:
    return (
        Touch.objects.filter(client_id=client, date__gte=since)
        .select_related("created_by", "client__responsible_manager")
        .prefetch_related("contacts")
        .annotate(people=Count("contacts"))
        .order_by("-date", "pk")
    )


def _same(found: list[Touch], expected: QuerySet[Touch]) -> None:
    rows = list(expected)
    assert [t.pk for t in found] == [t.pk for t in rows]
    for one, other in zip(found, rows, strict=True):
        assert one.people == other.people
        assert one.created_by.username == other.created_by.username
        assert one.client.responsible_manager == other.client.responsible_manager
        assert list(one.contacts.all()) == list(other.contacts.all())


@pytest.fixture
def touched() -> list[Client]:
    today = date(2026, 11, 30)
    clients = [ClientFactory(responsible_manager=ManagerFactory()) for _ in range(2)]
    for n, client in enumerate(clients):
        contacts = ContactFactory.create_batch(2, client=client)
        for days in range(0, 60 * (n + 1), 15):
            touch = TouchFactory(
                client=client, date=today - timedelta(days=days), created_by=client.responsible_manager
            )
            touch.contacts.set(contacts[: days % 3])
    return clients


def test_gives_the_querysets_rows_for_every_argument(touched: list[Client]) -> None:
    prepared = Prepared(_touches)
    for client in touched:
        for since in (date(2026, 10, 1), date(2026, 11, 1), date(2027, 1, 1)):
            _same(prepared(client.pk, since), _touches(client.pk, since))


def test_values_and_json_constants() -> None:
    ClientFactory(name="Alpha", notes="")
    beta = ClientFactory(name="Beta", notes="x")
    prepared = Prepared(
        lambda pk: Client.objects.filter(pk__gte=pk).exclude(notes="").values_list("name", "pk")
    )
    assert prepared(0) == [("Beta", beta.pk)]
    assert prepared(beta.pk + 1) == []


def test_compiles_once_then_only_runs(touched: list[Client], django_assert_num_queries: Any) -> None:
    built = []

    def build(client: int) -> QuerySet[Contact]:
        built.append(client)
        return Contact.objects.filter(client_id=client).order_by("pk")

    prepared = Prepared(build)
    first, second = touched
    prepared(first.pk)
    assert len(built) == 3  # its model, then the two compilations with stand-ins
    compiled = SQLCompiler.as_sql
    calls = []

    def counted(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        calls.append(self)
        return compiled(self, *args, **kwargs)

    SQLCompiler.as_sql = counted  # type: ignore[method-assign]
    try:
        with django_assert_num_queries(1):
            rows = prepared(second.pk)
    finally:
        SQLCompiler.as_sql = compiled  # type: ignore[method-assign]
    assert len(built) == 3
    assert calls == []
    assert rows == list(Contact.objects.filter(client=second).order_by("pk"))


def test_attach_sets_the_parent_without_a_query(
    touched: list[Client], django_assert_num_queries: Any
) -> None:
    client = touched[0]
    prepared = Prepared(lambda pk: Contact.objects.filter(client_id=pk))
    with django_assert_num_queries(1):
        contacts = prepared(client.pk, attach=("client", client))
        assert {c.client for c in contacts} == {client}


def test_the_connection_is_the_callers(touched: list[Client]) -> None:
    prepared = Prepared(lambda pk: Contact.objects.filter(client_id=pk))
    prepared(touched[0].pk)
    (compiled,) = prepared._compiled.values()
    compiled.compiler.connection = None  # type: ignore[assignment]  # as if compiled on another thread's connection
    assert len(prepared(touched[1].pk)) == 2


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda n: Contact.objects.filter(pk__in=range(n % 3 + 1)), "depends on its arguments' values"),
        (lambda n: Contact.objects.filter(pk=n + 1), "not only a parameter"),
        (lambda n, m: Contact.objects.filter(pk=n), "not a parameter of its SQL"),
        (lambda n: Contact.objects.filter(pk=1)[:n], "depends on its arguments' values"),
        (lambda day: Touch.objects.filter(date__lte=day + timedelta(days=1)), "not only a parameter"),
        (lambda n: Contact.objects.filter(Q(pk=n) | Q(pk=n % 7)), "not only a parameter"),
    ],
)
def test_refuses_what_depends_on_the_values(build: Any, reason: str) -> None:
    args = [date(2026, 1, 1)] if "day" in build.__code__.co_varnames else [1] * build.__code__.co_argcount
    with pytest.raises(ValueError, match=reason):
        Prepared(build)(*args)


def test_takes_whole_numbers_dates_texts_and_ids_only() -> None:
    with pytest.raises(TypeError):
        Prepared(lambda share: Client.objects.filter(pk=share))(1.5)


@pytest.mark.django_db
def test_a_text_is_a_parameter_as_a_number_is() -> None:
    alpha, _beta = ClientFactory(name="Alpha"), ClientFactory(name="Beta")
    named = Prepared(lambda name: Client.objects.filter(name=name).values_list("pk", flat=True))

    assert named("Alpha") == [alpha.pk]
    assert named("Alpha'; --") == []
    assert named("Gamma") == []


def test_the_contacts_max_annotation_matches(touched: list[Client]) -> None:
    """An aggregate over a join with a GROUP BY, as the decision group reads it."""
    prepared = Prepared(
        lambda pk: Contact.objects.filter(client_id=pk).annotate(last=Max("touches__date")).order_by("pk")
    )
    for client in touched:
        expected = Contact.objects.filter(client=client).annotate(last=Max("touches__date")).order_by("pk")
        assert [(c.pk, c.last) for c in prepared(client.pk)] == [(c.pk, c.last) for c in expected]


def test_a_32_bit_integer_column_takes_an_argument(touched: list[Client]) -> None:
    """Django checks a lookup on an integer column against the column's range: the stand-ins
    stay within it."""
    Touch.objects.filter(client=touched[0]).update(duration_minutes=30)
    prepared = Prepared(
        lambda client, minutes: Touch.objects.filter(client_id=client, duration_minutes__lt=minutes).order_by(
            "pk"
        )
    )
    for client in touched:
        for minutes in (10, 31):
            expected = Touch.objects.filter(client=client, duration_minutes__lt=minutes).order_by("pk")
            assert prepared(client.pk, minutes) == list(expected)


def test_ids_are_one_parameter_however_many(touched: list[Client], django_assert_num_queries: Any) -> None:
    """A page's rows by their pks: the same SQL for none, one or many ids, in any order."""
    contacts = list(Contact.objects.order_by("pk"))
    prepared = Prepared(
        lambda ids: Contact.objects.filter(pk__any=ids).select_related("client").order_by("-pk")
    )
    for picked in ([], contacts[:1], contacts[::2], contacts[::-1], [*contacts[:2], *contacts[:2]]):
        pks = Ids(c.pk for c in picked)
        with django_assert_num_queries(1):
            found = prepared(pks)
        assert [c.pk for c in found] == sorted({c.pk for c in picked}, reverse=True)
        expected = sorted(set(picked), key=lambda c: -c.pk)
        assert [c.client.name for c in found] == [c.client.name for c in expected]
    assert len(prepared._compiled) == 1
    assert prepared(Ids([contacts[0].pk + 10_000])) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg2 writes the ids on PostgreSQL only")
def test_ids_are_written_as_an_array_of_bigint(touched: list[Client]) -> None:
    first, second = touched
    with connection.cursor() as cursor:
        written = cursor.mogrify("SELECT %s", [Ids([first.pk, -2, 2**40])]).decode()
        assert written == f"SELECT '{{{first.pk},-2,{2**40}}}'::bigint[]"
        assert cursor.mogrify("SELECT %s", [Ids([])]).decode() == "SELECT '{}'::bigint[]"
        cursor.execute("SELECT %s, %s", [Ids([first.pk, 2**40]), Ids([])])
        assert cursor.fetchone() == ([first.pk, 2**40], [])
    assert set(Client.objects.filter(pk__any=Ids([second.pk, first.pk]))) == {first, second}


def test_ids_go_with_other_arguments(touched: list[Client]) -> None:
    first, second = touched
    prepared = Prepared(
        lambda ids, client: Contact.objects.filter(pk__any=ids, client_id=client).order_by("pk")
    )
    every = Ids(Contact.objects.values_list("pk", flat=True))
    assert prepared(every, first.pk) == list(Contact.objects.filter(client=first).order_by("pk"))
    assert prepared(every, second.pk) == list(Contact.objects.filter(client=second).order_by("pk"))


def test_a_filter_takes_ids_as_they_are(touched: list[Client]) -> None:
    """A filter keeps the one Ids it is given: it neither walks nor rebuilds them (a thousand
    steps for a thousand counted pks)."""
    first, second = touched
    ids = Ids([first.pk, second.pk])
    queryset = Client.objects.filter(pk__any=ids)
    assert queryset.query.where.children[0].rhs is ids
    assert set(queryset) == {first, second}


def test_related_gives_each_owner_its_rows_in_the_query_s_order(
    touched: list[Client], django_assert_num_queries: Any
) -> None:
    first, second = touched
    contacts = Prepared(lambda clients: Contact.objects.filter(client__any=clients).order_by("-pk"))
    names = Prepared(
        lambda clients: Contact.objects.filter(client__any=clients).select_related("client").order_by("pk")
    )

    with django_assert_num_queries(1):
        found = related([first, second], contacts, "client_id")
    with django_assert_num_queries(0):
        assert related([], contacts, "client_id") == {}

    for client in touched:
        assert found[client.pk] == list(Contact.objects.filter(client=client).order_by("-pk"))
    assert related([second], names, "client_id", "client") == {second.pk: [second, second]}


def test_the_any_lookup_takes_ids_only() -> None:
    with pytest.raises(TypeError, match="Ids"):
        list(Contact.objects.filter(pk__any=[1, 2]))


def test_a_foreign_key_takes_ids(touched: list[Client]) -> None:
    first, second = touched
    prepared = Prepared(lambda ids: Contact.objects.filter(client__any=ids).order_by("pk"))
    assert prepared(Ids([first.pk])) == list(Contact.objects.filter(client=first).order_by("pk"))
    assert prepared(Ids([first.pk, second.pk])) == list(Contact.objects.order_by("pk"))


def test_of_pks_reads_the_rows_of_a_list_of_pks(touched: list[Client]) -> None:
    contacts = list(Contact.objects.order_by("pk"))
    prepared = Prepared(lambda ids: Contact.objects.filter(pk__any=ids).order_by("pk"))
    assert prepared.of_pks([c.pk for c in contacts[1::2]]) == contacts[1::2]


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are prepared on the server on PostgreSQL only"
)


RESET = "RESET plan_cache_mode; "  # what every statement sends once a generic one ran in the session


def _sqls(captured: CaptureQueriesContext, *, raw: bool = False) -> list[str]:
    """The statements sent; but for `raw`, without the reset of the setting (which depends on
    whether an earlier test ran a generic statement in the session)."""
    sent = [query["sql"] for query in captured.captured_queries]
    return sent if raw else [sql.removeprefix(RESET) for sql in sent]


def _server_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@on_postgresql
def test_on_postgresql_the_sql_is_prepared_once_per_connection_then_executed(touched: list[Client]) -> None:
    first, second = touched
    prepared = Prepared(lambda pk, since: Touch.objects.filter(client_id=pk, date__gte=since).order_by("pk"))
    with CaptureQueriesContext(connection) as captured:
        rows = [
            prepared(client.pk, since)
            for client in touched
            for since in (date(2026, 10, 1), date(2027, 1, 1))
        ]
    (compiled,) = prepared._compiled.values()
    assert compiled.server is not None
    assert compiled.server.prepare.startswith(f"PREPARE {compiled.server.name} (bigint, date) AS SELECT")
    assert all(sql.startswith(f"EXECUTE {compiled.server.name} (") for sql in _sqls(captured))
    assert len(captured) == 4  # the PREPARE is not one of the page's queries
    assert compiled.server.name in _server_statements()
    expected = [
        list(Touch.objects.filter(client=client, date__gte=since).order_by("pk"))
        for client in (first, second)
        for since in (date(2026, 10, 1), date(2027, 1, 1))
    ]
    assert rows == expected
    assert rows[0]
    assert rows[2]
    assert not rows[1]


@on_postgresql
def test_a_rollback_keeps_the_statement(touched: list[Client]) -> None:
    """PREPARE is not undone by a rollback: the session's statements outlive the transaction."""
    prepared = Prepared(lambda pk: Contact.objects.filter(client_id=pk).order_by("pk"))
    try:
        with transaction.atomic():
            prepared(touched[0].pk)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert prepared(touched[1].pk) == list(Contact.objects.filter(client=touched[1]).order_by("pk"))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again() -> None:
    client = ClientFactory(name="Alpha")
    prepared = Prepared(lambda pk: Client.objects.filter(pk=pk).values_list("name", flat=True))
    assert prepared(client.pk) == ["Alpha"]
    connection.close()
    assert _server_statements() == set()
    assert prepared(client.pk) == ["Alpha"]
    (compiled,) = prepared._compiled.values()
    assert compiled.server is not None
    assert compiled.server.name in _server_statements()


@on_postgresql
def test_constants_are_written_into_the_statement_and_a_literal_percent_stays(touched: list[Client]) -> None:
    prepared = Prepared(
        lambda pk: (
            Client.objects.filter(pk=pk)
            .annotate(zero=Value(0), flag=Value(True), label=RawSQL("%s || '%%'", ("x",)))
            .values_list("zero", "flag", "label")
        )
    )
    with CaptureQueriesContext(connection) as captured:
        assert prepared(touched[0].pk) == [(0, True, "x%")]
    (compiled,) = prepared._compiled.values()
    assert compiled.server is not None
    with connection.cursor() as cursor:
        text = compiled.server.text(cursor.cursor)
    assert text == (
        f'PREPARE {compiled.server.name} (bigint) AS SELECT 0 AS "zero", true AS "flag", '
        """('x' || '%') AS "label" FROM "accounts_client" WHERE "accounts_client"."id" = $1 """
        'ORDER BY "accounts_client"."name" ASC, "accounts_client"."id" ASC'
    )
    assert _sqls(captured) == [f"EXECUTE {compiled.server.name} ({touched[0].pk})"]


@on_postgresql
def test_a_constant_of_any_kind_is_written_into_the_statement() -> None:
    ClientFactory(name="Alpha")
    prepared = Prepared(lambda pk: Client.objects.filter(pk__gte=pk).annotate(j=Value({"a": 1}, JSONField())))
    with CaptureQueriesContext(connection) as captured:
        assert [c.j for c in prepared(0)] == [{"a": 1}]
    (compiled,) = prepared._compiled.values()
    assert compiled.server is not None
    assert _sqls(captured) == [f"EXECUTE {compiled.server.name} (0)"]


@on_postgresql
def test_the_plan_for_any_argument_sees_the_constants(touched: list[Client]) -> None:
    """PostgreSQL may plan a statement once for every argument (its generic plan, after five
    runs): with the constants written in, that plan still uses an index whose condition names
    them, which it could not prove of a parameter."""
    prepared = Prepared(
        lambda pk: Contact.objects.filter(
            client_id=pk,
            is_active=True,
            decision_role__in=["decision_maker", "influencer"],
            birthday__isnull=False,
        )
    )
    prepared(touched[0].pk)
    (compiled,) = prepared._compiled.values()
    assert compiled.server is not None
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN EXECUTE {compiled.server.name} (%s)", [touched[0].pk])
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "$1" in plan  # the generic plan
    assert "contact_birthday_idx" in plan, plan


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return str(cursor.fetchone()[0])


def _plans(name: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [name]
        )
        generic, custom = cursor.fetchone()
        return generic, custom


@on_postgresql
def test_a_generic_statement_is_planned_once_for_every_argument(touched: list[Client]) -> None:
    """PostgreSQL plans a statement anew for each of its first five runs; a generic one, never."""
    build = lambda pk: Contact.objects.filter(client_id=pk).order_by("pk")  # noqa: E731
    generic, custom = Prepared(build, generic=True), Prepared(build)
    with CaptureQueriesContext(connection) as captured:
        found = [(generic(client.pk), custom(client.pk)) for client in touched]
    servers = [next(iter(prepared._compiled.values())).server for prepared in (generic, custom)]
    assert all(server is not None for server in servers)
    names = [server.name for server in servers if server is not None]
    assert (_plans(names[0]), _plans(names[1])) == ((2, 0), (0, 2))
    assert _plan_cache_mode() == "auto"  # reset by the other statement's run
    assert len(captured) == 4  # each setting in its statement's round trip
    assert _sqls(captured, raw=True)[1:3] == [
        f"RESET plan_cache_mode; EXECUTE {names[1]} ({touched[0].pk})",
        f"SET plan_cache_mode = force_generic_plan; EXECUTE {names[0]} ({touched[1].pk})",
    ]
    for client, (one, other) in zip(touched, found, strict=True):
        assert one == other == list(Contact.objects.filter(client=client).order_by("pk"))
        assert one


@on_postgresql
def test_a_generic_statement_that_fails_leaves_the_plans_as_they_were(touched: list[Client]) -> None:
    """The rollback of the failed run undoes its setting: nothing else is planned generic."""
    prepared = Prepared(lambda n: Client.objects.annotate(share=Value(1) / Value(n)), generic=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        prepared(0)  # division by zero
    assert _plan_cache_mode() == "auto"
    assert [client.share for client in prepared(1)] == [1, 1]


@on_postgresql
def test_after_a_generic_statement_the_others_are_planned_for_their_arguments(
    touched: list[Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The setting stays in the session after a generic run, even one whose rows failed after
    it ran (nothing rolled back): every other statement resets it in its own round trip, and
    so is planned anew for its arguments, as PostgreSQL chooses for its first runs."""
    from kam import prepared as module

    rows = module._Compiled._rows

    def failing(self: Any, *args: Any) -> list[Any]:
        rows(self, *args)
        raise RuntimeError("a row that cannot become a model")

    generic = Prepared(lambda pk: Contact.objects.filter(client_id=pk), generic=True)
    with monkeypatch.context() as patched:
        patched.setattr(module._Compiled, "_rows", failing)
        with pytest.raises(RuntimeError):
            generic(touched[0].pk)
    assert _plan_cache_mode() == "force_generic_plan"
    custom = Prepared(lambda pk: Contact.objects.filter(client_id=pk).order_by("pk"))
    for client in touched:
        assert custom(client.pk) == list(Contact.objects.filter(client=client).order_by("pk"))
    (compiled,) = custom._compiled.values()
    assert compiled.server is not None
    assert _plans(compiled.server.name) == (0, 2)
    assert _plan_cache_mode() == "auto"


@on_postgresql
def test_a_fixed_text_after_a_generic_statement_resets_the_setting(touched: list[Client]) -> None:
    Prepared(lambda pk: Contact.objects.filter(client_id=pk), generic=True)(touched[0].pk)
    with connection.cursor() as cursor:
        execute(cursor, "SELECT COUNT(*) FROM accounts_client WHERE id = %s", [touched[0].pk])
        assert cursor.fetchall() == [(1,)]
    assert _plan_cache_mode() == "auto"


@on_postgresql
def test_turned_off_it_runs_the_plain_sql(touched: list[Client], settings: Any) -> None:
    settings.KAM_PREPARED_STATEMENTS = False
    prepared = Prepared(lambda pk: Contact.objects.filter(client_id=pk).order_by("pk"))
    with CaptureQueriesContext(connection) as captured:
        rows = prepared(touched[0].pk)
    assert _sqls(captured)[0].startswith("SELECT")
    assert rows == list(Contact.objects.filter(client=touched[0]).order_by("pk"))


def test_kept_off_the_server_it_runs_its_sql_kept(touched: list[Client]) -> None:
    prepared = Prepared(lambda pk: Contact.objects.filter(client_id=pk).order_by("pk"), on_server=False)
    names_before = _server_statements() if connection.vendor == "postgresql" else set()
    with CaptureQueriesContext(connection) as captured:
        rows = [prepared(client.pk) for client in touched]
    (compiled,) = prepared._compiled.values()
    assert compiled.server is None
    assert all(sql.startswith("SELECT") for sql in _sqls(captured))
    assert len(captured) == 2
    assert rows == [list(Contact.objects.filter(client=client).order_by("pk")) for client in touched]
    assert all(rows)
    if connection.vendor == "postgresql":
        assert _server_statements() == names_before


def test_flat_gives_the_first_column_as_the_database_returns_it(touched: list[Client]) -> None:
    prepared = Prepared(
        lambda pk: Contact.objects.filter(client_id=pk).order_by("-pk").values_list("pk", "name")
    )
    for client in touched:
        expected = list(Contact.objects.filter(client=client).order_by("-pk").values_list("pk", flat=True))
        assert prepared.flat(client.pk) == expected
        assert len(expected) == 2


@on_postgresql
def test_a_fixed_sql_runs_through_its_prepared_statement(touched: list[Client]) -> None:
    sql = "SELECT name FROM accounts_client WHERE id = %s AND name LIKE '%%'"
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        names = []
        for client in touched:
            execute(cursor, sql, [client.pk])
            names.append(cursor.fetchone()[0])
    assert names == [client.name for client in touched]
    assert all(query.startswith("EXECUTE kam_prepared_") for query in _sqls(captured))
    assert len(captured) == 2


def test_a_fixed_sql_runs_as_it_is_when_not_prepared(touched: list[Client], settings: Any) -> None:
    settings.KAM_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        execute(cursor, "SELECT name FROM accounts_client WHERE id = %s", [touched[0].pk])
        assert cursor.fetchone()[0] == touched[0].name
    assert _sqls(captured)[0].startswith("SELECT name")


def _alter_name(collation: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER TABLE accounts_client ALTER COLUMN name TYPE varchar(200) COLLATE "{collation}"'
        )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_outdated_by_a_column_changed_is_prepared_again() -> None:
    """As after a migration run by another process: the next run outside a transaction
    prepares it again; inside one, the error stands and the next transaction prepares it."""
    client = ClientFactory(name="Alpha")
    prepared = Prepared(lambda pk: Client.objects.filter(pk=pk).values_list("name", flat=True))
    assert prepared(client.pk) == ["Alpha"]
    try:
        _alter_name("C")
        assert prepared(client.pk) == ["Alpha"]
        _alter_name("default")
        outdated = pytest.raises(DatabaseError, match="cached plan must not change result type")
        with outdated, transaction.atomic():
            prepared(client.pk)
        assert prepared(client.pk) == ["Alpha"]
    finally:
        _alter_name("default")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_gone_from_the_session_is_prepared_again() -> None:
    client = ClientFactory(name="Alpha")
    prepared = Prepared(lambda pk: Client.objects.filter(pk=pk).values_list("name", flat=True))
    sql = "SELECT name FROM accounts_client WHERE id = %s"
    with connection.cursor() as cursor:
        execute(cursor, sql, [client.pk])
        assert prepared(client.pk) == ["Alpha"]
        cursor.execute("DISCARD ALL")
        assert prepared(client.pk) == ["Alpha"]
        execute(cursor, sql, [client.pk])
        assert cursor.fetchone() == ("Alpha",)


@on_postgresql
def test_forget_deallocates_the_sessions_statements(touched: list[Client]) -> None:
    prepared = Prepared(lambda pk: Contact.objects.filter(client_id=pk).order_by("pk"))
    prepared(touched[0].pk)
    assert _server_statements()
    forget(connection)
    assert _server_statements() == set()
    assert prepared(touched[1].pk) == list(Contact.objects.filter(client=touched[1]).order_by("pk"))


def test_fetch_gives_the_rows_the_query_makes_models_of(touched: list[Client]) -> None:
    prepared = Prepared(_touches)
    for client in touched:
        fetched = prepared.fetch(client.pk, date(2026, 10, 1))
        assert [type(values) for values in fetched.rows] == [tuple] * len(fetched.rows)
        _same(fetched.made(fetched.rows), _touches(client.pk, date(2026, 10, 1)))


def test_fetch_runs_the_query_once_and_made_runs_none(
    touched: list[Client], django_assert_num_queries: Any
) -> None:
    prepared = Prepared(
        lambda pk: Touch.objects.filter(client_id=pk).select_related("created_by").order_by("pk")
    )
    prepared(touched[0].pk)  # compiled
    with django_assert_num_queries(1):
        fetched = prepared.fetch(touched[0].pk)
    with django_assert_num_queries(0):
        made = fetched.made(fetched.rows[1::2])
    expected = list(Touch.objects.filter(client=touched[0]).select_related("created_by").order_by("pk"))[1::2]
    assert made == expected
    assert [touch.created_by.username for touch in made] == [touch.created_by.username for touch in expected]
    assert fetched.made([]) == []


def test_a_fetched_row_reads_fields_annotations_and_the_pk_converted(touched: list[Client]) -> None:
    prepared = Prepared(_touches)
    fetched = prepared.fetch(touched[1].pk, date(2026, 10, 1))
    expected = list(_touches(touched[1].pk, date(2026, 10, 1)))
    read = [
        tuple(fetched.value(values, name) for name in ("pk", "id", "date", "client_id", "people"))
        for values in fetched.rows
    ]
    assert read == [(t.pk, t.pk, t.date, t.client_id, t.people) for t in expected]
    assert {type(day) for _, _, day, _, _ in read} == {date}
    # A foreign key's name is its object's, which only a model has; so is any other name.
    assert {fetched.value(fetched.rows[0], name) for name in ("client", "created_by", "contacts", "x")} == {
        NOT_A_COLUMN
    }


def test_a_querys_converters_are_looked_up_once_and_still_convert(
    touched: list[Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django looks up each column's converters on every run; a prepared query keeps them."""
    query = Prepared(lambda client: Touch.objects.filter(client_id=client).order_by("pk"))
    first = query(touched[0].pk)
    looked_up: list[Any] = []
    ops = type(connection.ops)
    original = ops.get_db_converters

    def looking_up(self: Any, expression: Any) -> Any:
        looked_up.append(expression)
        return original(self, expression)

    monkeypatch.setattr(ops, "get_db_converters", looking_up)

    again = query(touched[0].pk)
    other = query(touched[1].pk)

    assert looked_up == []
    assert [(t.pk, t.date) for t in again] == [(t.pk, t.date) for t in first]
    assert {type(t.date) for t in again + other} == {date}  # SQLite returns text without them
    assert len(other) == 8
