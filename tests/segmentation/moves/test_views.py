"""The move pages: pick clients, preview both managers' loads, apply with a reason; a manager who
leaves; the moves made; the card's change of manager and the user page's handover offer."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client
from kam.users.models import User
from segmentation.models import Notification, Policy, Reassignment, ReassignmentItem
from segmentation.moves import selectors
from segmentation.notifications.words import notification_target, notification_text
from tests.factories import ClientFactory, DirectorFactory, ManagerFactory
from tests.helpers import messages_of
from tests.segmentation.moves.conftest import forbid, managers_of
from tests.users.test_user_management import edit_data

MOVE = reverse("segmentation:reassign")
MOVES = reverse("segmentation:reassignments")

pytestmark = pytest.mark.usefixtures("english")


def leave_url(user: User) -> str:
    return reverse("segmentation:manager_leave", args=[user.pk])


def moved_url(reassignment: Reassignment) -> str:
    return reverse("segmentation:reassignment", args=[reassignment.pk])


def token_for(ids, to) -> str:
    clients = Client.objects.filter(pk__in=ids)
    return selectors.preview(clients, selectors.targets(to), policy=Policy.current()).token


def apply_data(ids, to, reason="Balance the portfolios"):
    return {"client": ids, "to": to.pk, "reason": reason, "token": token_for(ids, to)}


@pytest.fixture
def done(base, director) -> Reassignment:
    return Reassignment.objects.create(
        reason="Earlier move", clients=0, applied_by=director, applied_at=timezone.now()
    )


# Access


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, base, done, method):
    for url in [MOVE, MOVES, moved_url(done), leave_url(base.anna)]:
        response = getattr(client, method)(url)

        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize("method", ["get", "post"])
def test_managers_are_forbidden_and_nothing_is_written(as_manager, base, done, method):
    before = managers_of(base.everyone)
    ids = [c.pk for c in base.anna_clients]

    for url in [MOVE, MOVES, moved_url(done), leave_url(base.anna)]:
        response = getattr(as_manager, method)(url, apply_data(ids, base.vera))
        assert response.status_code == 403, url

    assert managers_of(base.everyone) == before
    assert Reassignment.objects.count() == 1


def test_the_pages_are_for_those_who_assign_clients_not_for_the_read_only(client, base, done):
    """A user with no role (reads nothing) gets 403, as a manager does."""
    nobody = User.objects.create_user("reader", password="x-secret-1")
    client.force_login(nobody)

    for url in [MOVE, MOVES, moved_url(done), leave_url(base.anna)]:
        assert client.get(url).status_code == 403


def test_wrong_methods_are_refused(as_director, base, done):
    assert as_director.put(MOVE).status_code == 405
    assert as_director.post(MOVES).status_code == 405
    assert as_director.post(moved_url(done)).status_code == 405
    assert as_director.put(leave_url(base.anna)).status_code == 405


def test_unknown_objects_are_404(as_director, base):
    assert as_director.get(reverse("segmentation:reassignment", args=[999_999])).status_code == 404
    assert as_director.get(reverse("segmentation:manager_leave", args=[999_999])).status_code == 404


# Moving picked clients


def test_the_preview_shows_both_managers_loads_before_and_after(as_director, base):
    ids = [base.anna_clients[0].pk, base.anna_clients[3].pk]

    response = as_director.get(MOVE, {"client": ids, "to": base.vera.pk})

    assert response.status_code == 200
    found = response.context["preview"]
    assert [
        (str(s.manager), s.gives, s.receives, s.percent_before, s.percent_after) for s in found.sides
    ] == [
        ("Anna Smirnova", 2, 0, 48, 37),
        ("Vera Lis", 0, 2, 0, 11),
    ]
    assert found.warnings == [
        "Vera Lis also carries 1 small client; a key account manager should not carry small clients."
    ]
    content = response.content.decode()
    assert "48% → <strong>37%</strong>" in content
    assert "0% → <strong>11%</strong>" in content
    assert 'id="apply-form"' in content


def test_without_a_manager_the_page_asks_for_one(as_director, base):
    response = as_director.get(MOVE, {"client": [base.anna_clients[0].pk]})

    assert response.status_code == 200
    assert response.context["preview"].found == 1
    assert 'id="apply-form"' not in response.content.decode()


def test_apply_moves_the_clients_and_opens_the_reassignment(as_director, base, director):
    ids = [base.anna_clients[0].pk, base.anna_clients[1].pk]

    response = as_director.post(MOVE, apply_data(ids, base.vera, reason="Anna is overloaded"))

    moved = Reassignment.objects.get()
    assert (response.status_code, response.url) == (302, moved_url(moved))
    assert messages_of(response) == ["2 clients were moved to Vera Lis."]
    assert (moved.reason, moved.applied_by, moved.clients) == ("Anna is overloaded", director, 2)
    assert managers_of(base.anna_clients[:2]) == {"Alfa Kiosk": base.vera.pk, "Beta Shop": base.vera.pk}
    assert Notification.objects.get().user == base.vera


def test_all_matching_clients_of_the_list_are_moved(as_admin, base):
    query = {"manager": base.anna.pk, "status": "active"}
    selection = Client.objects.filter(responsible_manager=base.anna).exclude(status="inactive")
    seen = selectors.preview(selection, selectors.targets(base.vera), policy=Policy.current()).token

    response = as_admin.post(MOVE, {"all": "1", **query, "to": base.vera.pk, "reason": "r", "token": seen})

    assert response.status_code == 302
    assert Reassignment.objects.get().clients == 5
    assert managers_of(base.anna_clients)["Zeta Old"] == base.anna.pk


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"reason": ""}, {"reason": ["Give the reason for the move."]}),
        ({"reason": "x" * 501}, {"reason": ["Ensure this value has at most 500 characters (it has 501)."]}),
    ],
)
def test_a_missing_or_too_long_reason_is_refused(as_director, base, change, error):
    before = managers_of(base.everyone)
    data = apply_data([base.anna_clients[0].pk], base.vera) | change

    response = as_director.post(MOVE, data)

    assert response.status_code == 400
    assert response.context["reason"].errors == error
    assert managers_of(base.everyone) == before
    assert not Reassignment.objects.exists()


@pytest.mark.parametrize("who", ["unknown", "inactive", "director", "not a number"])
def test_the_new_manager_must_be_an_active_account_manager(as_director, base, who):
    to = {
        "unknown": 999_999,
        "inactive": ManagerFactory(is_active=False).pk,
        "director": DirectorFactory().pk,
        "not a number": "abc",
    }[who]
    before = managers_of(base.everyone)
    data = apply_data([base.anna_clients[0].pk], base.vera) | {"to": to}

    response = as_director.post(MOVE, data)

    assert response.status_code == 400
    assert response.context["target"].errors == {"to": ["Choose an active account manager from the list."]}
    assert managers_of(base.everyone) == before
    assert not Reassignment.objects.exists()


def test_clients_that_do_not_exist_are_counted_as_not_found(as_director, base):
    response = as_director.get(MOVE, {"client": [base.anna_clients[0].pk, 999_999], "to": base.vera.pk})

    found = response.context["preview"]
    assert (found.asked, found.found, found.missing, found.moving) == (2, 1, 1, 1)
    assert "1 ticked client was not found (deleted, or not yours to see)." in response.content.decode()


def test_ids_that_are_not_ids_go_back_to_the_list(as_director, base):
    response = as_director.get(MOVE, {"client": ["1; DROP"], "back": "q=steel"})

    assert (response.status_code, response.url) == (302, reverse("accounts:client_list") + "?q=steel")
    assert messages_of(response) == ["The ticked clients were not understood."]


def test_a_stale_preview_is_refused_with_the_preview_as_it_is_now(as_director, base):
    ids = [base.anna_clients[0].pk]
    data = apply_data(ids, base.vera)
    Client.objects.filter(pk=ids[0]).update(responsible_manager=base.boris)

    response = as_director.post(MOVE, data)

    assert response.status_code == 409
    assert messages_of(response) == [
        "Nothing was changed: the clients, their managers or the managers' loads changed since the "
        "preview. Here is the preview as it is now; check it and apply again."
    ]
    assert response.context["preview"].token == token_for(ids, base.vera)
    assert not Reassignment.objects.exists()


def test_under_forbid_the_move_is_refused_with_the_rule(as_director, base):
    forbid()
    ids = [base.anna_clients[0].pk]

    preview = as_director.get(MOVE, {"client": ids, "to": base.boris.pk})
    response = as_director.post(MOVE, apply_data(ids, base.boris))

    rule = "Boris Orlov also carries 1 small client; a key account manager should not carry small clients."
    assert rule in preview.content.decode()
    assert 'id="apply-form"' not in preview.content.decode()
    assert response.status_code == 409
    assert messages_of(response) == ["Nothing was changed: the policy forbids this move. " + rule]
    assert managers_of([base.anna_clients[0]]) == {"Alfa Kiosk": base.anna.pk}
    assert not Reassignment.objects.exists()


def test_moving_clients_to_their_own_manager_is_refused(as_director, base):
    ids = [base.boris_clients[0].pk]

    response = as_director.post(MOVE, apply_data(ids, base.boris))

    assert response.status_code == 400
    assert messages_of(response) == ["Nothing was changed: every selected client has this manager already."]


# A manager leaves


def leave_data(to=None, reason="Anna leaves", **sizes):
    clients = Client.objects.filter(responsible_manager__username="anna").exclude(status="inactive")
    plan = to or sizes
    token = selectors.preview(clients, selectors.targets(plan), policy=Policy.current()).token
    data = {"reason": reason, "token": token}
    if to:
        data["to"] = to.pk
    return data | {size: user.pk for size, user in sizes.items()}


def test_the_leave_page_shows_the_active_clients_by_size_class(as_director, base):
    response = as_director.get(leave_url(base.anna))

    assert response.status_code == 200
    assert response.context["counts"] == {"small": 2, "medium": 1, "large": 1, "largest": 1}
    assert response.context["preview"] is None


def test_a_split_handover_previews_every_receiver_and_applies_in_one_move(as_admin, base, admin_user):
    sizes = {"small": base.vera, "medium": base.vera, "large": base.boris, "largest": base.boris}
    preview = as_admin.get(leave_url(base.anna), {size: user.pk for size, user in sizes.items()})

    response = as_admin.post(leave_url(base.anna), leave_data(**sizes))

    assert [
        (str(s.manager), s.percent_before, s.percent_after) for s in preview.context["preview"].sides
    ] == [
        ("Anna Smirnova", 48, 0),
        ("Vera Lis", 0, 5),
        ("Boris Orlov", 33, 77),
    ]
    moved = Reassignment.objects.get()
    assert (response.status_code, response.url) == (302, moved_url(moved))
    assert (moved.departing, moved.reason, moved.clients) == (base.anna, "Anna leaves", 5)
    assert messages_of(response) == ["5 clients were moved to Vera Lis, Boris Orlov."]
    base.anna.refresh_from_db()
    assert base.anna.is_active is True


def test_the_handover_can_deactivate_the_manager_after(as_admin, base):
    response = as_admin.post(leave_url(base.anna), leave_data(to=base.vera) | {"deactivate": "on"})

    assert messages_of(response) == ["5 clients were moved to Vera Lis.", "Anna Smirnova was deactivated."]
    base.anna.refresh_from_db()
    assert base.anna.is_active is False


def test_a_director_cannot_deactivate_through_the_handover(as_director, base):
    as_director.post(leave_url(base.anna), leave_data(to=base.vera) | {"deactivate": "on"})

    base.anna.refresh_from_db()
    assert (base.anna.is_active, Reassignment.objects.get().clients) == (True, 5)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"__all__": ["Choose one new manager for all, or one per size class."]}),
        (
            {"to": "V", "small": "V"},
            {"__all__": ["Choose one new manager for all, or one per size class, not both."]},
        ),
        (
            {"small": "V", "medium": "V"},
            {
                "large": ["Choose who receives these clients."],
                "largest": ["Choose who receives these clients."],
            },
        ),
        ({"to": "A"}, {"to": ["Choose an active account manager from the list."]}),
    ],
)
def test_the_handover_form_refuses_an_incomplete_plan(as_director, base, data, errors):
    ids = {"V": base.vera.pk, "A": base.anna.pk}
    post = {name: ids[value] for name, value in data.items()} | {"reason": "Anna leaves", "token": "x"}

    response = as_director.post(leave_url(base.anna), post)

    assert response.status_code == 400
    assert response.context["target"].errors == errors
    assert not Reassignment.objects.exists()


def test_a_manager_without_active_clients_has_nothing_to_hand_over(as_director, base):
    response = as_director.get(leave_url(base.vera))

    assert 'id="nothing-to-hand-over"' in response.content.decode()


# The moves made


def test_the_reassignment_page_shows_who_when_why_and_each_client(as_director, base, director):
    ids = [base.anna_clients[0].pk, base.anna_clients[1].pk]
    as_director.post(MOVE, apply_data(ids, base.vera, reason="Anna is overloaded"))
    moved = Reassignment.objects.get()

    response = as_director.get(moved_url(moved))

    assert response.context["summary"] == [(base.anna, base.vera, 2)]
    assert [(i.client.name, i.previous_manager, i.new_manager) for i in response.context["page"].rows] == [
        ("Alfa Kiosk", base.anna, base.vera),
        ("Beta Shop", base.anna, base.vera),
    ]
    assert "Anna is overloaded" in response.content.decode()


def make_moves(count: int, by: User, departing: User) -> None:
    now = timezone.now()
    Reassignment.objects.bulk_create(
        Reassignment(reason=f"Move {n}", clients=n, applied_by=by, departing=departing, applied_at=now)
        for n in range(count)
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_of_moves_takes_the_same_queries_at_any_length(
    as_director, base, director, assert_queries, rows
):
    make_moves(rows, director, base.anna)

    response = assert_queries(3, lambda: as_director.get(MOVES))

    assert len(response.context["page"].rows) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_reassignment_page_takes_the_same_queries_at_any_length(
    as_director, base, director, assert_queries, rows
):
    moved = Reassignment.objects.create(
        reason="r", clients=rows, applied_by=director, applied_at=timezone.now()
    )
    clients = [ClientFactory(responsible_manager=base.vera, industry=None) for _ in range(rows)]
    ReassignmentItem.objects.bulk_create(
        ReassignmentItem(reassignment=moved, client=c, previous_manager=base.anna, new_manager=base.vera)
        for c in clients
    )

    response = assert_queries(6, lambda: as_director.get(moved_url(moved)))

    assert len(response.context["page"].rows) == rows


# The card and the user page


def test_the_card_sends_a_change_of_manager_to_the_move_page(as_director, base):
    alfa = base.anna_clients[0]
    url = reverse("accounts:client_assign", args=[alfa.pk])

    page = as_director.get(url)
    response = as_director.post(url, {"responsible_manager": base.vera.pk})

    assert 'id="move-hint"' in page.content.decode()
    assert (response.status_code, response.url) == (302, f"{MOVE}?client={alfa.pk}&to={base.vera.pk}")
    assert managers_of([alfa]) == {"Alfa Kiosk": base.anna.pk}


def test_deactivating_a_manager_with_clients_offers_the_handover_first(as_admin, base):
    url = reverse("users:user_edit", args=[base.anna.pk])

    held = as_admin.post(url, edit_data(base.anna, is_active=None))
    anyway = as_admin.post(url, edit_data(base.anna, is_active=None) | {"deactivate_anyway": "1"})

    assert held.status_code == 200
    assert held.context["handover"].clients == 5
    content = held.content.decode()
    assert f'href="{leave_url(base.anna)}"' in content
    assert "Hand over their 5 active clients first" in content
    assert anyway.status_code == 302
    base.anna.refresh_from_db()
    assert base.anna.is_active is False
    assert messages_of(anyway)[-1] == (
        "Anna Smirnova is still responsible for 6 clients: hand them over to an active manager."
    )


def test_the_notification_says_who_handed_how_many_clients_and_why(base, director):
    notice = Notification(
        user=base.vera,
        kind=Notification.Kind.REASSIGNED,
        details={"by": "Dmitry Volkov", "count": 3, "reason": "Anna leaves", "reassignment": 1},
    )

    assert notification_text(notice) == "Dmitry Volkov handed 3 clients over to you: Anna leaves"
    assert notification_target(notice) == reverse("accounts:client_list")


def test_the_apply_form_repeats_the_manager_id_unlocalized_in_russian(as_director, base):
    big = ManagerFactory(id=12_345, first_name="Большой", last_name="Номер")

    response = as_director.get(
        MOVE, {"client": [base.anna_clients[0].pk], "to": big.pk}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    content = response.content.decode()
    assert '<input type="hidden" name="to" value="12345">' in content
    assert 'data-manager="12345"' in content
