"""The directors' loyalty ladder: clients by ABCD category and highest rung reached, each count a
link to the client list filtered by both; access and a constant query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client
from plans.activities.selectors import ladder_table, list_url
from plans.models import Activity, ActivityKind, Rung
from segmentation.models import NightlyRun
from segmentation.segments.engine import recompute
from tests.factories import ClientFactory
from tests.plans.conftest import segment

pytestmark = pytest.mark.django_db

LADDER = reverse("plans:ladder")


def held(client, rung, *, days_ago=1):
    return Activity.objects.create(
        client=client,
        kind=ActivityKind.PROJECT_GROUP,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        title="Work",
        rung=rung,
    )


def counts(rows):
    """The table as {category: [none, 1..6]} plus each row's total."""
    return {row.value: ([cell.count for cell in row.cells], row.total.count) for row in rows}


def test_clients_are_counted_by_category_and_highest_rung_reached():
    a1, a2, b, c, unsorted = (ClientFactory() for _ in range(5))
    for client, category in ((a1, "A"), (a2, "A"), (b, "B"), (c, "C")):
        segment(client, category=category)
    held(a1, Rung.PRODUCT_USE)
    held(a1, Rung.BUSINESS)
    held(a1, Rung.THEIR_CLIENTS, days_ago=-3)  # planned: not reached yet
    held(a2, Rung.BUSINESS)
    held(b, Rung.STAFF)
    held(unsorted, Rung.TOP_MANAGERS)

    table = counts(ladder_table(timezone.localdate()))

    assert table == {
        "A": ([0, 0, 0, 0, 2, 0, 0], 2),
        "B": ([0, 0, 1, 0, 0, 0, 0], 1),
        "C": ([1, 0, 0, 0, 0, 0, 0], 1),
        "D": ([0, 0, 0, 0, 0, 0, 0], 0),
        "none": ([0, 0, 0, 0, 0, 1, 0], 1),
        "": ([1, 0, 1, 0, 2, 1, 0], 5),
    }


def test_each_count_opens_the_client_list_filtered_by_category_and_rung(as_director):
    a = ClientFactory(name="Alpha Steel")
    other = ClientFactory(name="Beta Cables")
    segment(a, category="A")
    segment(other, category="A")
    held(a, Rung.PROCESSES)
    cell = ladder_table(timezone.localdate())[0].cells[3]

    response = as_director.get(cell.url)

    assert cell.url == list_url("A", "3") == f"{reverse('accounts:client_list')}?category=A&rung=3"
    names = [client.name for client in response.context["page"].rows]
    assert names == ["Alpha Steel"]
    untouched = as_director.get(list_url("A", "none")).context["page"].rows
    assert [client.name for client in untouched] == ["Beta Cables"]


def test_the_director_sees_the_table_with_the_rungs_in_words(as_director, english):
    segment(ClientFactory(), category="B")

    response = as_director.get(LADDER)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Satisfying the client&#x27;s own clients" in page
    assert f'href="{LADDER}">Loyalty ladder</a>' in page
    assert 'href="/clients/?category=B&amp;rung=none">1</a>' in page


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(LADDER)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_managers_may_not_see_the_ladder(as_manager):
    assert as_manager.get(LADDER).status_code == 403
    assert "plans/ladder/" not in as_manager.get(reverse("accounts:client_list")).content.decode()


def test_wrong_method_is_refused(as_director):
    assert as_director.post(LADDER).status_code == 405


def test_query_count_does_not_grow_with_clients_counted_live(director, browser_for, assert_queries):
    # the session with the user, their groups (the permission) and unread notifications, the last
    # run's figures (none: segments made by hand), the one aggregate over the base
    queries = 3
    browser = browser_for(director)
    first = ClientFactory()
    held(first, Rung.STAFF)
    response = assert_queries(queries, lambda: browser.get(LADDER))
    assert response.context["rows"][-1].total.count == 1
    for n, client in enumerate(ClientFactory.create_batch(49)):
        segment(client, category="ABCD"[n % 4])
        held(client, Rung(n % 6 + 1))

    response = assert_queries(queries, lambda: browser.get(LADDER))

    assert response.context["rows"][-1].total.count == 50


def test_with_the_runs_figures_only_the_clients_with_activities_are_read(
    director, browser_for, assert_queries
):
    # the session with the user, their groups (the permission) and unread notifications, the last
    # run's figures, the clients' highest rungs and their categories
    queries = 4
    browser = browser_for(director)
    today = timezone.localdate()
    first = ClientFactory()
    held(first, Rung.STAFF)
    recompute(today=today)
    response = assert_queries(queries, lambda: browser.get(LADDER))
    assert counts(response.context["rows"])[""] == ([0, 0, 1, 0, 0, 0, 0], 1)
    for n, client in enumerate(ClientFactory.create_batch(49)):
        if n % 2:
            held(client, Rung(n % 6 + 1))
    recompute(today=today)
    held(first, Rung.THEIR_CLIENTS)  # an activity since the run counts at once
    held(ClientFactory(), Rung.BUSINESS)  # a client the run has not seen: not in its figures yet

    response = assert_queries(queries, lambda: browser.get(LADDER))

    table = counts(response.context["rows"])
    assert table[""] == ([25, 0, 8, 0, 8, 0, 9], 50)
    assert table == counts(_live(today))


def _live(today):
    """The table counted live over the base (no run's figures), without the new client the run
    has not seen."""
    NightlyRun.objects.all().delete()
    Client.objects.filter(segment__isnull=True).delete()
    return ladder_table(today)


def test_the_run_s_categories_are_read_once_a_run(director, browser_for, assert_queries):
    """The first ladder after a run reads the categories of the clients with an activity; the
    next ones read only those of clients whose first activity came since; a new run reads them
    all again."""
    browser = browser_for(director)
    today = timezone.localdate()
    first = ClientFactory()
    held(first, Rung.STAFF)
    recompute(today=today)
    read = counts(assert_queries(4, lambda: browser.get(LADDER)).context["rows"])
    assert read[""] == ([0, 0, 1, 0, 0, 0, 0], 1)

    again = assert_queries(3, lambda: browser.get(LADDER))
    assert counts(again.context["rows"]) == read
    held(first, Rung.THEIR_CLIENTS)
    held(ClientFactory(), Rung.BUSINESS)  # a client the run has not seen: not in its figures yet
    newcomer = counts(assert_queries(4, lambda: browser.get(LADDER)).context["rows"])
    assert newcomer[""] == ([0, 0, 0, 0, 0, 0, 1], 1)
    assert counts(assert_queries(3, lambda: browser.get(LADDER)).context["rows"]) == newcomer
    recompute(today=today)

    after_the_run = assert_queries(4, lambda: browser.get(LADDER))

    assert counts(after_the_run.context["rows"])[""] == ([0, 0, 0, 0, 1, 0, 1], 2)
