"""The assignment board (DOMAIN §9): for those who see every client, each manager's load against
the policy's capacities, the managers who left still holding clients, and the clients nobody is
responsible for."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from kam.pagination import query_without
from segmentation.models import Policy
from segmentation.workload import board as selectors
from segmentation.workload.forms import BoardForm


@permission_or_403("segmentation.view_workload")
@require_GET
def workload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BoardForm(request.GET)
    sort, after, before = form.choices()
    policy = Policy.current()
    context = {
        "board": selectors.board(policy, sort=sort),
        "sizes": selectors.sizes_of(policy),
        "policy": policy,
        "sort": sort,
        "page": selectors.unassigned_page(after=after, before=before),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "workload",
    }
    return render(request, "segmentation/workload/board.html", context)
