"""The one access gate of every view about one client, in every app."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Client
from accounts.selectors import clients_visible_to
from kam.http import AuthenticatedHttpRequest

OPEN = "accounts.open_client"
EDIT = "accounts.edit_client"
REASSIGN = "accounts.reassign_client"


def get_client_for_user(request: AuthenticatedHttpRequest, pk: int, *, need: str = OPEN) -> Client:
    """The client, or 404 when the user may not see it, or 403 when they see it without `need`
    (a permission on the client: EDIT, REASSIGN, or another app's, such as deciding key status)."""
    found = clients_visible_to(request.user).select_related("industry", "responsible_manager")
    client = found.filter(pk=pk).first()
    if client is None:
        raise Http404
    if need != OPEN and not request.user.has_perm(need, client):
        raise PermissionDenied
    return client
