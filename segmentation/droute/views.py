"""D-group routing (DOMAIN §5), for those who decide who is responsible for whom: preview the
policy's route over clients picked in the client list, apply it, list the batches and reverse one."""

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page
from segmentation.droute import selectors, services
from segmentation.droute.forms import SelectionForm
from segmentation.droute.selectors import Preview
from segmentation.models import DRouteBatch, Policy

ROUTE_D = "accounts.assign_client"


@permission_or_403(ROUTE_D)
@require_safe
def d_route_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the policy's route would do to the picked clients: how many, from whom, to whom."""
    form = SelectionForm(request.GET, user=request.user)
    if not form.is_valid():
        return selection_refused(request, form)
    route = selectors.policy_route(Policy.current())
    found = selectors.preview(form.selection(), route, asked=form.asked())
    return _preview_page(request, form, found)


@permission_or_403(ROUTE_D)
@require_POST
def d_route_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply the route to the previewed clients, unless something changed since the preview."""
    form = SelectionForm(request.POST, user=request.user)
    if not form.is_valid():
        return selection_refused(request, form)
    try:
        batch = services.d_route_apply(
            selection=form.selection(), asked=form.asked(), token=form.cleaned_data["token"], by=request.user
        )
    except services.RouteNotSetError:
        messages.error(request, selectors.route_missing(request.user))
        return _preview_page(request, form, _current(form), status=400)
    except services.StalePreviewError as error:
        messages.error(
            request,
            _(
                "Nothing was changed: the clients, their categories or the policy's route changed "
                "since the preview. Here is the preview as it is now; check it and apply again."
            ),
        )
        return _preview_page(request, form, error.preview, status=409)
    except services.NothingToRouteError:
        messages.error(request, _("Nothing was changed: none of the selected clients can be routed."))
        return _preview_page(request, form, _current(form), status=400)
    text = ngettext(
        "%(count)d client was routed: %(route)s.", "%(count)d clients were routed: %(route)s.", batch.clients
    )
    messages.success(request, text % {"count": batch.clients, "route": selectors.batch_route(batch)})
    return redirect(batch)


@permission_or_403(ROUTE_D)
@require_safe
def d_route_batches(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The routings applied so far, newest first, a page at a time."""
    page = keyset_page(
        selectors.batches(),
        order=["-applied_at", "-pk"],
        after=request.GET.get("after", "")[:400],
        before=request.GET.get("before", "")[:400],
    )
    return render(
        request, "segmentation/droute/batch_list.html", {"page": page, "page_query": "", "nav": "clients"}
    )


@permission_or_403(ROUTE_D)
@require_safe
def d_route_batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One routing: its route, its clients by their previous managers, and its reversal."""
    batch = get_object_or_404(selectors.batches(), pk=pk)
    context = {
        "batch": batch,
        "route": selectors.batch_route(batch),
        **selectors.batch_summary(batch),
        "nav": "clients",
    }
    return render(request, "segmentation/droute/batch.html", context)


@permission_or_403(ROUTE_D)
@require_POST
def d_route_reverse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Put the batch's clients back as they were, except those changed since the batch."""
    batch = get_object_or_404(DRouteBatch, pk=pk)
    try:
        reversal = services.d_route_reverse(batch=batch, by=request.user)
    except services.AlreadyReversedError:
        messages.error(request, _("Nothing was changed: this routing was reversed before."))
        return redirect(batch)
    text = ngettext(
        "%(count)d client was put back as it was before the routing.",
        "%(count)d clients were put back as they were before the routing.",
        reversal.restored,
    ) % {"count": reversal.restored}
    if reversal.skipped:
        text += " " + ngettext(
            "%(count)d client changed since the routing and was left as it is.",
            "%(count)d clients changed since the routing and were left as they are.",
            reversal.skipped,
        ) % {"count": reversal.skipped}
    messages.success(request, text)
    return redirect(batch)


def _current(form: SelectionForm) -> Preview:
    return selectors.preview(form.selection(), selectors.policy_route(Policy.current()), asked=form.asked())


def _preview_page(
    request: AuthenticatedHttpRequest, form: SelectionForm, found: Preview, *, status: int = 200
) -> HttpResponse:
    context = {
        "preview": found,
        "route_missing": selectors.route_missing(request.user) if found.route is None else "",
        "selection": form.hidden_fields_to_repeat(),
        "back": form.back_query(),
        "nav": "clients",
    }
    return render(request, "segmentation/droute/preview.html", context, status=status)


def selection_refused(request: AuthenticatedHttpRequest, form: SelectionForm) -> HttpResponse:
    """Back to the client list as it was, saying why no clients could be picked (for every
    action on clients picked in the list)."""
    for error in [*form.non_field_errors(), *form.errors.get("client", [])]:
        messages.error(request, error)
    if not form.non_field_errors() and not form.errors.get("client"):
        messages.error(request, _("The selection was not understood; nothing was changed."))
    url = reverse("accounts:client_list")
    back = form.query if form.data.get("all") else QueryDict(form.data.get("back", "")[:2000])
    return redirect(f"{url}?{back.urlencode()}" if back else url)
