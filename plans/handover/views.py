"""The card's Handover tab: the notes written for the client's new managers when it moved, newest
first, and editing one (its new manager, directors and admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import get_client_for_user
from accounts.extensions import card_context
from accounts.views.conflicts import merged_form
from kam.http import AuthenticatedHttpRequest
from plans.handover import selectors, services
from plans.handover.access import get_note_for_user, may_edit_note
from plans.handover.forms import HandoverNoteForm
from plans.models import HandoverNote

TAB = "handover"


@login_required
@require_GET
def client_handover(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    notes = [(note, may_edit_note(request.user, note)) for note in selectors.client_notes(client)]
    return render(request, "plans/handover.html", card_context(request, client, TAB) | {"notes": notes})


@login_required
@require_http_methods(["GET", "POST"])
def handover_edit(request: AuthenticatedHttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """Edit the note's text; a stale save is refused with what the other person changed, the
    user's text kept on the latest version."""
    client, note = get_note_for_user(request, pk, note_pk)
    form = HandoverNoteForm(request.POST or None, instance=note)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            services.handover_note_save(
                note=note, text=form.cleaned_data["text"], expected_version=version, by=request.user
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            note = HandoverNote.objects.select_related("reassignment").get(pk=note.pk)
            form = merged_form(HandoverNoteForm, request.POST, note, version)
        else:
            messages.success(request, _("The handover note was saved."))
            return redirect(reverse("plans:client_handover", args=[client.pk]) + f"#note-{note.pk}")
    context = card_context(request, client, TAB) | {"form": form, "note": note, "conflict": conflict}
    return render(request, "plans/handover_form.html", context, status=409 if conflict else 200)
