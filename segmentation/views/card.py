"""The segmentation parts of the client card: potential table, segments, key status, tier override.

Estimates are edited per row with htmx (the row turns into its form, and the whole
table comes back after a save) and, without JavaScript, on a page of their own.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.models import Client, ProductGroup
from accounts.selectors import get_client_for_user
from accounts.views.card import card_context
from kam.http import HtmxHttpRequest
from segmentation import selectors
from segmentation.forms import EstimateForm, KeyGrantForm, KeyRevokeForm, TierClearForm, TierOverrideForm
from segmentation.models import KeyStatus, PotentialEstimate, TierOverride
from segmentation.services import estimates, key_status

POTENTIAL_PAGE = "segmentation/card_potential.html"


@require_GET
@login_required
def potential(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk)
    return _potential(request, client)


def _potential(request: HtmxHttpRequest, client: Client) -> HttpResponse:
    """The page, or for htmx the table alone (after a save, or to cancel a row's form)."""
    context = card_context(request, client, "potential") | {
        "page": selectors.potential_page(client, today=timezone.localdate())
    }
    if not request.htmx:
        return render(request, POTENTIAL_PAGE, context)
    response = render(request, f"{POTENTIAL_PAGE}#potential", context)
    return reswap(retarget(response, "#potential"), "outerHTML")


@require_http_methods(["GET", "POST"])
@login_required
def estimate_new(request: HtmxHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk, write=True)
    group = get_object_or_404(ProductGroup, pk=group_pk, is_active=True)
    return _estimate_form(
        request, client, group, PotentialEstimate.objects.filter(client=client, product_group=group).first()
    )


@require_http_methods(["GET", "POST"])
@login_required
def estimate_edit(request: HtmxHttpRequest, pk: int, estimate_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk, write=True)
    estimate = get_object_or_404(_estimates(client).select_related("product_group"), pk=estimate_pk)
    return _estimate_form(request, client, estimate.product_group, estimate)


def _estimates(client: Client) -> QuerySet[PotentialEstimate]:
    return PotentialEstimate.objects.filter(client=client)


def _estimate_form(
    request: HtmxHttpRequest, client: Client, group: ProductGroup, estimate: PotentialEstimate | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    # Several rows may show their forms at once: ids per group keep them unique.
    form = EstimateForm(data, initial=_initial(estimate), auto_id=f"id_group{group.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            estimates.estimate_save(
                client=client, product_group=group, author=request.user, **form.cleaned_data
            )
        except estimates.EstimateConflict as conflict:
            form.add_error(None, conflict.message)
        else:
            return _table_changed(request, client, _("The estimate was saved."))
    context = card_context(request, client, "potential") | {
        "form": form,
        "group": group,
        "estimate": estimate,
    }
    template = "segmentation/card_estimate_form.html"
    return render(request, f"{template}#row" if request.htmx else template, context)


def _initial(estimate: PotentialEstimate | None) -> dict[str, Any]:
    if estimate is None:
        return {"estimated_on": timezone.localdate(), "seen": ""}
    return {
        "amount": estimate.amount,
        "source": estimate.source,
        "estimated_on": estimate.estimated_on,
        "seen": estimates.fingerprint(estimate),
    }


@require_POST
@login_required
def estimate_delete(request: HtmxHttpRequest, pk: int, estimate_pk: int) -> HttpResponse:
    client = get_client_for_user(request.user, pk, write=True)
    estimate = get_object_or_404(_estimates(client), pk=estimate_pk)
    estimates.estimate_delete(estimate=estimate, by=request.user)
    return _table_changed(request, client, _("The estimate was deleted."))


def _table_changed(request: HtmxHttpRequest, client: Client, message: str) -> HttpResponse:
    """htmx gets the refreshed table in place of the row's form; others a redirect."""
    if request.htmx:
        return _potential(request, client)
    messages.success(request, message)
    return redirect("segmentation:potential", pk=client.pk)


def _client_for_decider(request: HtmxHttpRequest, pk: int) -> Client:
    """404 for a client the user may not see, then 403 unless they decide key status."""
    client = get_client_for_user(request.user, pk)
    if not request.user.has_perm("segmentation.decide_for_client", client):
        raise PermissionDenied
    return client


@require_http_methods(["GET", "POST"])
@login_required
def key_decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    client = _client_for_decider(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    grant = KeyGrantForm(
        request.POST if action == "grant" else None, prefix="grant", initial=_key_initial(client)
    )
    revoke = KeyRevokeForm(request.POST if action == "revoke" else None, prefix="revoke")
    forms: dict[str, KeyGrantForm | KeyRevokeForm] = {"grant": grant, "revoke": revoke}
    decided = _key_decision(request, client, forms.get(action or ""))
    if decided is not None:
        return decided
    context = card_context(request, client, "overview") | {
        "page": selectors.decision_page(client, user=request.user, today=timezone.localdate()),
        "grant": grant,
        "revoke": revoke,
    }
    return render(request, "segmentation/card_key_status.html", context)


def _key_initial(client: Client) -> dict[str, Any]:
    """A key client's form starts from its current reasons and note."""
    status = KeyStatus.objects.filter(client=client, is_key=True).first()
    return {"reasons": status.reasons, "note": status.note} if status else {}


def _key_decision(
    request: HtmxHttpRequest, client: Client, form: KeyGrantForm | KeyRevokeForm | None
) -> HttpResponse | None:
    """Grant or revoke from a valid form and redirect to the card; None to show the page again."""
    if form is None or not form.is_valid():
        return None
    try:
        if isinstance(form, KeyGrantForm):
            key_status.key_grant(client=client, by=request.user, **form.cleaned_data)
            done = _("%(client)s is a key client.")
        else:
            key_status.key_revoke(client=client, by=request.user, **form.cleaned_data)
            done = _("%(client)s is no longer a key client.")
    except key_status.KeyStatusRefused as refused:
        form.add_error(None, refused.message)
        return None
    messages.success(request, done % {"client": client})
    if isinstance(form, KeyGrantForm):
        for warning in key_status.key_warnings(client=client):
            messages.warning(request, warning)
    return redirect(client)


@require_http_methods(["GET", "POST"])
@login_required
def tier_override(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    client = _client_for_decider(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    current = TierOverride.objects.filter(client=client).first()
    initial = {"tier": current.tier, "reason": current.reason} if current else {}
    override = TierOverrideForm(request.POST if action == "set" else None, prefix="set", initial=initial)
    clear = TierClearForm(request.POST if action == "clear" else None, prefix="clear")
    try:
        if action == "set" and override.is_valid():
            key_status.tier_override_set(client=client, by=request.user, **override.cleaned_data)
            messages.success(request, _("The tier of %(client)s is overridden.") % {"client": client})
            return redirect(client)
        if action == "clear" and clear.is_valid():
            key_status.tier_override_clear(client=client, by=request.user, **clear.cleaned_data)
            messages.success(request, _("%(client)s has its computed tier again.") % {"client": client})
            return redirect(client)
    except key_status.TierOverrideRefused as refused:
        (override if action == "set" else clear).add_error(None, refused.message)
    context = card_context(request, client, "overview") | {
        "page": selectors.decision_page(client, user=request.user, today=timezone.localdate()),
        "override_form": override,
        "clear": clear,
    }
    return render(request, "segmentation/card_tier_override.html", context)
