"""D-group routing pages: from the client list filtered to D, preview, apply, list and reverse."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client
from segmentation.droute import selectors
from segmentation.models import DRoute, DRouteBatch, DRouteKind, Policy
from tests.factories import ManagerFactory
from tests.helpers import messages_of
from tests.segmentation.droute.conftest import d_client, set_route, state

LIST = reverse("accounts:client_list")
PREVIEW = reverse("segmentation:d_route_preview")
APPLY = reverse("segmentation:d_route_apply")
BATCHES = reverse("segmentation:d_route_batches")

pytestmark = pytest.mark.usefixtures("english")


def batch_url(batch: DRouteBatch) -> str:
    return reverse("segmentation:d_route_batch", args=[batch.pk])


def reverse_url(batch: DRouteBatch) -> str:
    return reverse("segmentation:d_route_reverse", args=[batch.pk])


def token_for(**selection) -> str:
    ids = selection.get("client")
    clients = Client.objects.filter(pk__in=ids) if ids else Client.objects.filter(segment__category="D")
    return selectors.preview(
        clients, selectors.policy_route(Policy.current()), asked=len(ids) if ids else None
    ).token


@pytest.fixture
def routing(base, to_employee, director) -> DRouteBatch:
    return DRouteBatch.objects.create(
        route=DRouteKind.EMPLOYEE,
        employee=base.employee,
        clients=0,
        applied_by=director,
        applied_at=timezone.now(),
    )


# Access


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, routing, method):
    for url in [PREVIEW, APPLY, BATCHES, batch_url(routing), reverse_url(routing)]:
        response = getattr(client, method)(url)

        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize("method", ["get", "post"])
def test_managers_are_forbidden_and_nothing_is_written(as_manager, base, routing, method):
    before = state(base.everyone)
    data = {"client": [c.pk for c in base.d], "token": token_for(client=[c.pk for c in base.d])}

    for url in [PREVIEW, APPLY, BATCHES, batch_url(routing), reverse_url(routing)]:
        assert getattr(as_manager, method)(url, data).status_code == 403, url

    assert state(base.everyone) == before
    assert DRouteBatch.objects.get().reversed_at is None


def test_wrong_methods_are_refused(as_director, routing):
    assert as_director.post(PREVIEW).status_code == 405
    assert as_director.get(APPLY).status_code == 405
    assert as_director.post(BATCHES).status_code == 405
    assert as_director.post(batch_url(routing)).status_code == 405
    assert as_director.get(reverse_url(routing)).status_code == 405
    assert as_director.put(APPLY).status_code == 405


# The client list


def test_the_list_filtered_to_d_offers_the_routing_to_directors(as_director, base):
    response = as_director.get(LIST, {"category": "D"})

    content = response.content.decode()
    assert [a.name for a in response.context["actions"]] == ["d_route", "move"]
    assert "Route D clients:" in content
    assert f'formaction="{PREVIEW}"' in content
    assert f'href="{PREVIEW}?category=D&amp;all=1"' in content
    assert "all 4 matching clients" in content
    for client in base.d:
        assert f'name="client" value="{client.pk}" form="list-action"' in content


def test_the_list_offers_no_routing_unfiltered_or_to_managers(
    browser_for, director, manager, base, client_card
):
    as_director, as_manager = browser_for(director), browser_for(manager)  # two browsers: two sessions

    def offered(response):
        return [action.name for action in response.context["actions"]]

    assert offered(as_director.get(LIST)) == ["move"]  # moving to another manager applies everywhere
    assert offered(as_director.get(LIST, {"category": "C"})) == ["move"]
    manager_page = as_manager.get(LIST, {"category": "D"})
    assert offered(manager_page) == []
    assert 'form="list-action"' not in manager_page.content.decode()


# Preview


def test_preview_of_ticked_clients_says_how_many_from_whom_to_whom(as_director, base, to_employee):
    ticked = [c.pk for c in base.everyone]

    response = as_director.get(PREVIEW, {"client": ticked, "back": "category=D&sort=name"})

    content = response.content.decode()
    found = response.context["preview"]
    assert response.status_code == 200
    assert (found.routed, found.not_d, found.already, found.missing) == (4, 2, 0, 0)
    assert "All to one employee: <strong>Dina Small</strong>" in content
    assert "4 clients will be routed." in content
    assert "2 are not in category D (or have no category yet);" in content
    assert '<td>Anna Smirnova</td><td class="text-end">2</td>' in content
    assert "Route 4 clients" in content
    assert f'href="{LIST}?category=D&amp;sort=name"' in content
    assert response.context["selection"] == [("client", str(pk)) for pk in sorted(ticked)]


def test_preview_of_all_matching_reads_the_lists_filters(as_director, base, to_employee):
    response = as_director.get(PREVIEW, {"category": "D", "q": "a", "all": "1"})

    found = response.context["preview"]
    assert (found.found, found.routed) == (4, 4)
    assert response.context["selection"] == [("all", "1"), ("category", "D"), ("q", "a")]
    assert response.context["back"] == "category=D&q=a"


def test_preview_reports_unknown_ids(as_director, base, to_employee):
    response = as_director.get(PREVIEW, {"client": [base.d[0].pk, 999_999]})

    assert response.context["preview"].missing == 1
    assert "1 was not found (deleted, or not yours to see)." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"back": "category=D"},
            "No clients were selected: tick some clients in the list, or choose all matching clients.",
        ),
        ({"client": ["1x"], "back": "category=D"}, "The ticked clients were not understood."),
        ({"client": ["-1"], "back": "category=D"}, "The ticked clients were not understood."),
        (
            {"client": [str(n) for n in range(501)], "back": "category=D"},
            "At most 500 clients can be ticked; choose all matching clients instead.",
        ),
        (
            {"all": "1", "category": "Z"},
            "Some filters of the list were not understood, so no clients were selected.",
        ),
    ],
)
def test_preview_of_a_bad_selection_goes_back_to_the_list_saying_why(
    as_director, base, to_employee, query, message
):
    response = as_director.get(PREVIEW, query)

    assert response.status_code == 302
    assert response.url == f"{LIST}?category={query.get('category', 'D')}"
    assert messages_of(response) == [message]


def test_preview_without_a_route_links_admins_to_the_policy(as_admin, base):
    response = as_admin.get(PREVIEW, {"category": "D", "all": "1"})

    content = response.content.decode()
    assert "The policy names no route for D clients yet" in content
    assert f'href="{reverse("segmentation:policy")}#div_id_d_route"' in content
    assert (
        "4 selected clients are in category D: they can be routed once the policy names a route." in content
    )
    assert 'id="apply-form"' not in content


def test_preview_without_a_route_tells_directors_who_chooses_it(as_director, base):
    content = as_director.get(PREVIEW, {"category": "D", "all": "1"}).content.decode()

    assert "An admin chooses it on the policy page." in content
    assert reverse("segmentation:policy") not in content


@pytest.mark.parametrize("size", [1, 50])
def test_preview_runs_the_same_queries_for_1_and_50_clients(as_director, director, assert_queries, size):
    set_route(DRouteKind.EMPLOYEE, employee=ManagerFactory())
    for number in range(size):
        d_client(ManagerFactory(), f"Client {number:03d}")

    response = assert_queries(8, lambda: as_director.get(PREVIEW, {"category": "D", "all": "1"}))

    assert response.context["preview"].routed == size


# Apply


def test_apply_routes_and_opens_the_batch(as_director, base, to_employee, director):
    ids = [c.pk for c in base.everyone]

    response = as_director.post(APPLY, {"client": ids, "token": token_for(client=ids)})

    batch = DRouteBatch.objects.get()
    assert (response.status_code, response.url) == (302, batch_url(batch))
    assert messages_of(response) == ["4 clients were routed: All to one employee: Dina Small."]
    assert all(manager == base.employee.pk for manager, *_ in state(base.d).values())


def test_apply_of_all_matching_routes_the_filtered_set(as_director, base, director):
    set_route(DRouteKind.PARTNER, partner="Partner LLC")

    as_director.post(APPLY, {"all": "1", "category": "D", "token": token_for()})

    assert set(DRoute.objects.values_list("client_id", flat=True)) == {c.pk for c in base.d}


def test_apply_of_a_stale_preview_shows_it_again_and_writes_nothing(as_director, base, to_employee):
    token = token_for()
    d_client(base.anna, "Zeta Late")
    before = state(base.everyone)

    response = as_director.post(APPLY, {"all": "1", "category": "D", "token": token})

    assert response.status_code == 409
    assert response.context["preview"].routed == 5
    assert (
        "Nothing was changed: the clients, their categories or the policy&#x27;s route changed"
        in response.content.decode()
    )
    assert (DRouteBatch.objects.count(), state(base.everyone)) == (0, before)


def test_apply_without_a_route_is_refused(as_admin, base):
    response = as_admin.post(APPLY, {"all": "1", "category": "D", "token": "x"})

    assert response.status_code == 400
    assert "The policy names no route for D clients yet" in response.content.decode()
    assert DRouteBatch.objects.count() == 0


def test_apply_when_nothing_can_move_is_refused(as_director, base, to_employee):
    ids = [c.pk for c in base.others]

    response = as_director.post(APPLY, {"client": ids, "token": token_for(client=ids)})

    assert response.status_code == 400
    assert "Nothing was changed: none of the selected clients can be routed." in response.content.decode()
    assert DRouteBatch.objects.count() == 0


def test_apply_of_an_empty_selection_is_refused(as_director, base, to_employee):
    response = as_director.post(APPLY, {"token": "x", "back": "category=D"})

    assert (response.status_code, response.url) == (302, f"{LIST}?category=D")
    assert DRouteBatch.objects.count() == 0


# The batches and their reversal


def test_batch_page_shows_the_previous_managers_and_what_a_reversal_restores(as_director, base, to_employee):
    ids = [c.pk for c in base.d]
    as_director.post(APPLY, {"client": ids, "token": token_for(client=ids)})
    batch = DRouteBatch.objects.get()
    Client.objects.filter(pk=base.d[0].pk).update(responsible_manager=base.boris)

    response = as_director.get(batch_url(batch))

    content = response.content.decode()
    assert (response.context["reversible"], response.context["changed"]) == (3, 1)
    assert "3 clients are still as the routing left them" in content
    assert "1 client changed since (another manager or route) and will be left as it is." in content


def test_reverse_puts_clients_back_and_says_what_it_skipped(as_director, base, to_employee):
    start = state(base.d)
    ids = [c.pk for c in base.d]
    as_director.post(APPLY, {"client": ids, "token": token_for(client=ids)})
    batch = DRouteBatch.objects.get()
    Client.objects.filter(pk=base.d[0].pk).update(responsible_manager=base.boris)

    response = as_director.post(reverse_url(batch))

    assert (response.status_code, response.url) == (302, batch_url(batch))
    assert messages_of(response)[-1:] == [
        "3 clients were put back as they were before the routing. "
        "1 client changed since the routing and was left as it is."
    ]
    after = state(base.d)
    assert [after[pk] for pk in ids[1:]] == [start[pk] for pk in ids[1:]]
    again = as_director.post(reverse_url(batch))
    assert messages_of(again)[-1:] == ["Nothing was changed: this routing was reversed before."]


def test_unknown_batch_is_not_found(as_director):
    assert as_director.get(reverse("segmentation:d_route_batch", args=[999])).status_code == 404
    assert as_director.post(reverse("segmentation:d_route_reverse", args=[999])).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_batch_list_runs_the_same_queries_for_1_and_50_rows(as_admin, admin_user, assert_queries, rows):
    employee = ManagerFactory(first_name="Dina", last_name="Small")
    at = timezone.now()
    DRouteBatch.objects.bulk_create(
        DRouteBatch(
            route=DRouteKind.EMPLOYEE,
            employee=employee,
            clients=number,
            applied_by=admin_user,
            applied_at=at - datetime.timedelta(minutes=number),
        )
        for number in range(rows)
    )

    response = assert_queries(3, lambda: as_admin.get(BATCHES))

    assert len(response.context["page"].rows) == rows
    assert response.content.decode().count("All to one employee: Dina Small") == rows
