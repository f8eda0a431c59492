"""Global search: any client by name or INN, but only who owns it when the user may not open it."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import valid_inn
from tests.factories import ClientFactory, ManagerFactory, PointFactory, TeamMemberFactory

SEARCH_URL = reverse("accounts:client_search")
HINT = "Type at least two characters of a name or the first digits of an INN."


def found(response):
    return [(client.name, may_open) for client, may_open in response.context["results"]]


@pytest.fixture
def clients(manager, outsider, teammate):
    mine = ClientFactory(name="Siberian Steel", inn=valid_inn("246600000"), responsible_manager=manager)
    theirs = ClientFactory(
        name="Steel Siberia Trade", inn=valid_inn("246500000"), responsible_manager=outsider
    )
    shared = ClientFactory(name="Baltic Steel", inn=valid_inn("780100000"), responsible_manager=outsider)
    TeamMemberFactory(client=shared, user=manager)
    PointFactory(client=theirs, region="RU-NVS", city="Berdsk", is_head_office=False)
    PointFactory(client=theirs, region="RU-NVS", city="Novosibirsk", is_head_office=True)
    return {"mine": mine, "theirs": theirs, "shared": shared}


def test_search_by_name_finds_every_client(clients, as_manager):
    response = as_manager.get(SEARCH_URL, {"q": "steel"})

    assert found(response) == [
        ("Baltic Steel", True),
        ("Siberian Steel", True),
        ("Steel Siberia Trade", False),
    ]


def test_search_by_inn_prefix_finds_every_client(clients, as_manager):
    response = as_manager.get(SEARCH_URL, {"q": "2466"})
    broader = as_manager.get(SEARCH_URL, {"q": " 246 "})

    assert found(response) == [("Siberian Steel", True)]
    assert found(broader) == [("Siberian Steel", True), ("Steel Siberia Trade", False)]


def test_search_by_inn_and_kpp_finds_the_branch(clients, as_manager, outsider):
    mine = clients["mine"]
    mine.kpp = "246601001"
    mine.save()
    ClientFactory(name="Siberian Steel, Achinsk", inn=mine.inn, kpp="244301001", responsible_manager=outsider)

    exact = as_manager.get(SEARCH_URL, {"q": f"{mine.inn}/246601001"})
    branches = as_manager.get(SEARCH_URL, {"q": f"{mine.inn}/24"})
    html = as_manager.get(SEARCH_URL, {"q": "Siberian Steel"}).content.decode()

    assert found(exact) == [("Siberian Steel", True)]
    assert found(branches) == [("Siberian Steel", True), ("Siberian Steel, Achinsk", False)]
    assert f'<td class="font-monospace small">{mine.inn}/246601001</td>' in html


def test_visible_client_is_a_link_with_its_inn(clients, as_manager):
    mine = clients["mine"]

    html = as_manager.get(SEARCH_URL, {"q": "Siberian Steel"}).content.decode()

    assert f'<td><a href="/clients/{mine.pk}/">Siberian Steel</a></td>' in html
    assert f'<td class="font-monospace small">{mine.inn}</td>' in html


def test_visible_client_without_an_inn_or_a_head_office_shows_dashes(manager, as_manager):
    prospect = ClientFactory(name="Nameless Prospect", inn="", kpp="", responsible_manager=manager)

    html = as_manager.get(SEARCH_URL, {"q": "Nameless"}).content.decode()

    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert f'<tr><td><a href="/clients/{prospect.pk}/">Nameless Prospect</a></td>' in row
    assert '<td class="font-monospace small">—</td><td>—</td>' in row


def test_hidden_client_shows_name_city_and_manager_but_no_link_or_inn(clients, as_manager):
    theirs = clients["theirs"]

    html = as_manager.get(SEARCH_URL, {"q": "Siberia Trade"}).content.decode()

    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert (
        '<td>Steel Siberia Trade <span class="badge text-bg-light">another manager&#x27;s client</span></td>'
        in row
    )
    assert f"/clients/{theirs.pk}/" not in html
    assert theirs.inn not in html
    assert '<td class="font-monospace small">—</td>' in row
    assert "<td>Novosibirsk</td>" in row
    assert "<td>Oleg Petrov</td>" in row


def test_team_member_gets_a_link_to_the_shared_card(clients, as_manager):
    shared = clients["shared"]

    html = as_manager.get(SEARCH_URL, {"q": "Baltic"}).content.decode()

    assert f'<a href="/clients/{shared.pk}/">Baltic Steel</a>' in html
    assert shared.inn in html


@pytest.mark.parametrize("persona", ["as_director", "as_admin"])
def test_director_and_admin_may_open_every_result(persona, clients, request):
    response = request.getfixturevalue(persona).get(SEARCH_URL, {"q": "steel"})

    assert found(response) == [
        ("Baltic Steel", True),
        ("Siberian Steel", True),
        ("Steel Siberia Trade", True),
    ]


@pytest.mark.parametrize("query", ["", "s", " s ", "7"])
def test_fewer_than_two_characters_shows_the_hint(query, clients, as_manager):
    response = as_manager.get(SEARCH_URL, {"q": query})

    assert found(response) == []
    assert HINT in response.content.decode()
    assert "<table" not in response.content.decode()


def test_no_match_says_so(clients, as_manager):
    response = as_manager.get(SEARCH_URL, {"q": "Copper"})

    assert found(response) == []
    assert "No client matches “Copper”." in response.content.decode()


def test_search_query_is_escaped(clients, as_manager):
    response = as_manager.get(SEARCH_URL, {"q": "<script>x</script>"})

    assert "<script>x</script>" not in response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in response.content.decode()


def test_search_shows_at_most_25_and_says_so(manager, as_manager):
    ClientFactory.create_batch(30, responsible_manager=manager, industry=None)

    response = as_manager.get(SEARCH_URL, {"q": "Client"})

    assert len(found(response)) == 25
    assert "Only the first 25 matches are shown: type more to narrow the search." in response.content.decode()


def test_search_ignores_case_of_cyrillic_names(outsider, as_manager):
    ClientFactory(name="Сибирская Сталь", responsible_manager=outsider)

    response = as_manager.get(SEARCH_URL, {"q": "сталь"})

    assert found(response) == [("Сибирская Сталь", False)]


def test_search_with_a_nul_character_is_answered(clients, as_manager):
    response = as_manager.get(SEARCH_URL, {"q": "st\x00eel"})

    assert response.status_code == 200
    assert found(response) == []


def _steel_works(count, *, shared_with=None):
    for _ in range(count):
        client = ClientFactory(name="Steel works", responsible_manager=ManagerFactory())
        PointFactory(client=client, city="Omsk", is_head_office=True)
        if shared_with is not None:
            TeamMemberFactory(client=client, user=shared_with)


def test_search_query_count_does_not_grow_with_results(manager, as_manager, assert_queries):
    # the session with the user, their roles, permissions and unread badge, the matches, the ones it
    # may open
    queries = 3
    _steel_works(1)
    small = assert_queries(queries, lambda: as_manager.get(SEARCH_URL, {"q": "steel"}))
    _steel_works(9)
    _steel_works(10, shared_with=manager)

    large = assert_queries(queries, lambda: as_manager.get(SEARCH_URL, {"q": "steel"}))

    assert (len(found(small)), len(found(large))) == (1, 20)
    assert [may_open for _name, may_open in found(large)].count(True) == 10
    assert large.content.decode().count("<td>Omsk</td>") == 20


def test_a_director_s_search_asks_nothing_more_of_what_they_may_open(director, browser_for, assert_queries):
    """They open every card: no query asks which of the matches they may."""
    _steel_works(3)
    browser = browser_for(director)

    response = assert_queries(2, lambda: browser.get(SEARCH_URL, {"q": "steel"}))

    assert [may_open for _name, may_open in found(response)] == [True, True, True]
