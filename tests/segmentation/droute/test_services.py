"""D-group routing applied and reversed: set-based, every move in the history, exactly reversible."""

import pytest
from django.db.models import QuerySet

from accounts.audit import Source, client_history
from accounts.models import Client
from segmentation.droute import selectors, services
from segmentation.history import D_ROUTE
from segmentation.models import DRoute, DRouteBatch, DRouteKind, Policy
from tests.factories import ManagerFactory
from tests.segmentation.droute.conftest import d_client, set_route, state


def everyone() -> QuerySet[Client]:
    return Client.objects.all()


def preview_of(selection, asked=None):
    return selectors.preview(selection, selectors.policy_route(Policy.current()), asked=asked)


def apply(selection, by, asked=None):
    return services.d_route_apply(
        selection=selection, asked=asked, token=preview_of(selection, asked).token, by=by
    )


def test_preview_counts_d_clients_their_managers_and_what_is_left_out(base, to_employee):
    ticked = [c.pk for c in base.everyone] + [999_999]

    found = preview_of(Client.objects.filter(pk__in=ticked), asked=len(ticked))

    assert (found.asked, found.found, found.not_d, found.already, found.routed, found.missing) == (
        7,
        6,
        2,
        0,
        4,
        1,
    )
    assert found.left_out == 3
    assert sorted(found.by_manager, key=lambda row: (-row[1], str(row[0]))) == [
        (base.anna, 2),
        (base.boris, 1),
        (None, 1),
    ]
    assert [c.name for c in found.sample] == ["Alfa Trade", "Beta Mill", "Delta Kiosk", "Gamma Shop"]


def test_preview_counts_clients_already_on_the_route(base, to_employee, director):
    apply(Client.objects.filter(pk=base.d[0].pk), director)

    found = preview_of(everyone())

    assert (found.found, found.not_d, found.already, found.routed) == (6, 2, 1, 3)


def test_apply_to_one_employee_reassigns_marks_and_records_the_batch(base, to_employee, director):
    batch = apply(everyone(), director)

    assert (batch.route, batch.employee, batch.clients, batch.applied_by) == (
        DRouteKind.EMPLOYEE,
        base.employee,
        4,
        director,
    )
    after = state(base.everyone)
    for client in base.d:
        assert after[client.pk] == (base.employee.pk, DRouteKind.EMPLOYEE, "", batch.pk)
    assert after[base.others[0].pk] == (base.anna.pk, None, None, None)
    assert after[base.others[1].pk] == (base.boris.pk, None, None, None)
    items = {i.client_id: (i.previous_manager_id, i.previous_route) for i in batch.items.all()}
    assert items == {
        base.d[0].pk: (base.anna.pk, ""),
        base.d[1].pk: (base.anna.pk, ""),
        base.d[2].pk: (base.boris.pk, ""),
        base.d[3].pk: (None, ""),
    }


def test_apply_moves_versions_on_and_writes_one_history_row_per_moved_client(base, to_employee, director):
    versions = {c.pk: c.version for c in Client.objects.filter(pk__in=[c.pk for c in base.d])}

    apply(everyone(), director)

    for client in Client.objects.filter(pk__in=[c.pk for c in base.d]):
        assert client.version == versions[client.pk] + 1
        rows = list(Client.history.filter(id=client.pk).order_by("history_id"))
        assert [r.history_type for r in rows] == ["+", "~"]
        assert (rows[-1].history_user, rows[-1].responsible_manager_id) == (director, base.employee.pk)
        assert rows[-1].name == client.name
        marks = list(DRoute.history.filter(client_id=client.pk))
        assert [(m.history_type, m.route, m.history_user) for m in marks] == [
            ("+", DRouteKind.EMPLOYEE, director)
        ]
    assert Client.history.filter(id=base.others[0].pk).count() == 1


def test_the_cards_history_tab_shows_the_manager_change_and_the_route(base, to_employee, director, english):
    apply(Client.objects.filter(pk=base.d[0].pk), director)

    page = client_history(base.d[0], sources=[Source(D_ROUTE.dates, D_ROUTE.entries)])

    card, route = sorted(page.entries[:2], key=lambda e: e.subject)
    assert (card.subject, card.action, card.user) == ("Card", "changed", director)
    assert [(c.field, c.old, c.new) for c in card.changes] == [
        ("Responsible manager", "Anna Smirnova", "Dina Small")
    ]
    assert (route.subject, route.action) == ("D route", "set")
    assert [(c.field, c.new) for c in route.changes] == [("D route", "All to one employee")]


def test_a_client_already_with_the_employee_is_marked_without_a_card_change(base, to_employee, director):
    mine = d_client(base.employee, "Epsilon Store")

    apply(Client.objects.filter(pk=mine.pk), director)

    assert Client.history.filter(id=mine.pk).count() == 1
    assert DRoute.objects.get(client=mine).route == DRouteKind.EMPLOYEE


def test_apply_to_a_partner_marks_without_reassigning(base, director):
    set_route(DRouteKind.PARTNER, partner="Regional Partner LLC")

    batch = apply(everyone(), director)

    after = state(base.d)
    assert after[base.d[0].pk] == (base.anna.pk, DRouteKind.PARTNER, "Regional Partner LLC", batch.pk)
    assert after[base.d[3].pk] == (None, DRouteKind.PARTNER, "Regional Partner LLC", batch.pk)
    assert Client.history.filter(id__in=[c.pk for c in base.d], history_type="~").count() == 0


@pytest.mark.parametrize("size", [1, 50])
def test_apply_runs_the_same_queries_for_1_and_50_clients(db, director, assert_queries, size):
    employee = ManagerFactory()
    set_route(DRouteKind.EMPLOYEE, employee=employee)
    owner = ManagerFactory()
    for number in range(size):
        d_client(owner, f"Client {number:03d}")
    selection = Client.objects.all()
    token = preview_of(selection).token

    batch = assert_queries(
        13, lambda: services.d_route_apply(selection=selection, asked=None, token=token, by=director)
    )

    assert batch.clients == size
    assert Client.objects.filter(responsible_manager=employee).count() == size
    assert Client.history.filter(history_type="~").count() == size


@pytest.mark.parametrize("size", [1, 50])
def test_reverse_runs_the_same_queries_for_1_and_50_clients(db, director, assert_queries, size):
    employee = ManagerFactory()
    set_route(DRouteKind.EMPLOYEE, employee=employee)
    owner = ManagerFactory()
    for number in range(size):
        d_client(owner, f"Client {number:03d}")
    batch = apply(Client.objects.all(), director)

    reversal = assert_queries(12, lambda: services.d_route_reverse(batch=batch, by=director))

    assert (reversal.restored, reversal.skipped) == (size, 0)
    assert Client.objects.filter(responsible_manager=owner).count() == size


def test_reverse_restores_managers_and_marks_exactly(base, director):
    start = state(base.everyone)
    set_route(DRouteKind.WEB)
    web = apply(everyone(), director)
    after_web = state(base.everyone)
    set_route(DRouteKind.EMPLOYEE, employee=base.employee)
    to_employee = apply(everyone(), director)

    services.d_route_reverse(batch=to_employee, by=director)

    assert state(base.everyone) == after_web
    assert {batch for _m, _r, _p, batch in after_web.values() if batch} == {web.pk}
    services.d_route_reverse(batch=web, by=director)
    assert state(base.everyone) == start
    assert DRoute.objects.count() == 0


def test_reverse_history_records_each_move_back(base, to_employee, director):
    batch = apply(Client.objects.filter(pk=base.d[0].pk), director)
    admin = ManagerFactory(username="other")

    services.d_route_reverse(batch=batch, by=admin)

    rows = list(Client.history.filter(id=base.d[0].pk).order_by("history_id"))
    assert [(r.history_type, r.responsible_manager_id) for r in rows][-2:] == [
        ("~", base.employee.pk),
        ("~", base.anna.pk),
    ]
    assert rows[-1].history_user == admin
    marks = list(DRoute.history.filter(client_id=base.d[0].pk).order_by("history_id"))
    assert [m.history_type for m in marks] == ["+", "-"]


def test_reverse_skips_clients_changed_since_and_reports_them(base, to_employee, director):
    batch = apply(everyone(), director)
    moved_by_hand = Client.objects.get(pk=base.d[0].pk)
    moved_by_hand.responsible_manager = base.boris
    moved_by_hand.save()
    set_route(DRouteKind.WEB)
    apply(Client.objects.filter(pk=base.d[1].pk), director)

    reversal = services.d_route_reverse(batch=batch, by=director)

    assert (reversal.restored, reversal.skipped) == (2, 2)
    after = state(base.d)
    assert after[base.d[0].pk][0] == base.boris.pk
    assert after[base.d[1].pk][:2] == (base.employee.pk, DRouteKind.WEB)
    assert after[base.d[2].pk] == (base.boris.pk, None, None, None)
    assert after[base.d[3].pk] == (None, None, None, None)
    batch.refresh_from_db()
    assert (batch.reversed_by, batch.restored_count) == (director, 2)


def test_reverse_twice_is_refused_and_writes_nothing(base, to_employee, director):
    batch = apply(everyone(), director)
    services.d_route_reverse(batch=batch, by=director)
    rows = Client.history.count()

    with pytest.raises(services.AlreadyReversedError):
        services.d_route_reverse(batch=batch, by=director)

    assert Client.history.count() == rows


def test_apply_refuses_a_stale_preview_and_writes_nothing(base, to_employee, director):
    selection = everyone()
    token = preview_of(selection).token
    d_client(base.anna, "Zeta Late")

    with pytest.raises(services.StalePreviewError) as refused:
        services.d_route_apply(selection=selection, asked=None, token=token, by=director)

    assert refused.value.preview.routed == 5
    assert DRouteBatch.objects.count() == 0
    assert DRoute.objects.count() == 0


def test_apply_refuses_when_the_route_changed_since_the_preview(base, to_employee, director):
    selection = everyone()
    token = preview_of(selection).token
    set_route(DRouteKind.TRAINING)

    with pytest.raises(services.StalePreviewError):
        services.d_route_apply(selection=selection, asked=None, token=token, by=director)

    assert DRouteBatch.objects.count() == 0


def test_apply_refuses_without_a_route_and_writes_nothing(base, director):
    with pytest.raises(services.RouteNotSetError):
        services.d_route_apply(selection=everyone(), asked=None, token="", by=director)

    set_route(DRouteKind.EMPLOYEE, employee=None)
    with pytest.raises(services.RouteNotSetError):
        services.d_route_apply(selection=everyone(), asked=None, token="", by=director)
    assert DRouteBatch.objects.count() == 0


def test_a_deactivated_employee_is_no_route(base, to_employee):
    base.employee.is_active = False
    base.employee.save()

    assert selectors.policy_route(Policy.current()) is None


def test_apply_refuses_when_nothing_would_move(base, to_employee, director):
    selection = Client.objects.filter(pk__in=[c.pk for c in base.others])

    with pytest.raises(services.NothingToRouteError):
        apply(selection, director)

    assert DRouteBatch.objects.count() == 0
