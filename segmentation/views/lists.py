"""Lists across clients: key candidates and potential estimates to do."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.filters import CandidateFilter, EstimateTodoFilter
from accounts.selectors import sees_every_client
from kam.http import HtmxHttpRequest
from kam.pagination import keyset_page, query_without
from kam.users import roles
from segmentation import selectors_lists as selectors
from segmentation.models import Policy
from segmentation.selectors import key_cap


@require_GET
@login_required
def candidates(request: HtmxHttpRequest) -> HttpResponse:
    """Key candidates ranked by flags and potential, under the current key clients and the cap."""
    if not (roles.is_sales_director(request.user) or roles.is_admin(request.user)):
        raise PermissionDenied
    policy = Policy.current()
    total = selectors.total_potential()
    filters = CandidateFilter(
        request.GET or None, queryset=selectors.candidates(request.user), user=request.user
    )
    after, _before = filters.cursors()
    context = {
        "filters": filters,
        "page": selectors.candidate_page(filters.qs, after=after, total=total),
        "keys": selectors.key_clients(request.user, total=total, policy=policy),
        "cap": key_cap(policy),
        "key_list_limit": selectors.KEY_LIST_LIMIT,
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "candidates",
    }
    template = "segmentation/candidates.html#rows" if request.htmx else "segmentation/candidates.html"
    return render(request, template, context)


@require_GET
@login_required
def todo(request: HtmxHttpRequest) -> HttpResponse:
    """Clients whose potential table is empty or stale, with counts per responsible manager."""
    policy = Policy.current()
    today = timezone.localdate()
    filters = EstimateTodoFilter(
        request.GET or None,
        queryset=selectors.estimates_todo(request.user, today=today, policy=policy),
        user=request.user,
    )
    after, before = filters.cursors()
    page = keyset_page(filters.qs, order=["name", "pk"], after=after, before=before)
    context = {
        "filters": filters,
        "page": page,
        "rows": selectors.todo_rows(page.rows, policy),
        "counts": selectors.todo_counts(request.user, today=today, policy=policy),
        "stale_months": policy.estimate_stale_months,
        "sees_all": sees_every_client(request.user),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "todo",
    }
    template = "segmentation/todo.html#rows" if request.htmx else "segmentation/todo.html"
    return render(request, template, context)
