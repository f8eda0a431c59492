"""The potential table on the card, and the estimates to do.

Estimates are edited per row with htmx (the row turns into its form, and the whole
table comes back after a save) and, without JavaScript, on a page of their own.
"""

import dataclasses
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.access import EDIT, get_client_for_user
from accounts.extensions import card_context
from accounts.models import Client, ProductGroup
from accounts.rules import sees_every_client
from accounts.selectors import visible_parts
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page, query_without
from segmentation.models import Policy, PotentialEstimate
from segmentation.potential import selectors, services
from segmentation.potential.filters import EstimateTodoFilter
from segmentation.potential.forms import EstimateForm

POTENTIAL_PAGE = "segmentation/card_potential.html"


@login_required
@require_GET
def potential(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    return _potential(request, client)


def _potential(request: AuthenticatedHttpRequest, client: Client) -> HttpResponse:
    """The page, or for htmx the table alone (after a save, or to cancel a row's form)."""
    context = card_context(request, client, "potential") | {
        "page": selectors.potential_page(client, today=timezone.localdate())
    }
    if not request.htmx:
        return render(request, POTENTIAL_PAGE, context)
    response = render(request, f"{POTENTIAL_PAGE}#potential", context)
    return reswap(retarget(response, "#potential"), "outerHTML")


@login_required
@require_http_methods(["GET", "POST"])
def estimate_new(request: AuthenticatedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=EDIT)
    group = get_object_or_404(ProductGroup.objects.active(), pk=group_pk)
    return _estimate_form(
        request, client, group, PotentialEstimate.objects.filter(client=client, product_group=group).first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def estimate_edit(request: AuthenticatedHttpRequest, pk: int, estimate_pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=EDIT)
    estimate = get_object_or_404(_estimates(client).select_related("product_group"), pk=estimate_pk)
    return _estimate_form(request, client, estimate.product_group, estimate)


def _estimates(client: Client) -> QuerySet[PotentialEstimate]:
    return PotentialEstimate.objects.filter(client=client)


def _estimate_form(
    request: AuthenticatedHttpRequest, client: Client, group: ProductGroup, estimate: PotentialEstimate | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    # Several rows may show their forms at once: ids per group keep them unique.
    form = EstimateForm(data, initial=_initial(estimate), auto_id=f"id_group{group.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.estimate_save(
                client=client, product_group=group, author=request.user, **form.cleaned_data
            )
        except services.EstimateConflict as conflict:
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
        "seen": services.fingerprint(estimate),
    }


@login_required
@require_POST
def estimate_delete(request: AuthenticatedHttpRequest, pk: int, estimate_pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=EDIT)
    estimate = get_object_or_404(_estimates(client), pk=estimate_pk)
    services.estimate_delete(estimate=estimate, by=request.user)
    return _table_changed(request, client, _("The estimate was deleted."))


def _table_changed(request: AuthenticatedHttpRequest, client: Client, message: str) -> HttpResponse:
    """htmx gets the refreshed table in place of the row's form; others a redirect."""
    if request.htmx:
        return _potential(request, client)
    messages.success(request, message)
    return redirect("segmentation:potential", pk=client.pk)


@login_required
@require_GET
def todo(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Clients whose potential table is empty or stale, with counts per responsible manager."""
    policy = Policy.current()
    today = timezone.localdate()
    filters = EstimateTodoFilter(request.GET or None, queryset=Client.objects.all(), user=request.user)
    after, before = filters.cursors()
    counts = selectors.todo_counts(request.user, today=today, policy=policy)
    total = filters.total(counts)
    # The user's clients as the parts they see: a manager's page walks their (manager, name) index.
    # Unfiltered, its first page's keys come from a prepared query, and neither the parts nor the
    # list's query is made.
    first = None if filters.is_bound else selectors.first_todo_page(request.user, today=today, policy=policy)
    todo = partial(selectors.estimates_todo, today=today, policy=policy)
    page = keyset_page(
        lambda: visible_parts(request.user, filters.filtered(todo())),
        order=selectors.TODO_ORDER,
        after=after,
        before=before,
        size=selectors.TODO_PAGE_SIZE,
        read=selectors.todo_rows_by_pk,
        count=total is None,
        first=first,
    )
    if total is not None:
        page = dataclasses.replace(page, total=total, total_capped=False)
    context = {
        "filters": filters,
        "page": page,
        "rows": selectors.TodoRows(page.rows, policy),
        "counts": counts,
        "stale_months": policy.estimate_stale_months,
        "sees_all": sees_every_client(request.user),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "todo",
    }
    template = "segmentation/todo.html#rows" if request.htmx else "segmentation/todo.html"
    return render(request, template, context)
