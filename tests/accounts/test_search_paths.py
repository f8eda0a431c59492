"""Search by name and INN and a manager's visibility: the same answers on both databases, each
set read through its own index on PostgreSQL (migration 0010) where SQLite scans."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Client
from accounts.selectors import client_match, clients_visible_to
from tests.accounts.conftest import valid_inn
from tests.factories import ClientFactory, ManagerFactory, TeamMemberFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram and prefix indexes are PostgreSQL's"
)


def matching(query):
    return sorted(client_match(Client.objects.all(), query).values_list("name", flat=True))


@pytest.fixture
def companies(db):
    ClientFactory(name="Сибирская Сталь", inn=valid_inn("246600000"), kpp="246601001")
    ClientFactory(name="Сибирская Сталь, Ачинск", inn=valid_inn("246600000"), kpp="244301001")
    ClientFactory(name="Завод 2466", inn=valid_inn("780100000"))
    ClientFactory(name="Baltic Steel", inn=valid_inn("247700000"))
    ClientFactory(name="Steel 77", inn="")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("сталь", ["Сибирская Сталь", "Сибирская Сталь, Ачинск"]),
        ("ИБИРС", ["Сибирская Сталь", "Сибирская Сталь, Ачинск"]),
        ("сТаЛь, аЧ", ["Сибирская Сталь, Ачинск"]),
        ("steel", ["Baltic Steel", "Steel 77"]),
        ("st", ["Baltic Steel", "Steel 77"]),  # shorter than a trigram
        ("2466", ["Завод 2466", "Сибирская Сталь", "Сибирская Сталь, Ачинск"]),  # name or INN
        ("2477", ["Baltic Steel"]),
        ("77", ["Steel 77"]),  # "77" starts no INN here
        ("24", ["Baltic Steel", "Завод 2466", "Сибирская Сталь", "Сибирская Сталь, Ачинск"]),
        ("7801", ["Завод 2466"]),
        ("466", ["Завод 2466"]),  # inside an INN is no match, inside a name is
        (f"{valid_inn('246600000')}/2443", ["Сибирская Сталь, Ачинск"]),
        (f"{valid_inn('246600000')}/24", ["Сибирская Сталь", "Сибирская Сталь, Ачинск"]),
        ("50%", []),
        ("copper", []),
    ],
)
def test_client_match_by_name_inn_and_kpp(query, expected, companies):
    assert matching(query) == expected


def test_client_match_keeps_the_filters_it_is_given(companies):
    steel = Client.objects.filter(name__startswith="Baltic")

    assert list(client_match(steel, "2466")) == []
    assert [c.name for c in client_match(steel, "247")] == ["Baltic Steel"]


def test_manager_sees_own_and_team_clients_once_each(manager, outsider):
    own = ClientFactory(name="Own", responsible_manager=manager)
    both = ClientFactory(name="Own, and on its team", responsible_manager=manager)
    TeamMemberFactory(client=both, user=manager)
    shared = ClientFactory(name="On the team", responsible_manager=outsider)
    TeamMemberFactory(client=shared, user=manager)
    TeamMemberFactory(client=shared, user=ManagerFactory())
    ClientFactory(name="Someone else's", responsible_manager=outsider)
    ClientFactory(name="Nobody's")

    visible = clients_visible_to(manager)

    assert list(visible.order_by("name").values_list("name", flat=True)) == [
        "On the team",
        "Own",
        "Own, and on its team",
    ]
    assert visible.count() == 3
    assert set(visible.filter(pk__in=[own.pk, shared.pk]).values_list("pk", flat=True)) == {own.pk, shared.pk}


@pytest.mark.parametrize("query", ["Row", "540", "54", "Row 0"])
def test_searched_list_query_count_does_not_grow_with_rows(query, director, browser_for, assert_queries):
    queries = 5  # as the list unsearched: names, INNs or both are read within the page's queries
    browser = browser_for(director)

    def fill(start, count):
        for index in range(start, start + count):
            inn = valid_inn(f"540{index:06d}")
            ClientFactory(name=f"Row {index:03d}", inn=inn, responsible_manager=ManagerFactory())

    def rows():
        response = browser.get(reverse("accounts:client_list"), {"q": query})
        return [client.name for client in response.context["page"].rows]

    fill(0, 1)
    assert assert_queries(queries, rows) == ["Row 000"]
    fill(1, 49)
    assert assert_queries(queries, rows) == [f"Row {index:03d}" for index in range(50)]


def _index_definitions():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'accounts_client'")
        return dict(cursor.fetchall())


def _plan(queryset):
    """The plan PostgreSQL picks when it may neither scan the table nor walk an index whole
    (which a few rows would make cheaper): only an index that serves the condition is left, and
    a condition that none serves gets its scan anyway."""
    with connection.cursor() as cursor:
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    return queryset.order_by().explain()


@postgresql_only
def test_search_indexes_exist(db):
    indexes = _index_definitions()

    assert "USING gin (upper((name)::text) gin_trgm_ops)" in indexes["client_name_trgm_idx"]
    assert "USING btree (inn varchar_pattern_ops)" in indexes["client_inn_prefix_idx"]


@postgresql_only
@pytest.mark.parametrize("query", ["сталь", "Steel 4"])
def test_name_search_goes_through_the_trigram_index(query, companies):
    plan = _plan(client_match(Client.objects.all(), query))

    assert "client_name_trgm_idx" in plan
    assert "Seq Scan" not in plan


@postgresql_only
def test_digits_search_reads_names_and_inns_through_their_indexes(companies):
    plan = _plan(client_match(Client.objects.all(), "2466"))

    assert "client_name_trgm_idx" in plan
    assert "client_inn_prefix_idx" in plan
    assert "Seq Scan" not in plan


@postgresql_only
def test_manager_visibility_reads_their_two_sets_through_indexes(manager, outsider):
    ClientFactory.create_batch(3, responsible_manager=outsider)
    TeamMemberFactory(client=ClientFactory(responsible_manager=outsider), user=manager)

    plan = _plan(clients_visible_to(manager))

    assert "accounts_client_responsible_manager_id" in plan or "client_manager_idx" in plan
    assert "accounts_teammember_user_id" in plan
    assert "Seq Scan" not in plan
