"""Who may read and who may edit a handover note.

Whoever may open the card reads its notes; the note's new manager edits it, and so do those who
assign clients (directors and admins). Other people on the account, the old manager among them,
read it only.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.access import get_client_for_user
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from kam.users.models import AnyUser
from plans.models import HandoverNote


def may_edit_note(user: AnyUser, note: HandoverNote) -> bool:
    return note.to_manager_id == user.pk or user.has_perm("accounts.assign_client")


def get_note_for_user(
    request: AuthenticatedHttpRequest, pk: int, note_pk: int
) -> tuple[Client, HandoverNote]:
    """The client and its note for editing: 404 when the user may not see the card or the note is
    not the client's, 403 when they see it but may not edit it."""
    client = get_client_for_user(request, pk)
    note = get_object_or_404(HandoverNote.objects.select_related("reassignment"), pk=note_pk, client=client)
    if not may_edit_note(request.user, note):
        raise PermissionDenied
    return client, note
