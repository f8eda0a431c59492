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
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.access import EDIT, get_client_for_user
from accounts.extensions import card_context
from accounts.forms import ContactForm, EntryForm, PointForm, RefusalForm, TouchForm
from accounts.models import Client, Contact, PointOfPresence, Refusal, Touch
from accounts.views.card import tab_data
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


def _entry(client: Client, spec: EntryKind, entry_pk: int | None) -> Any:
    if entry_pk is None:
        return None
    return get_object_or_404(spec.model._default_manager.filter(client=client), pk=entry_pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_form(
    request: AuthenticatedHttpRequest, pk: int, kind: str, entry_pk: int | None = None
) -> HttpResponse:
    spec = _kind(kind)
    client = get_client_for_user(request, pk, need=EDIT)
    entry = _entry(client, spec, entry_pk)
    form = spec.form(request.POST or None, instance=entry, client=client)
    if request.method == "POST" and form.is_valid():
        services.card_entry_save(
            entry=form.instance, client=client, author=request.user, many_to_many=form.many_to_many()
        )
        return _saved(request, client, kind, spec.saved)
    context = card_context(request, client, kind) | {
        "form": form,
        "kind": kind,
        "entry": entry,
        "title": str(entry) if entry else spec.new_title,
    }
    template = "accounts/entry_form.html#form" if request.htmx else "accounts/entry_form.html"
    return render(request, template, context)


@login_required
@require_POST
def entry_delete(request: AuthenticatedHttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    spec = _kind(kind)
    client = get_client_for_user(request, pk, need=EDIT)
    services.card_entry_delete(entry=_entry(client, spec, entry_pk))
    return _saved(request, client, kind, spec.deleted)


def _saved(request: AuthenticatedHttpRequest, client: Client, kind: str, message: Any) -> HttpResponse:
    """htmx gets the refreshed list (out of band) and an empty form slot; others a redirect."""
    if request.htmx:
        context = card_context(request, client, kind) | tab_data(client, kind) | {"oob": True}
        return render(request, f"accounts/tabs/{kind}.html#entries", context)
    messages.success(request, message)
    return redirect(f"accounts:client_{kind}", pk=client.pk)
