"""Moving clients between managers (DOMAIN §9), one client or many at once, or all the active
clients of a manager who leaves, with the KAM rules checked (DOMAIN §4).

A move is set-based: whatever the number of clients, one INSERT ... SELECT records the items,
one UPDATE per new manager (at most four, one per size class) changes the clients, one
INSERT ... SELECT writes the cards' history with the reason, and one INSERT the notifications.
Moves take the policy row's lock, so they never interleave with each other or with a D routing.
"""

from collections.abc import Mapping

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Client
from kam.bulk_history import insert_history
from kam.users.models import User
from segmentation.models import Notification, Policy, Reassignment, ReassignmentItem
from segmentation.moves import selectors
from segmentation.moves.selectors import Preview, Targets
from segmentation.signals import clients_reassigned

REASON_MAX = 500


class MoveError(Exception):
    """Why a move was refused: nothing was written."""


class MoveRefused(MoveError):
    """The move cannot be made as asked (no reason, no new manager, an inactive one...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StalePreviewError(MoveError):
    """The clients, their managers or the loads of the managers touched changed since the preview."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("stale preview")
        self.preview = preview


class KamRuleError(MoveError):
    """Under the policy's "forbid", the move would leave a key account manager with small
    clients; `rules` says so in words, naming the manager."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(" ".join(preview.refusals))
        self.preview = preview
        self.rules = preview.refusals


class NothingToMoveError(MoveError):
    """Every selected client has its new manager already."""


@transaction.atomic
def clients_reassign(
    *,
    selection: QuerySet[Client],
    to: User | Mapping[str, User],
    reason: str,
    by: User,
    token: str,
    departing: User | None = None,
    asked: int | None = None,
) -> Reassignment:
    """Move the clients of `selection` to `to` (one manager, or one per size class), if nothing
    changed since the preview the user confirmed (`token`).

    1. lock the policy; refuse an empty or too long reason, or a new manager who is inactive
       (MoveRefused); re-compute the preview and refuse if its token differs (StalePreviewError),
       if nothing would move (NothingToMoveError), or if under "forbid" a new manager who would
       hold a key client would carry small clients (KamRuleError, with the rule in words);
    2. record the reassignment and, in one INSERT ... SELECT, each moving client with its previous
       and new manager;
    3. per new manager, one UPDATE of their clients (the version moves on, so open edit forms
       notice); the cards' history rows with the reason in one INSERT ... SELECT;
    4. tell each new manager once how many clients they received, and send `clients_reassigned`.
    """
    policy = Policy.objects.select_for_update().get_or_create(pk=1)[0]
    reason = reason.strip()
    if not reason:
        raise MoveRefused(_("Give the reason for the move."))
    if len(reason) > REASON_MAX:
        raise MoveRefused(_("The reason is too long: at most %(max)d characters.") % {"max": REASON_MAX})
    plan = selectors.targets(to)
    if not plan:
        raise MoveRefused(_("Choose the new manager."))
    for user in selectors.receivers(plan):
        if not user.is_active:
            raise MoveRefused(_("%(manager)s is not active: choose an active manager.") % {"manager": user})
        if departing is not None and user.pk == departing.pk:
            raise MoveRefused(_("The clients cannot go to the manager who leaves."))
    current = selectors.preview(selection, plan, policy=policy, asked=asked, details=False)
    if current.token != token:
        raise StalePreviewError(selectors.preview(selection, plan, policy=policy, asked=asked))
    if not current.moving:
        raise NothingToMoveError
    if current.refusals:
        raise KamRuleError(current)
    now = timezone.now()
    reassignment = Reassignment.objects.create(
        reason=reason, clients=current.moving, departing=departing, applied_by=by, applied_at=now
    )
    _record_items(reassignment, selectors.moving(selection, plan), plan)
    items = ReassignmentItem.objects.filter(reassignment=reassignment)
    for user in selectors.receivers(plan):
        Client.objects.filter(pk__in=items.filter(new_manager=user).values("client_id")).update(
            responsible_manager=user, version=F("version") + 1, updated_at=now
        )
    insert_history(Client, pks=items.values("client_id"), kind="~", user_id=by.pk, at=now, reason=reason)
    _notify(reassignment, items, by=by)
    clients_reassigned.send(sender=Reassignment, reassignment=reassignment)
    return reassignment


def _record_items(reassignment: Reassignment, moving: QuerySet[Client], plan: Targets) -> None:
    """Each moving client with the manager it had and the one it gets, in one INSERT ... SELECT."""
    columns = {
        "i_client": F("pk"),
        "i_manager": F("responsible_manager_id"),
        "i_new": selectors.new_manager_of(plan),
    }
    rows = moving.order_by().annotate(**columns).values_list(*columns)
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(ReassignmentItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (reassignment_id, client_id, previous_manager_id, new_manager_id)"
            f" SELECT %s, s.i_client, s.i_manager, s.i_new FROM ({sql}) s",
            [reassignment.pk, *params],
        )


def _notify(reassignment: Reassignment, items: QuerySet[ReassignmentItem], *, by: User) -> None:
    """One notification per new manager (not per client) with how many clients they received;
    a user who moved clients to themselves is not told."""
    counts = (
        items.exclude(new_manager=by).values("new_manager").annotate(n=Count("pk")).order_by("new_manager")
    )
    details = {"by": str(by), "reason": reassignment.reason, "reassignment": reassignment.pk}
    Notification.objects.bulk_create(
        Notification(
            user_id=row["new_manager"],
            kind=Notification.Kind.REASSIGNED,
            details={**details, "count": row["n"]},
        )
        for row in counts
    )
