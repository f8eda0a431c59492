"""The one access gate of every view about one client, in every app."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Client
from accounts.rules import is_on_account, sees_every_client
from kam.http import AuthenticatedHttpRequest
from kam.prepared import Prepared

OPEN = "accounts.open_client"
EDIT = "accounts.edit_client"
REASSIGN = "accounts.reassign_client"

_CLIENT = Prepared(
    lambda pk: Client.objects.select_related("industry", "responsible_manager").filter(pk=pk)[:1]
)


def get_client_for_user(request: AuthenticatedHttpRequest, pk: int, *, need: str = OPEN) -> Client:
    """The client, or 404 when the user may not see it, or 403 when they see it without `need`
    (a permission on the client: EDIT, REASSIGN, or another app's, such as deciding key status).

    Who sees a client is `clients_visible_to`'s rule, asked of the one row: directors and admins,
    its responsible manager, its account team (one more query, for a team member only)."""
    client = next(iter(_CLIENT(pk)), None)
    user = request.user
    if client is None or not (sees_every_client(user) or is_on_account(user, client)):
        raise Http404
    if need != OPEN and not request.user.has_perm(need, client):
        raise PermissionDenied
    return client
