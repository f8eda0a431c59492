"""The win-back list: directors see every lost silver, gold or key client, managers theirs."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kam.http import AuthenticatedHttpRequest
from kam.pagination import query_without
from plans.winback import selectors


@login_required
@require_GET
def win_back(request: AuthenticatedHttpRequest) -> HttpResponse:
    page, rows = selectors.win_back_page(
        selectors.win_back_clients(request.user),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        today=timezone.localdate(),
    )
    context = {
        "page": page,
        "rows": rows,
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "win_back",
    }
    return render(request, "plans/win_back.html", context)
