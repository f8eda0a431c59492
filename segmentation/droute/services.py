"""Writes of D-group routing (DOMAIN §5): apply the policy's route to a selection of D clients,
and reverse a batch. Both are set-based: a few statements whatever the number of clients, each
move recorded in the card's history (the responsible manager) or the route mark's.

Routings and reversals take the policy row's lock, so they never interleave with each other
or with a change of the route.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Client
from kam.bulk_history import delete_rows, insert_history
from kam.users.models import User
from segmentation.droute import selectors
from segmentation.droute.selectors import Preview, Route
from segmentation.models import DRoute, DRouteBatch, DRouteBatchItem, DRouteKind, Policy


class RouteNotSetError(Exception):
    """The policy names no route for D clients (or not the employee or partner it needs)."""


class StalePreviewError(Exception):
    """The selection, its clients or the route changed since the preview the user confirmed."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("stale preview")
        self.preview = preview


class NothingToRouteError(Exception):
    """No client of the selection is in category D and off the route."""


class AlreadyReversedError(Exception):
    """The batch was reversed before."""


@dataclass(frozen=True)
class Reversal:
    restored: int
    skipped: int


@transaction.atomic
def d_route_apply(*, selection: QuerySet[Client], asked: int | None, token: str, by: User) -> DRouteBatch:
    """Route the D clients of `selection` as the policy says, if nothing changed since the preview.

    1. lock the policy and read its route (RouteNotSetError), re-compute the preview and refuse
       if its token differs (StalePreviewError) or nothing would move (NothingToRouteError);
    2. record the batch and, in one INSERT ... SELECT, each client's manager and route mark before it;
    3. for the employee route, make the employee responsible for the clients someone else had
       (one UPDATE; the card's history rows in one INSERT ... SELECT);
    4. mark the route: the marks the clients had are updated, the others added, with their history.
    """
    route = selectors.policy_route(Policy.objects.select_for_update().get_or_create(pk=1)[0])
    if route is None:
        raise RouteNotSetError
    current = selectors.preview(selection, route, asked=asked, details=False)
    if current.token != token:
        raise StalePreviewError(selectors.preview(selection, route, asked=asked))
    if not current.routed:
        raise NothingToRouteError
    now = timezone.now()
    batch = DRouteBatch.objects.create(
        route=route.kind,
        employee=route.employee,
        partner=route.partner,
        clients=current.routed,
        applied_by=by,
        applied_at=now,
    )
    _record_items(batch, selection.filter(selectors.routable(route)))
    items = DRouteBatchItem.objects.filter(batch=batch)
    if route.employee is not None:
        _reassign(items.exclude(previous_manager=route.employee), route.employee, by=by, at=now)
    _mark(batch, route, items, by=by, at=now)
    return batch


def _record_items(batch: DRouteBatch, moving: QuerySet[Client]) -> None:
    """Each moving client with its manager and route mark as they are: the reversal's memory."""
    columns = {
        "i_client": F("pk"),
        "i_manager": F("responsible_manager_id"),
        "i_route": F("d_route__route"),
        "i_partner": F("d_route__partner"),
        "i_batch": F("d_route__batch_id"),
    }
    rows = moving.order_by().annotate(**columns).values_list(*columns)
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(DRouteBatchItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (batch_id, client_id, previous_manager_id, previous_route,"
            " previous_partner, previous_batch_id, restored)"
            " SELECT %s, s.i_client, s.i_manager, COALESCE(s.i_route, ''), COALESCE(s.i_partner, ''),"
            f" s.i_batch, %s FROM ({sql}) s",
            [batch.pk, False, *params],
        )


def _reassign(items: QuerySet[DRouteBatchItem], manager: User | Subquery, *, by: User, at: datetime) -> None:
    """Make `manager` responsible for the items' clients, moving their versions on (open edit
    forms notice), and record the change in each card's history."""
    clients = Client.objects.filter(pk__in=items.values("client_id"))
    clients.update(responsible_manager=manager, version=F("version") + 1, updated_at=at)
    insert_history(Client, pks=items.values("client_id"), kind="~", user_id=by.pk, at=at)


def _mark(
    batch: DRouteBatch, route: Route, items: QuerySet[DRouteBatchItem], *, by: User, at: datetime
) -> None:
    had = items.exclude(previous_route="").values("client_id")
    DRoute.objects.filter(client_id__in=had).update(route=route.kind, partner=route.partner, batch=batch)
    insert_history(DRoute, pks=had, kind="~", user_id=by.pk, at=at)
    new = items.filter(previous_route="").values("client_id")
    sql, params = new.query.sql_with_params()
    table = connection.ops.quote_name(DRoute._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client_id, route, partner, batch_id)"
            f" SELECT s.client_id, %s, %s, %s FROM ({sql}) s",
            [route.kind, route.partner, batch.pk, *params],
        )
    insert_history(DRoute, pks=new, kind="+", user_id=by.pk, at=at)


@transaction.atomic
def d_route_reverse(*, batch: DRouteBatch, by: User) -> Reversal:
    """Put the batch's clients back as they were before it, except those changed since.

    1. lock the policy and the batch; refuse a batch reversed before (AlreadyReversedError);
    2. flag the items whose client is still as the batch left it (`selectors.unchanged_items`);
    3. for the employee route, give those clients their previous managers back (one UPDATE
       from the items, the card's history in one INSERT ... SELECT);
    4. put their route marks back (route, partner and the batch that set it), or remove the
       mark of a client that had none, each with its history row;
    5. record who reversed the batch, when, and how many clients it restored.
    """
    Policy.objects.select_for_update().get_or_create(pk=1)
    batch = DRouteBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.reversed_at is not None:
        raise AlreadyReversedError
    restored = selectors.unchanged_items(batch).update(restored=True)
    items = DRouteBatchItem.objects.filter(batch=batch, restored=True)
    now = timezone.now()
    if batch.route == DRouteKind.EMPLOYEE:
        moved = items.exclude(previous_manager=batch.employee_id)
        previous = Subquery(moved.filter(client=OuterRef("pk")).values("previous_manager")[:1])
        _reassign(moved, previous, by=by, at=now)
    _unmark(items, by=by, at=now)
    batch.reversed_by, batch.reversed_at, batch.restored_count = by, now, restored
    batch.save(update_fields=["reversed_by", "reversed_at", "restored_count"])
    return Reversal(restored=restored, skipped=batch.clients - restored)


def _unmark(items: QuerySet[DRouteBatchItem], *, by: User, at: datetime) -> None:
    had = items.exclude(previous_route="")
    before = had.filter(client=OuterRef("pk"))
    DRoute.objects.filter(pk__in=had.values("client_id")).update(
        route=Subquery(before.values("previous_route")[:1]),
        partner=Subquery(before.values("previous_partner")[:1]),
        batch=Subquery(before.values("previous_batch")[:1]),
    )
    insert_history(DRoute, pks=had.values("client_id"), kind="~", user_id=by.pk, at=at)
    none = items.filter(previous_route="").values("client_id")
    insert_history(DRoute, pks=none, kind="-", user_id=by.pk, at=at)
    delete_rows(DRoute, pks=none)
