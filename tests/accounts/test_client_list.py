"""The client list: visibility, filters, sorting, keyset pagination, htmx and query counts."""

import base64
import json
from datetime import date, timedelta

import django_filters
import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.filters import (
    INDUSTRIES,
    RESPONSIBLE,
    Reference,
    reference_choices,
    region_choices,
    regions_used,
)
from accounts.models import NEVER, ChoicesVersion, Client
from accounts.selectors import SeenOpening
from accounts.services import list_columns_save
from accounts.views import clients as client_views
from kam import pagination, prepared
from kam.pagination import encode_cursor, keyset_page
from tests.accounts.conftest import valid_inn
from tests.factories import ClientFactory, IndustryFactory, ManagerFactory, PointFactory, TeamMemberFactory

LIST_URL = reverse("accounts:client_list")


def names(response):
    return [client.name for client in response.context["page"].rows]


@pytest.fixture
def base(manager, outsider):
    """Four clients: two the manager is responsible for, one on their team, one someone else's."""
    steel = IndustryFactory(name="Steel")
    food = IndustryFactory(name="Food")
    clients = {
        "delta": ClientFactory(
            name="Delta Foods", inn=valid_inn("540100000"), industry=food, responsible_manager=manager
        ),
        "alpha": ClientFactory(
            name="Alpha Mills",
            inn=valid_inn("541200000"),
            industry=steel,
            responsible_manager=manager,
            status=Client.Status.PROSPECT,
        ),
        "charlie": ClientFactory(
            name="Charlie Oil", inn=valid_inn("770100000"), industry=steel, responsible_manager=outsider
        ),
        "bravo": ClientFactory(
            name="Bravo Gas", inn=valid_inn("780100000"), industry=food, responsible_manager=outsider
        ),
    }
    TeamMemberFactory(client=clients["charlie"], user=manager)
    PointFactory(client=clients["delta"], country="RU", region="RU-SPE", city="Saint Petersburg")
    PointFactory(client=clients["bravo"], country="RU", region="RU-SPE", city="Saint Petersburg")
    PointFactory(client=clients["alpha"], country="RU", region="RU-MOW", city="Moscow", is_head_office=True)
    return clients


def test_manager_sees_exactly_their_own_and_team_clients_by_name(base, as_manager):
    response = as_manager.get(LIST_URL)

    assert response.status_code == 200
    assert names(response) == ["Alpha Mills", "Charlie Oil", "Delta Foods"]
    assert "Bravo Gas" not in response.content.decode()
    assert "3 clients" in response.content.decode()
    assert '<h1 class="h3 mb-0">My clients</h1>' in response.content.decode()


@pytest.mark.parametrize("persona", ["as_director", "as_admin"])
def test_director_and_admin_see_every_client(persona, base, request):
    response = request.getfixturevalue(persona).get(LIST_URL)

    assert names(response) == ["Alpha Mills", "Bravo Gas", "Charlie Oil", "Delta Foods"]
    assert '<h1 class="h3 mb-0">Client base</h1>' in response.content.decode()


def test_list_row_shows_head_office_industry_and_manager(base, as_manager):
    response = as_manager.get(LIST_URL, {"q": "Alpha"})

    row = response.context["page"].rows[0]
    html = response.content.decode()
    assert (row.head_city, row.head_region, row.industry.name, str(row.responsible_manager)) == (
        "Moscow",
        "RU-MOW",
        "Steel",
        "Anna Smirnova",
    )
    assert f'<a href="/clients/{row.pk}/" title="{escape(row.legal_name)}">Alpha Mills</a>' in html
    assert '<span title="Moscow">Moscow</span>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "mill"}, ["Alpha Mills"]),
        ({"q": "  OIL "}, ["Charlie Oil"]),
        ({"q": "54"}, ["Alpha Mills", "Delta Foods"]),
        ({"q": "5412"}, ["Alpha Mills"]),
        ({"q": "7801"}, []),
        ({"status": "prospect"}, ["Alpha Mills"]),
        ({"status": "active"}, ["Charlie Oil", "Delta Foods"]),
        ({"region": "RU-SPE"}, ["Delta Foods"]),
        ({"region": "RU-MOW"}, ["Alpha Mills"]),
        ({"q": "a", "status": "active", "region": "RU-SPE"}, ["Delta Foods"]),
    ],
)
def test_manager_filters(query, expected, base, as_manager):
    response = as_manager.get(LIST_URL, query)

    assert names(response) == expected


def test_industry_filter(base, as_director):
    steel = base["alpha"].industry

    response = as_director.get(LIST_URL, {"industry": steel.pk})

    assert names(response) == ["Alpha Mills", "Charlie Oil"]


def test_director_filters_by_responsible_manager(base, as_director, outsider):
    response = as_director.get(LIST_URL, {"manager": outsider.pk})

    assert names(response) == ["Bravo Gas", "Charlie Oil"]
    assert 'name="manager"' in response.content.decode()


def test_manager_has_no_manager_filter_and_it_is_ignored(base, as_manager, outsider):
    response = as_manager.get(LIST_URL, {"manager": outsider.pk})

    assert "manager" not in response.context["filters"].form.fields
    assert 'name="manager"' not in response.content.decode()
    assert names(response) == ["Alpha Mills", "Charlie Oil", "Delta Foods"]


def test_unknown_filter_value_is_reported_and_ignored(base, as_manager):
    response = as_manager.get(LIST_URL, {"status": "archived"})

    assert names(response) == ["Alpha Mills", "Charlie Oil", "Delta Foods"]
    assert "Some filters were not understood and were ignored." in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-name", ["Delta Foods", "Charlie Oil", "Bravo Gas", "Alpha Mills"]),
        ("inn", ["Delta Foods", "Alpha Mills", "Charlie Oil", "Bravo Gas"]),
        ("-inn", ["Bravo Gas", "Charlie Oil", "Alpha Mills", "Delta Foods"]),
        ("status", ["Delta Foods", "Charlie Oil", "Bravo Gas", "Alpha Mills"]),
        ("bogus", ["Alpha Mills", "Bravo Gas", "Charlie Oil", "Delta Foods"]),
    ],
)
def test_sorting(sort, expected, base, as_director):
    response = as_director.get(LIST_URL, {"sort": sort})

    assert names(response) == expected


@pytest.fixture
def many(manager):
    """120 clients of the manager, named so that name order is creation order."""
    ClientFactory.reset_sequence(0)
    ClientFactory.create_batch(120, responsible_manager=manager, industry=None)
    return list(Client.objects.order_by("name", "pk").values_list("name", flat=True))


def test_keyset_pages_follow_each_other_without_overlap(many, as_manager):
    first = as_manager.get(LIST_URL)
    second = as_manager.get(LIST_URL, {"after": first.context["page"].next_cursor})
    third = as_manager.get(LIST_URL, {"after": second.context["page"].next_cursor})

    assert names(first) == many[:50]
    assert names(second) == many[50:100]
    assert names(third) == many[100:]
    assert third.context["page"].next_cursor == ""
    assert first.context["page"].previous_cursor == ""
    assert "120 clients" in first.content.decode()
    assert "120 clients" in third.content.decode()


def test_keyset_before_cursor_returns_the_previous_page_exactly(many, as_manager):
    first = as_manager.get(LIST_URL)
    second = as_manager.get(LIST_URL, {"after": first.context["page"].next_cursor})
    third = as_manager.get(LIST_URL, {"after": second.context["page"].next_cursor})

    back_to_second = as_manager.get(LIST_URL, {"before": third.context["page"].previous_cursor})
    back_to_first = as_manager.get(LIST_URL, {"before": second.context["page"].previous_cursor})

    assert names(back_to_second) == many[50:100]
    assert names(back_to_first) == many[:50]
    assert back_to_first.context["page"].previous_cursor == ""
    assert back_to_first.context["page"].next_cursor == first.context["page"].next_cursor


def test_keyset_descending_sort_pages(many, as_manager):
    first = as_manager.get(LIST_URL, {"sort": "-name"})
    second = as_manager.get(LIST_URL, {"sort": "-name", "after": first.context["page"].next_cursor})
    back = as_manager.get(LIST_URL, {"sort": "-name", "before": second.context["page"].previous_cursor})

    backwards = list(reversed(many))
    assert names(first) == backwards[:50]
    assert names(second) == backwards[50:100]
    assert names(back) == backwards[:50]


def test_next_link_keeps_the_filters_and_sort(many, as_manager):
    response = as_manager.get(LIST_URL, {"q": "Client", "sort": "-name"})

    cursor = response.context["page"].next_cursor
    assert f'href="?q=Client&amp;sort=-name&after={cursor}"' in response.content.decode()


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        _b64("not json"),
        _b64("[1]"),
        _b64('{"a": 1}'),
        _b64('[["Client 0060"], 5]'),
        _b64('["Client 0060", "5"]'),
        _b64('[{"dt": "yesterday"}, 5]'),
        "A" * 400,
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_garbage_cursor_falls_back_to_the_first_page(cursor, direction, many, as_manager):
    response = as_manager.get(LIST_URL, {direction: cursor})

    assert response.status_code == 200
    assert names(response) == many[:50]


def test_cursor_too_long_is_ignored_with_a_warning(many, as_manager):
    response = as_manager.get(LIST_URL, {"after": encode_cursor(["Client 0060", 1]) + "A" * 400})

    assert names(response) == many[:50]
    assert "Some filters were not understood and were ignored." in response.content.decode()


def test_cursor_of_another_sort_falls_back_to_the_first_page(many, as_manager):
    by_name = as_manager.get(LIST_URL).context["page"].next_cursor

    response = as_manager.get(LIST_URL, {"sort": "-updated", "after": by_name})

    assert response.status_code == 200
    assert len(names(response)) == 50


def test_cursor_with_a_nul_character_falls_back_to_the_first_page(many, as_manager):
    response = as_manager.get(LIST_URL, {"after": encode_cursor(["Client\x000060", 1])})

    assert response.status_code == 200
    assert names(response) == many[:50]


def test_keyset_updated_sort_pages_through_datetimes(many, as_manager):
    first = as_manager.get(LIST_URL, {"sort": "-updated"})
    second = as_manager.get(LIST_URL, {"sort": "-updated", "after": first.context["page"].next_cursor})

    expected = list(Client.objects.order_by("-updated_at", "-pk").values_list("name", flat=True))
    assert names(first) == expected[:50]
    assert names(second) == expected[50:100]


@pytest.fixture
def cap_at_ten(monkeypatch):
    """The count's cap at ten, and the list's opening prepared afresh for this test: its counts
    are compiled once per process with the cap of their day (a count compiled here would stop
    at eleven for the tests after it)."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    monkeypatch.setattr(
        client_views, "_OPENING", SeenOpening(client_views.OPENING_ORDER, size=client_views.LIST_PAGE_SIZE)
    )


@pytest.mark.parametrize(("rows", "total", "capped"), [(9, 9, False), (10, 10, False), (11, 10, True)])
def test_keyset_count_is_capped(rows, total, capped, manager, cap_at_ten):
    ClientFactory.create_batch(rows, responsible_manager=manager, industry=None)

    page = keyset_page(Client.objects.all(), order=["name", "pk"], size=4)

    assert (page.total, page.total_capped, len(page.rows)) == (total, capped, 4)


def test_capped_count_is_shown_as_more_than(manager, as_manager, cap_at_ten):
    ClientFactory.create_batch(12, responsible_manager=manager, industry=None)

    response = as_manager.get(LIST_URL)

    assert "More than 10 clients" in response.content.decode()
    assert len(names(response)) == 12


@pytest.mark.usefixtures("cap_at_ten")
@pytest.mark.parametrize("persona", ["manager", "director"])
def test_the_list_opens_on_its_prepared_counts_and_first_page(
    persona, manager, request, browser_for, monkeypatch
):
    """Past the cap, the list as it opens (no filter, by name) is counted and its first page's
    keys read through prepared queries: the page the same list shows sorted on purpose."""
    for n in range(14):
        ClientFactory(name=f"Own {n:02d}", responsible_manager=manager)
    for n in range(3):
        TeamMemberFactory(client=ClientFactory(name=f"Team {n}"), user=manager)
    ClientFactory(name="Aardvark, someone else's")
    browser = browser_for(request.getfixturevalue(persona))
    opening = SeenOpening(client_views.OPENING_ORDER, size=client_views.LIST_PAGE_SIZE)
    monkeypatch.setattr(client_views, "_OPENING", opening)
    counts, first = (
        (opening.manager_counts[0], opening.manager_first)
        if persona == "manager"
        else (opening.every_counts[0], opening.every_first)
    )

    opened = browser.get(LIST_URL)

    seen = Client.objects.filter(Q(responsible_manager=manager) | Q(team__user=manager))
    expected = (seen if persona == "manager" else Client.objects.all()).order_by("name", "pk")
    assert names(opened) == list(expected.values_list("name", flat=True))
    assert len(names(opened)) == (17 if persona == "manager" else 18)
    assert opened.context["page"].total_capped
    assert counts._compiled
    assert bool(first._compiled) is (connection.vendor == "postgresql")  # SQLite merges in Python


# Committed, as a request's changes are: the filters' version, which the queries kept for a
# filtered list go by, is read outside a transaction only (in one, the list is read as always).
KEPT = pytest.mark.django_db(transaction=True)


@KEPT
@pytest.mark.parametrize("persona", ["manager", "director"])
def test_a_list_filtered_by_value_alone_is_read_through_queries_kept_for_its_values(
    persona, manager, request, browser_for
):
    ChoicesVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks it
    for n in range(3):
        ClientFactory(name=f"Asleep {n}", status="inactive", responsible_manager=manager)
    ClientFactory(name="Awake", responsible_manager=manager)
    ClientFactory(name="Dozing, someone else's", status="inactive")
    browser = browser_for(request.getfixturevalue(persona))

    first = browser.get(LIST_URL, {"status": "inactive"})
    again = browser.get(LIST_URL, {"status": "inactive"})

    mine = ["Asleep 0", "Asleep 1", "Asleep 2"]
    assert (
        names(first) == names(again) == (mine if persona == "manager" else [*mine, "Dozing, someone else's"])
    )
    version = ChoicesVersion.objects.get().version
    assert list(client_views._FILTERED) == [(connection.alias, version, (("status", "inactive"),))]
    (kept,) = client_views._FILTERED.values()
    counts = kept.manager_counts if persona == "manager" else kept.every_counts
    assert counts[0]._compiled
    assert kept.narrows(request.getfixturevalue(persona))  # few match: read among the pks counted


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Asleep"},
        {"status": "inactive", "sort": "-name"},
        {"status": "inactive", "q": "Asleep"},
        {"status": "x"},
    ],
)
@KEPT
def test_a_search_another_order_or_a_wrong_value_keeps_no_queries(query, as_director):
    ChoicesVersion.objects.get_or_create(pk=1)
    ClientFactory(name="Asleep", status="inactive")

    response = as_director.get(LIST_URL, query)

    assert response.status_code == 200
    assert client_views._FILTERED == {}


@KEPT
def test_a_list_with_no_filter_set_opens_on_the_unfiltered_list_s_queries(as_director, monkeypatch):
    ChoicesVersion.objects.get_or_create(pk=1)
    ClientFactory(name="Open")
    opening = SeenOpening(client_views.OPENING_ORDER, size=client_views.LIST_PAGE_SIZE)
    monkeypatch.setattr(client_views, "_OPENING", opening)

    response = as_director.get(LIST_URL, {"status": "", "sort": "name"})

    assert names(response) == ["Open"]
    assert opening.every_counts[0]._compiled
    assert client_views._FILTERED == {}


@KEPT
def test_the_oldest_filtered_list_kept_makes_way(as_director, monkeypatch):
    ChoicesVersion.objects.get_or_create(pk=1)
    monkeypatch.setattr(client_views, "FILTERED_KEPT", 2)
    industry = IndustryFactory()
    ClientFactory(name="Kept", industry=industry)

    for query in ({"status": "inactive"}, {"status": "active"}, {"industry": industry.pk}):
        as_director.get(LIST_URL, query)

    assert [values for _alias, _version, values in client_views._FILTERED] == [
        (("status", "active"),),
        (("industry", str(industry.pk)),),
    ]
    assert names(as_director.get(LIST_URL, {"industry": industry.pk, "status": "active"})) == ["Kept"]


def test_htmx_request_gets_only_the_results_fragment(base, as_manager):
    response = as_manager.get(LIST_URL, {"q": "Delta"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.strip().startswith('<div id="results">')
    assert "<html" not in html
    assert "<form" not in html
    assert "Delta Foods" in html
    assert "Alpha Mills" not in html


def test_list_query_count_does_not_grow_with_rows(director, browser_for, assert_queries):
    # the session with the user, their roles, permissions, unread badge and columns, the filters'
    # choices (regions, industries and managers, in one query), capped count, the page's keys and
    # its rows by pk
    queries = 5
    browser = browser_for(director)

    def fill(count):
        for index in range(count):
            manager = ManagerFactory()
            client = ClientFactory(name=f"Row {index:03d}", responsible_manager=manager)
            PointFactory(client=client, is_head_office=True)
            TeamMemberFactory(client=client)

    fill(1)
    response = assert_queries(queries, lambda: browser.get(LIST_URL))
    assert len(names(response)) == 1
    fill(49)
    response = assert_queries(queries, lambda: browser.get(LIST_URL))
    assert len(names(response)) == 50


def test_manager_list_query_count_does_not_grow_with_rows(manager, browser_for, assert_queries):
    # As for the director while the manager is on no account team (read with them: their own
    # clients alone are counted); then one more: their clients are counted in two parts (their
    # own, their teams').
    own_only = 5
    # With team clients too, both parts give their first keys: on PostgreSQL in one UNION, which
    # orders the page; on SQLite each part apart. The page's rows are then read by pk, at once.
    both = own_only + 1 + (0 if connection.vendor == "postgresql" else 1)
    browser = browser_for(manager)
    ClientFactory(responsible_manager=manager)
    response = assert_queries(own_only, lambda: browser.get(LIST_URL))
    assert len(names(response)) == 1
    ClientFactory.create_batch(25, responsible_manager=manager)
    response = assert_queries(own_only, lambda: browser.get(LIST_URL))
    assert len(names(response)) == 26
    for other in ClientFactory.create_batch(24):
        TeamMemberFactory(client=other, user=manager)

    response = assert_queries(both, lambda: browser.get(LIST_URL))

    assert len(names(response)) == 50
    for other in ClientFactory.create_batch(30):
        TeamMemberFactory(client=other, user=manager)
    assert len(names(assert_queries(both, lambda: browser.get(LIST_URL)))) == 50


@pytest.fixture
def names_in_a_languages_collation(db):
    """On PostgreSQL, the clients' names in a language's collation, as most installations have,
    for the test (its transaction undoes it). The statements the session prepared before or
    during the test read the column as it was then: they are deallocated both times."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE accounts_client ALTER COLUMN name TYPE varchar(200) COLLATE "und-x-icu"')
    prepared.forget(connection)
    yield
    prepared.forget(connection)


@pytest.mark.usefixtures("names_in_a_languages_collation")
def test_a_manager_pages_through_own_and_team_clients_in_the_database_s_order(manager, browser_for):
    """The pager merges the manager's own clients and their teams' in the order the database
    gives their names (its collation), page after page, each client once."""
    browser = browser_for(manager)
    spelled = ["apple", "Banana", "cherry", "Date", "éclair", "Zeta", "ångström", "Ölkombinat", "1st"]
    for n in range(60):
        name = f"{spelled[n % len(spelled)]} {n:02d}"
        if n % 3:
            ClientFactory(name=name, responsible_manager=manager)
        else:
            TeamMemberFactory(client=ClientFactory(name=name), user=manager)
    ClientFactory(name="apple someone else's")
    expected = list(
        Client.objects.filter(Q(responsible_manager=manager) | Q(team__user=manager))
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )

    first = browser.get(LIST_URL)
    after = first.context["page"].next_cursor
    second = browser.get(LIST_URL, {"after": after})

    assert names(first) + names(second) == expected
    assert len(expected) == 60
    back = browser.get(LIST_URL, {"before": second.context["page"].previous_cursor})
    assert names(back) == expected[:50]


def test_encode_decode_cursor_roundtrip():
    cursor = encode_cursor(["Client 0001", 7])

    assert json.loads(base64.urlsafe_b64decode(cursor)) == ["Client 0001", 7]
    assert pagination.decode_cursor(cursor, [str, int]) == ("Client 0001", 7)


def test_the_region_filter_offers_each_used_region_once_by_name(base):
    PointFactory(client=base["alpha"], country="RU", region="RU-SPE", city="Saint Petersburg")
    PointFactory(client=base["alpha"], country="KZ", region="", city="Astana")

    assert region_choices() == [("RU-MOW", "Moscow"), ("RU-SPE", "Saint Petersburg")]


def test_the_reference_read_at_once_is_what_each_query_reads(base, director, outsider):
    """`reference_choices` reads in one query what `regions_used`, `INDUSTRIES` and `RESPONSIBLE`
    read apart, each in its own order (the database's collation, the inactive last)."""
    for name in ("steel works", "Álgebra", "Zinc", "ёлки", "Ёж", "apple"):
        IndustryFactory(name=name)
    PointFactory(client=base["alpha"], country="KZ", region="KZ-AST", city="Astana")
    ClientFactory(responsible_manager=director)
    gone = ManagerFactory(first_name="Ivan", last_name="Abramov", username="ia", is_active=False)
    ClientFactory(responsible_manager=gone)
    ManagerFactory(first_name="", last_name="", username="nameless")

    with_people = reference_choices(people=True)
    assert with_people == Reference(
        regions=sorted(regions_used()), industries=INDUSTRIES(), people=RESPONSIBLE()
    )
    assert with_people.people[-1] == (gone.pk, "Ivan", "Abramov", "ia", False)
    assert reference_choices(people=False) == Reference(
        regions=sorted(regions_used()), industries=INDUSTRIES(), people=[]
    )


def test_sorted_by_a_column_not_shown_pages_through_every_client(manager, as_manager):
    """A page's rows are read by pk with every shown column and the one sorted by, which the
    user does not show: the next page's cursor is made from it."""
    list_columns_save(user=manager, names=["manager"])
    clients = ClientFactory.create_batch(60, responsible_manager=manager)
    for n, client in enumerate(clients):
        client.last_touch_on = date(2026, 1, 1) + timedelta(days=n % 7) if n % 3 else None
    Client.objects.bulk_update(clients, ["last_touch_on"])
    by_touch = sorted(clients, key=lambda c: (c.last_touch_on or NEVER, c.pk), reverse=True)

    first = as_manager.get(LIST_URL, {"sort": "-last_touch"})
    second = as_manager.get(LIST_URL, {"sort": "-last_touch", "after": first.context["page"].next_cursor})

    assert names(first) + names(second) == [c.name for c in by_touch]
    assert [c.name for c in first.context["columns"]] == ["manager"]


def test_the_filters_choices_are_read_in_one_query(director, browser_for, settings):
    """The regions, the industries and the people to filter by: one query, not through a
    server-side cursor, as Django reads a model's choices on PostgreSQL (DECLARE, FETCH and
    CLOSE: three round trips for a few rows). The queries run as plain SQL here, to show which
    tables each reads (a statement prepared on the server shows as its EXECUTE)."""
    settings.KAM_PREPARED_STATEMENTS = False
    IndustryFactory(name="Mining")
    ClientFactory(responsible_manager=ManagerFactory(first_name="Gone", last_name="Away", is_active=False))
    PointFactory(region="RU-KYA")
    browser = browser_for(director)
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(LIST_URL)
    sqls = [query["sql"] for query in captured.captured_queries]

    assert [sql for sql in sqls if "DECLARE" in sql or "FETCH" in sql] == []
    (reference,) = [sql for sql in sqls if "accounts_industry" in sql]
    assert "accounts_pointofpresence" in reference
    assert "users_user" in reference
    html = response.content.decode()
    assert '<option value="RU-KYA">Krasnoyarsk Krai</option>' in html
    assert "Mining" in html
    assert "Gone Away" in html


def test_the_header_links_each_sorting_column_to_its_order_keeping_the_filters(director, browser_for):
    ClientFactory(name="Alpha Mills", responsible_manager=director)
    browser = browser_for(director)
    html = browser.get(LIST_URL, {"status": "active", "sort": "-last_touch"}).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]

    assert '<th><a href="?status=active&amp;sort=name">Client</a></th>' in head
    # The current order's column links to the other way and shows its arrow.
    assert 'href="?status=active&amp;sort=last_touch">Last touch ↓</a>' in head
    assert '<th title="The latest call, meeting, letter or event">' in head
    body = html[html.index("<tbody>") :]
    first_row = body[: body.index("</tr>")]
    headers = head.count("<th>") + head.count("<th ")
    assert headers == first_row.count("<td") == 13  # a header over each cell, the box's too


def test_the_registered_filters_are_made_once_and_each_list_filters_with_its_own(manager, monkeypatch):
    """The filters apps register are made once per process; each list copies them, bound to
    itself, and filters by its own value."""
    from accounts import extensions
    from accounts.extensions import ListFilter
    from accounts.filters import ClientFilter

    made = []

    def make():
        made.append(1)
        return django_filters.CharFilter(label="Probe", field_name="name")

    monkeypatch.setitem(extensions._filters, "probe", ListFilter("probe", make, 999))
    alpha, beta = ClientFactory(name="Alpha", responsible_manager=manager), ClientFactory(name="Beta")
    lists = [
        ClientFilter({"probe": name}, queryset=Client.objects.all(), user=manager)
        for name in ("Alpha", "Beta")
    ]

    assert len(made) == 1
    first, second = (each.filters["probe"] for each in lists)
    assert first is not second
    assert (first.parent, second.parent) == tuple(lists)
    assert [list(each.qs) for each in lists] == [[alpha], [beta]]
