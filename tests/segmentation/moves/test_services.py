"""Moving clients between managers: set-based, every move in the history with its reason, the new
managers told once each, stale previews and the KAM rule under "forbid" refused with nothing written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.audit import client_history
from accounts.models import Client
from segmentation.models import Notification, Policy, Reassignment, ReassignmentItem
from segmentation.moves import selectors, services
from segmentation.signals import clients_reassigned
from tests.factories import ManagerFactory
from tests.segmentation.moves.conftest import forbid, managers_of, sized

pytestmark = pytest.mark.usefixtures("english")


def of(*clients: Client):
    return Client.objects.filter(pk__in=[c.pk for c in clients])


def token(selection, to) -> str:
    return selectors.preview(selection, selectors.targets(to), policy=Policy.current()).token


def move(selection, to, by, reason="Portfolio balance", **kwargs) -> Reassignment:
    return services.clients_reassign(
        selection=selection, to=to, reason=reason, by=by, token=token(selection, to), **kwargs
    )


def nothing_written(base, before) -> None:
    assert managers_of(base.everyone) == before
    assert not Reassignment.objects.exists()
    assert not ReassignmentItem.objects.exists()
    assert not Notification.objects.exists()


def test_a_move_records_items_changes_the_clients_and_their_history_and_tells_the_new_manager(base, director):
    alfa, gamma = base.anna_clients[0], base.anna_clients[2]
    versions = dict(of(alfa, gamma).values_list("pk", "version"))

    moved = move(of(alfa, gamma), base.vera, director, reason="  Anna is overloaded  ")

    assert (moved.clients, moved.reason, moved.applied_by, moved.departing) == (
        2,
        "Anna is overloaded",
        director,
        None,
    )
    assert sorted(moved.items.values_list("client__name", "previous_manager", "new_manager")) == [
        ("Alfa Kiosk", base.anna.pk, base.vera.pk),
        ("Gamma Mill", base.anna.pk, base.vera.pk),
    ]
    assert managers_of([alfa, gamma, base.anna_clients[1]]) == {
        "Alfa Kiosk": base.vera.pk,
        "Gamma Mill": base.vera.pk,
        "Beta Shop": base.anna.pk,
    }
    assert dict(of(alfa, gamma).values_list("pk", "version")) == {pk: v + 1 for pk, v in versions.items()}
    rows = Client.history.filter(id__in=[alfa.pk, gamma.pk], history_type="~").order_by("id")
    assert [
        (r.id, r.history_type, r.history_user, r.history_change_reason, r.responsible_manager_id)
        for r in rows
    ] == [
        (alfa.pk, "~", director, "Anna is overloaded", base.vera.pk),
        (gamma.pk, "~", director, "Anna is overloaded", base.vera.pk),
    ]
    notice = Notification.objects.get()
    assert (notice.user, notice.kind, notice.client, notice.details) == (
        base.vera,
        Notification.Kind.REASSIGNED,
        None,
        {"by": "Dmitry Volkov", "reason": "Anna is overloaded", "reassignment": moved.pk, "count": 2},
    )


def test_the_card_history_shows_the_move_with_its_reason(base, director):
    alfa = base.anna_clients[0]
    move(of(alfa), base.vera, director, reason="Anna leaves")

    entry = client_history(alfa).entries[0]

    assert (entry.subject, entry.action, entry.user) == ("Card", "changed", director)
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("Responsible manager", "Anna Smirnova", "Vera Lis"),
        ("Why", "—", "Anna leaves"),
    ]


def test_clients_with_the_new_manager_already_stay_and_count_as_already(base, director):
    omega = base.boris_clients[0]
    selection = of(base.anna_clients[0], omega)

    found = selectors.preview(selection, selectors.targets(base.boris), policy=Policy.current(), asked=3)
    moved = move(selection, base.boris, director)

    assert (found.found, found.moving, found.already, found.missing) == (2, 1, 1, 1)
    assert list(moved.items.values_list("client__name", flat=True)) == ["Alfa Kiosk"]
    assert Client.objects.get(pk=omega.pk).version == omega.version


def test_a_stale_preview_is_refused_and_nothing_is_written(base, director):
    selection = of(*base.anna_clients[:2])
    seen = token(selection, base.vera)
    Client.objects.filter(pk=base.anna_clients[0].pk).update(responsible_manager=base.boris)
    before = managers_of(base.everyone)

    with pytest.raises(services.StalePreviewError) as refused:
        services.clients_reassign(selection=selection, to=base.vera, reason="x", by=director, token=seen)

    assert refused.value.preview.token == token(selection, base.vera)
    nothing_written(base, before)


def test_a_stale_preview_includes_a_change_of_the_new_managers_load(base, director):
    selection = of(base.anna_clients[0])
    seen = token(selection, base.vera)
    sized(base.vera, "New Shop", "small")

    with pytest.raises(services.StalePreviewError):
        services.clients_reassign(selection=selection, to=base.vera, reason="x", by=director, token=seen)


def test_under_forbid_a_key_account_manager_cannot_receive_small_clients(base, director):
    forbid()
    before = managers_of(base.everyone)
    selection = of(base.anna_clients[0])

    with pytest.raises(services.KamRuleError) as refused:
        move(selection, base.boris, director)

    assert refused.value.rules == [
        "Boris Orlov also carries 1 small client; a key account manager should not carry small clients."
    ]
    nothing_written(base, before)


def test_under_forbid_a_manager_with_small_clients_cannot_receive_a_key_client(base, director):
    forbid()
    sized(base.vera, "Vera Kiosk", "small")
    before = managers_of(base.everyone)

    with pytest.raises(services.KamRuleError) as refused:
        move(of(base.anna_clients[3]), base.vera, director)

    assert refused.value.rules == [
        "Vera Lis also carries 1 small client; a key account manager should not carry small clients."
    ]
    assert managers_of(base.everyone) == before
    assert not Reassignment.objects.exists()


def test_under_warn_the_move_is_made_and_the_preview_warns(base, director):
    selection = of(base.anna_clients[0])

    found = selectors.preview(selection, selectors.targets(base.boris), policy=Policy.current())
    move(selection, base.boris, director)

    assert (found.refusals, found.warnings) == (
        [],
        ["Boris Orlov also carries 1 small client; a key account manager should not carry small clients."],
    )
    assert managers_of([base.anna_clients[0]]) == {"Alfa Kiosk": base.boris.pk}


def test_a_manager_leaving_splits_their_active_clients_by_size_class(base, director):
    plan = {"small": base.vera, "medium": base.vera, "large": base.boris, "largest": base.boris}
    clients = selectors.leaving_clients(base.anna)

    found = selectors.preview(clients, selectors.targets(plan), policy=Policy.current())
    moved = move(clients, plan, director, reason="Anna leaves", departing=base.anna)

    sides = {
        str(s.manager): (s.gives, s.receives, s.percent_before, s.percent_after, s.before.keys, s.after.keys)
        for s in found.sides
    }
    assert sides == {
        "Anna Smirnova": (5, 0, 48, 0, 1, 0),
        "Vera Lis": (0, 3, 0, 5, 0, 0),
        "Boris Orlov": (0, 2, 33, 77, 1, 2),
    }
    assert (moved.clients, moved.departing) == (5, base.anna)
    assert managers_of(base.everyone) == {
        "Alfa Kiosk": base.vera.pk,
        "Beta Shop": base.vera.pk,
        "Gamma Mill": base.vera.pk,
        "Delta Steel": base.boris.pk,
        "Epsilon Oil": base.boris.pk,
        "Zeta Old": base.anna.pk,  # an inactive card stays
        "Omega Plant": base.boris.pk,
    }
    assert sorted(Notification.objects.values_list("user__username", "details__count")) == [
        ("boris", 2),
        ("vera", 3),
    ]


def test_ticked_inactive_cards_move_too_and_weigh_nothing(base, director):
    zeta = base.anna_clients[5]

    found = selectors.preview(of(zeta), selectors.targets(base.vera), policy=Policy.current())
    move(of(zeta), base.vera, director)

    assert (found.moving, found.inactive) == (1, 1)
    assert [(s.before.clients, s.after.clients) for s in found.sides] == [(5, 5), (0, 0)]
    assert managers_of([zeta]) == {"Zeta Old": base.vera.pk}


@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", "Give the reason for the move."), ("x" * 501, "The reason is too long: at most 500 characters.")],
)
def test_a_move_needs_a_short_reason(base, director, reason, message):
    before = managers_of(base.everyone)

    with pytest.raises(services.MoveRefused) as refused:
        move(of(base.anna_clients[0]), base.vera, director, reason=reason)

    assert refused.value.message == message
    nothing_written(base, before)


def test_the_new_manager_must_be_active_and_not_the_one_who_leaves(base, director):
    gone = ManagerFactory(first_name="Gleb", last_name="Gone", is_active=False)

    with pytest.raises(services.MoveRefused) as refused:
        move(of(base.anna_clients[0]), gone, director)
    assert refused.value.message == "Gleb Gone is not active: choose an active manager."

    with pytest.raises(services.MoveRefused) as refused:
        move(selectors.leaving_clients(base.anna), base.anna, director, departing=base.anna)
    assert refused.value.message == "The clients cannot go to the manager who leaves."
    assert not Reassignment.objects.exists()


def test_nothing_to_move_is_refused(base, director):
    with pytest.raises(services.NothingToMoveError):
        move(of(base.boris_clients[0]), base.boris, director)


def test_the_signal_carries_the_reassignment_inside_the_transaction(base, director):
    heard = []

    def listen(sender, reassignment, **kwargs):
        heard.append((reassignment.pk, reassignment.items.count()))

    clients_reassigned.connect(listen)
    try:
        moved = move(of(*base.anna_clients[:2]), base.vera, director)
    finally:
        clients_reassigned.disconnect(listen)

    assert heard == [(moved.pk, 2)]


def test_a_move_of_200_clients_takes_as_many_statements_as_one_of_2(base, director):
    many = ManagerFactory(first_name="Mark", last_name="Many")
    few = ManagerFactory(first_name="Fedor", last_name="Few")
    for n in range(200):
        sized(many, f"Many {n:03d}", "small")
    for n in range(2):
        sized(few, f"Few {n}", "small")
    counts = []
    for source in (few, many):
        selection = Client.objects.filter(responsible_manager=source)
        seen = token(selection, base.vera)
        with CaptureQueriesContext(connection) as queries:
            services.clients_reassign(selection=selection, to=base.vera, reason="r", by=director, token=seen)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Client.objects.filter(responsible_manager=base.vera).count() == 202
    assert Client.history.filter(history_change_reason="r").count() == 202
