"""Adding, editing and deleting a card's contacts, points, touches and refusals.

Each works inline with htmx (the form opens above the list and the list refreshes)
and as plain pages without JavaScript.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.access import EDIT, get_client_for_user
from accounts.audit import Conflict
from accounts.extensions import card_context
from accounts.forms import ContactForm, EntryForm, PointForm, RefusalForm, TouchForm, VersionForm
from accounts.models import Client, Contact, PointOfPresence, Refusal, Touch
from accounts.views.card import tab_data
from accounts.views.conflicts import current_or_deleted, merged_form
from kam.http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class EntryKind:
    model: type[Model]
    form: type[EntryForm]
    new_title: Any
    saved: Any
    deleted: Any


KINDS = {
    "contacts": EntryKind(
        Contact, ContactForm, _("New contact"), _("The contact was saved."), _("The contact was deleted.")
    ),
    "points": EntryKind(
        PointOfPresence,
        PointForm,
        _("New point of presence"),
        _("The point was saved."),
        _("The point was deleted."),
    ),
    "touches": EntryKind(
        Touch, TouchForm, _("New touch"), _("The touch was saved."), _("The touch was deleted.")
    ),
    "refusals": EntryKind(
        Refusal, RefusalForm, _("New refusal"), _("The refusal was saved."), _("The refusal was deleted.")
    ),
}


def _kind(kind: str) -> EntryKind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _entry(client: Client, spec: EntryKind, entry_pk: int | None) -> tuple[Any, Conflict | None]:
    """The entry (None for a new one), or who deleted it meanwhile."""
    if entry_pk is None:
        return None, None
    return current_or_deleted(spec.model._default_manager.filter(client=client), client, entry_pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_form(
    request: AuthenticatedHttpRequest, pk: int, kind: str, entry_pk: int | None = None
) -> HttpResponse:
    spec = _kind(kind)
    client = get_client_for_user(request, pk, need=EDIT)
    entry, conflict = _entry(client, spec, entry_pk)
    form = spec.form(request.POST or None, instance=entry, client=client)
    if request.method == "POST" and conflict is None and form.is_valid():
        try:
            services.card_entry_save(
                entry=form.instance,
                client=client,
                author=request.user,
                many_to_many=form.many_to_many(),
                expected_version=form.cleaned_data.get("version"),
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            entry, form = _after_conflict(request, client, spec, entry_pk, form.cleaned_data.get("version"))
        else:
            return _saved(request, client, kind, spec.saved)
    elif conflict is not None and form.is_bound:
        form.is_valid()  # the entry is gone: the input stays, to be saved as a new one
    shown = (
        form if form.is_bound or conflict is None else None
    )  # opened after it was deleted: nothing to edit
    return _form_page(request, client, kind, entry=entry, form=shown, conflict=conflict)


def _after_conflict(
    request: AuthenticatedHttpRequest, client: Client, spec: EntryKind, entry_pk: Any, version: int | None
) -> tuple[Any, EntryForm]:
    """The entry as it is now with the user's input merged on, or a new one if it was deleted."""
    current = spec.model._default_manager.filter(client=client, pk=entry_pk).first()
    if current is None:
        form = spec.form(request.POST, client=client)
        form.is_valid()
        return None, form
    return current, merged_form(spec.form, request.POST, current, version, client=client)


@login_required
@require_POST
def entry_delete(request: AuthenticatedHttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    spec = _kind(kind)
    client = get_client_for_user(request, pk, need=EDIT)
    entry, conflict = _entry(client, spec, entry_pk)
    if entry is not None:
        try:
            services.card_entry_delete(entry=entry, expected_version=VersionForm(request.POST).value())
        except services.StaleVersionError as error:
            conflict = error.conflict
            entry = spec.model._default_manager.filter(client=client, pk=entry_pk).first()
        else:
            return _saved(request, client, kind, spec.deleted)
    form = spec.form(instance=entry, client=client) if entry is not None else None
    return _form_page(request, client, kind, entry=entry, form=form, conflict=conflict, deleting=True)


def _form_page(
    request: AuthenticatedHttpRequest,
    client: Client,
    kind: str,
    *,
    entry: Any,
    form: EntryForm | None,
    conflict: Conflict | None,
    deleting: bool = False,
) -> HttpResponse:
    """The entry's form, or the refusal of a stale save or delete (409) with what the other person did.

    When the entry is gone, htmx also gets the refreshed list, out of band.
    """
    context = card_context(request, client, kind) | {
        "form": form,
        "kind": kind,
        "entry": entry,
        "title": str(entry) if entry else KINDS[kind].new_title,
        "conflict": conflict,
        "deleting": deleting,
    }
    if not request.htmx:
        return render(request, "accounts/entry_form.html", context, status=409 if conflict else 200)
    html = render_to_string("accounts/entry_form.html#form", context, request)
    if conflict is not None and entry is None:
        entries = card_context(request, client, kind) | tab_data(client, kind) | {"oob": True}
        html += render_to_string(f"accounts/tabs/{kind}.html#entries", entries, request)
    return HttpResponse(html, status=409 if conflict else 200)


def _saved(request: AuthenticatedHttpRequest, client: Client, kind: str, message: Any) -> HttpResponse:
    """htmx gets the refreshed list (out of band) and an empty form slot; others a redirect."""
    if request.htmx:
        context = card_context(request, client, kind) | tab_data(client, kind) | {"oob": True}
        return render(request, f"accounts/tabs/{kind}.html#entries", context)
    messages.success(request, message)
    return redirect(f"accounts:client_{kind}", pk=client.pk)
