"""The list of potential estimates to do: clients not analysed or with stale estimates.
Access, exact content, ordering, paging, query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import Client
from kam import drawn_rows, pagination
from segmentation.models import Policy, PotentialEstimate
from segmentation.potential import cells as potential_cells
from segmentation.potential import selectors as potential_selectors
from tests.factories import ClientFactory, ManagerFactory, ProductGroupFactory, TeamMemberFactory
from tests.segmentation.conftest import TODO_URL

TODAY = date(2025, 3, 31)


def todo_names(response):
    return [row.client.name for row in response.context["rows"]]


@pytest.fixture
def today(monkeypatch):
    """Freeze the list's date: the stale boundary is computed from it."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["as_manager", "as_director", "as_admin"])
def test_everyone_signed_in_sees_estimates_to_do(persona, request, policy):
    response = request.getfixturevalue(persona).get(TODO_URL)

    assert response.status_code == 200
    assert response.context["nav"] == "todo"


# Estimates to do ---------------------------------------------------------------------------


def estimate(client, on, group=None):
    return PotentialEstimate.objects.create(
        client=client,
        product_group=group or ProductGroupFactory(),
        amount=Decimal(1000),
        source=PotentialEstimate.Source.SURVEY,
        estimated_on=on,
    )


@pytest.fixture
def estimates(manager, outsider, teammate_client):
    """The manager's clients at each side of the 12-month boundary (today 31.03.2025)."""
    make = {
        name: ClientFactory(name=name, responsible_manager=manager)
        for name in ["Never", "Boundary", "Day Over", "Mixed", "Old", "Fresh"]
    }
    estimate(make["Boundary"], date(2024, 3, 31))
    estimate(make["Day Over"], date(2024, 3, 30))
    estimate(make["Mixed"], date(2023, 1, 5))
    estimate(make["Mixed"], date(2024, 6, 1))
    estimate(make["Old"], date(2022, 2, 28))
    estimate(make["Old"], date(2023, 2, 28))
    estimate(make["Fresh"], TODAY)
    ClientFactory(name="Gone", responsible_manager=manager, status=Client.Status.INACTIVE)
    ClientFactory(name="Theirs", responsible_manager=outsider)
    return make


@pytest.fixture
def teammate_client(manager, outsider):
    """The outsider's client with the manager on its account team: visible to both."""
    client = ClientFactory(name="Team", responsible_manager=outsider)
    TeamMemberFactory(client=client, user=manager)
    return client


def test_todo_lists_not_analysed_and_stale_at_the_exact_boundary(estimates, as_manager, today, policy):
    response = as_manager.get(TODO_URL)

    assert todo_names(response) == ["Day Over", "Never", "Old", "Team"]
    rows = {row.client.name: row for row in response.context["rows"]}
    assert rows["Never"].stale_since is None
    assert rows["Day Over"].stale_since == date(2025, 3, 31)
    assert rows["Old"].stale_since == date(2024, 3, 1)


def test_todo_row_text_and_link_to_the_potential_tab(estimates, as_manager, today, policy):
    html = as_manager.get(TODO_URL).content.decode()

    never = estimates["Never"].pk
    assert f'href="{reverse("segmentation:potential", args=[never])}"' in html
    assert '<span class="badge text-bg-secondary">not analysed</span>' in html
    assert '<span class="badge text-bg-warning">stale since 31 Mar 2025</span>' in html
    assert "newest estimate 28 Feb 2023" in html
    assert "4 clients" in html


def test_manager_sees_only_visible_clients_and_no_manager_filter(
    estimates, as_manager, outsider, today, policy
):
    response = as_manager.get(TODO_URL, {"manager": outsider.pk})

    assert todo_names(response) == ["Day Over", "Never", "Old", "Team"]
    assert "manager" not in response.context["filters"].form.fields
    assert [(str(c.manager), c.not_analysed, c.stale) for c in response.context["counts"]] == [
        ("Anna Smirnova", 1, 2),
        ("Oleg Petrov", 1, 0),
    ]


def test_outsider_sees_only_their_own_clients(estimates, as_outsider, today, policy):
    response = as_outsider.get(TODO_URL)

    assert todo_names(response) == ["Team", "Theirs"]


def test_director_sees_everyone_with_counts_per_manager(estimates, as_director, today, policy):
    unassigned = ClientFactory(name="Nobody's", responsible_manager=None)

    response = as_director.get(TODO_URL)

    assert todo_names(response) == ["Day Over", "Never", "Nobody's", "Old", "Team", "Theirs"]
    assert [
        (str(c.manager or "-"), c.not_analysed, c.stale, c.total) for c in response.context["counts"]
    ] == [
        ("Anna Smirnova", 1, 2, 3),
        ("Oleg Petrov", 2, 0, 2),
        ("-", 1, 0, 1),
    ]
    assert unassigned.pk in [row.client.pk for row in response.context["rows"]]


def test_director_filters_todo_by_manager_and_state(estimates, as_director, outsider, manager, today, policy):
    theirs = as_director.get(TODO_URL, {"manager": outsider.pk})
    stale = as_director.get(TODO_URL, {"manager": manager.pk, "state": "stale"})
    never = as_director.get(TODO_URL, {"state": "not_analysed"})

    assert todo_names(theirs) == ["Team", "Theirs"]
    assert todo_names(stale) == ["Day Over", "Old"]
    assert todo_names(never) == ["Never", "Team", "Theirs"]
    assert f'<a href="?manager={outsider.pk}">Oleg Petrov</a>' in theirs.content.decode()


def test_counts_table_names_each_manager_with_a_link_to_their_clients(
    estimates, as_director, outsider, manager, today, policy
):
    ClientFactory(name="Nobody's", responsible_manager=None)

    html = as_director.get(TODO_URL).content.decode()
    table = html[html.index('id="todo-counts"') : html.index("</table>", html.index('id="todo-counts"'))]

    assert table.count("<tr>") == 4  # the heading and three rows
    assert (
        f'<tr><td><a href="?manager={manager.pk}">Anna Smirnova</a></td>'
        '<td class="text-end">1</td><td class="text-end">2</td></tr>'
    ) in table
    assert (
        f'<tr><td><a href="?manager={outsider.pk}">Oleg Petrov</a></td>'
        '<td class="text-end">2</td><td class="text-end">0</td></tr>'
    ) in table
    assert (
        '<tr><td><span class="badge text-bg-warning">nobody</span></td>'
        '<td class="text-end">1</td><td class="text-end">0</td></tr>'
    ) in table
    assert "Nothing to do." not in table


def test_a_manager_sees_their_counts_without_links(estimates, as_manager, today, policy):
    html = as_manager.get(TODO_URL).content.decode()

    assert '<tr><td>Anna Smirnova</td><td class="text-end">1</td><td class="text-end">2</td></tr>' in html
    assert "?manager=" not in html


def test_counts_table_says_when_there_is_nothing_to_do(as_director, policy):
    html = as_director.get(TODO_URL).content.decode()

    assert '<tr><td colspan="3" class="text-muted">Nothing to do.</td></tr>' in html


@pytest.mark.parametrize(("language", "written"), [("en", "12,345"), ("ru", "12\xa0345")])
def test_count_rows_escape_names_and_group_figures(language, written):
    person = ManagerFactory.build(pk=7, first_name="<b>Ann</b>", last_name="&Co")
    counts = [potential_selectors.ManagerTodo(person, 12345, 0)]

    with translation.override(language):
        html = potential_cells.count_rows(counts, linked=True)

    assert html == (
        f'<tr><td><a href="?manager=7">{escape(str(person))}</a></td>'
        f'<td class="text-end">{written}</td><td class="text-end">0</td></tr>'
    )
    assert "<b>" not in html


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, ["Day Over", "Never", "Old", "Team"]),
        ({"state": "stale"}, ["Day Over", "Old"]),
        ({"state": "not_analysed"}, ["Never", "Team"]),
        ({"state": "soon"}, ["Day Over", "Never", "Old", "Team"]),  # ignored, and counted
    ],
)
def test_the_heading_counts_what_the_list_holds(estimates, as_manager, today, policy, query, names):
    response = as_manager.get(TODO_URL, query)

    assert todo_names(response) == names
    assert f"{len(names)} clients" in response.content.decode()


def test_the_kept_counts_say_the_exact_number_past_the_cap_a_count_stops_at(
    estimates, as_director, outsider, today, policy, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)

    kept = as_director.get(TODO_URL).content.decode()
    counted = as_director.get(TODO_URL, {"state": "soon"}).content.decode()
    by_manager = as_director.get(TODO_URL, {"manager": outsider.pk}).content.decode()

    assert "5 clients" in kept
    assert "More than 3 clients" in counted
    assert "2 clients" in by_manager


def test_unknown_todo_filter_is_reported_and_ignored(estimates, as_manager, today, policy):
    response = as_manager.get(TODO_URL, {"state": "soon"})

    assert todo_names(response) == ["Day Over", "Never", "Old", "Team"]
    assert "Some filters were not understood and were ignored." in response.content.decode()


def test_stale_months_follow_the_policy(estimates, as_manager, today, policy):
    policy.estimate_stale_months = 24
    policy.save()

    response = as_manager.get(TODO_URL)

    assert todo_names(response) == ["Never", "Old", "Team"]
    assert response.context["rows"][1].stale_since == date(2025, 3, 1)


def _table(response):
    html = response.content.decode()
    start = html.index("<tbody>", html.index('<div id="rows">'))
    return html[start : html.index("</tbody>", start)]


def test_the_rows_kept_drawn_follow_estimates_and_the_policy(estimates, as_manager, today, policy):
    """A row is kept drawn by its client's values and the policy's months (`kam.drawn_rows`):
    what it shows after a change is what a process that kept nothing draws."""
    first = _table(as_manager.get(TODO_URL))
    assert "stale since 1 Mar 2024" in first

    estimate(estimates["Old"], date(2024, 1, 10))
    policy.estimate_stale_months = 15
    policy.save()
    kept = _table(as_manager.get(TODO_URL))
    drawn_rows.forget()
    assert kept == _table(as_manager.get(TODO_URL))
    assert "stale since 1 Mar 2024" not in kept
    assert "newest estimate 10 Jan 2024" not in kept  # fresh for 15 months: off the list
    assert "newest estimate 28 Feb 2023" not in kept

    policy.estimate_stale_months = 6
    policy.save()
    kept = _table(as_manager.get(TODO_URL))
    drawn_rows.forget()
    assert kept == _table(as_manager.get(TODO_URL))
    assert "newest estimate 10 Jan 2024" in kept


def test_stale_since_is_the_first_day_the_list_shows_the_estimate(policy):
    """The day after `stale_since` minus one is still fresh, on every day of two years."""
    start = date(2023, 1, 1)
    for offset in range(730):
        made = start + timedelta(days=offset)
        first = potential_selectors.stale_since(made, policy)
        assert made < potential_selectors.stale_before(first, policy), made
        assert not made < potential_selectors.stale_before(first - timedelta(days=1), policy), made


def test_stale_since_follows_the_policy_s_window_once_the_day_is_known(policy):
    """Kept per day and window: another window gives its own day, not the one found first."""
    made = date(2024, 2, 29)
    year = potential_selectors.stale_since(made, Policy(estimate_stale_months=12))
    half = potential_selectors.stale_since(made, Policy(estimate_stale_months=6))

    assert (year, half) == (date(2025, 3, 1), date(2024, 9, 1))  # 31 and 30 August less 6 months: 29 February
    assert potential_selectors.stale_since(made, Policy(estimate_stale_months=12)) == year


def test_todo_keyset_pages(manager, as_manager, today, policy):
    ClientFactory.reset_sequence(0)
    clients = ClientFactory.create_batch(60, responsible_manager=manager)
    group = ProductGroupFactory()
    for client in clients[::2]:
        estimate(client, date(2020, 1, 1), group)
    names = [c.name for c in clients]

    first = as_manager.get(TODO_URL)
    second = as_manager.get(TODO_URL, {"after": first.context["page"].next_cursor})
    back = as_manager.get(TODO_URL, {"before": second.context["page"].previous_cursor})

    assert todo_names(first) == names[:50]
    assert todo_names(second) == names[50:]
    assert todo_names(back) == names[:50]
    assert "60 clients" in first.content.decode()


def test_todo_htmx_request_gets_only_the_rows(estimates, as_manager, today, policy):
    response = as_manager.get(TODO_URL, {"state": "not_analysed"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.strip().startswith('<div id="rows">')
    assert "<html" not in html
    assert "<form" not in html
    assert ">Never</a>" in html
    assert ">Team</a>" in html
    assert ">Old</a>" not in html


def _todo_rows(count, user=None):
    group = ProductGroupFactory()
    for index in range(count):
        client = ClientFactory(responsible_manager=user or ManagerFactory())
        if index % 2:
            estimate(client, date(2020, 1, 1), group)


# the session with the user, their roles, permissions and unread badge, policy, the per-manager
# counts (the tally) and their managers, the page's keys, its rows by pk; and for the director
# only, the manager filter choices. The list is not counted: the counts say it. The manager is on
# no account team, so their keys are one part, their own clients, on either database.
@pytest.mark.parametrize(("persona", "queries"), [("director", 7), ("manager", 7)])
def test_todo_query_count_does_not_grow_with_rows(
    persona, queries, request, signed_in, today, policy, assert_queries
):
    user = request.getfixturevalue(persona)
    browser = signed_in(user)
    owner = None if persona == "director" else user
    _todo_rows(1, owner)
    response = assert_queries(queries, lambda: browser.get(TODO_URL))
    assert len(todo_names(response)) == 1
    _todo_rows(49, owner)

    response = assert_queries(queries, lambda: browser.get(TODO_URL))

    assert len(todo_names(response)) == 50
