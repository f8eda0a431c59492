"""The one access gate of every view about one client, in every app."""

from threading import Lock
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from accounts.models import Client, TeamMember
from accounts.rules import is_on_account, knows_team, sees_every_client
from kam.http import AuthenticatedHttpRequest
from kam.prepared import Prepared

OPEN = "accounts.open_client"
EDIT = "accounts.edit_client"
REASSIGN = "accounts.reassign_client"


# The client with whether the user is on its account team: the gate asks it of a team member,
# and the card's permissions (`accounts.edit_client`) of everyone who is not its manager.
def _gate(related: tuple[str, ...]) -> Prepared[Any]:
    return Prepared(
        lambda pk, user: (
            Client.objects.select_related("industry", "responsible_manager", *related)
            .annotate(user_on_team=Exists(TeamMember.objects.filter(client_id=OuterRef("pk"), user_id=user)))
            .filter(pk=pk)[:1]
        )
    )


# The gate's query for each set of further relations asked for (the card's overview's panels').
_CLIENT: dict[tuple[str, ...], Prepared[Any]] = {(): _gate(())}
_CLIENT_LOCK = Lock()


def get_client_for_user(
    request: AuthenticatedHttpRequest, pk: int, *, need: str = OPEN, related: tuple[str, ...] = ()
) -> Client:
    """The client, or 404 when the user may not see it, or 403 when they see it without `need`
    (a permission on the client: EDIT, REASSIGN, or another app's, such as deciding key status).
    `related`: more of the client's relations to join (`select_related` names), in its query.

    Who sees a client is `clients_visible_to`'s rule, asked of the one row: directors and admins,
    its responsible manager, its account team (read with the client, in its one query)."""
    user = request.user
    if related not in _CLIENT:
        with _CLIENT_LOCK:
            _CLIENT.setdefault(related, _gate(related))
    client = next(iter(_CLIENT[related](pk, user.pk)), None)
    if client is not None:
        knows_team(client, user, client.user_on_team)
    if client is None or not (sees_every_client(user) or is_on_account(user, client)):
        raise Http404
    if need != OPEN and not request.user.has_perm(need, client):
        raise PermissionDenied
    return client
