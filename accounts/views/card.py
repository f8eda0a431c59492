"""The client card: one page per tab, all behind the same access gate."""

from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import audit, geography, selectors
from accounts.access import get_client_for_user
from accounts.extensions import card_context, card_panels, card_related, history_sources
from accounts.forms import PageForm
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page

TOUCHES_PER_PAGE = 25


def tab_data(client: Client, tab: str, cursor: dict[str, str] | None = None) -> dict[str, Any]:
    """What each tab lists (`cursor`: the touches' page, the first when None); also used to
    refresh a list after an inline edit."""
    if tab == "contacts":
        return {
            "group": selectors.decision_group(client),
            "inactive": selectors.inactive_contacts(client),
        }
    if tab == "points":
        return {"points": selectors.client_points(client)}
    if tab == "touches":
        cursor = cursor or {}
        page = keyset_page(
            selectors.touches_of(client),
            order=selectors.TOUCH_ORDER,
            after=cursor.get("after", ""),
            before=cursor.get("before", ""),
            size=TOUCHES_PER_PAGE,
            count=False,
            first=selectors.first_touches(client, TOUCHES_PER_PAGE),
        )
        return {"touches": selectors.with_people(page.rows), "page": page}
    if tab == "refusals":
        return {
            "refusals": selectors.client_refusals(client),
            "by_quarter": selectors.refusals_by_quarter(client),
        }
    return {}


def _render_tab(request: AuthenticatedHttpRequest, pk: int, tab: str, **extra: Any) -> HttpResponse:
    client = get_client_for_user(request, pk)
    form = PageForm(request.GET)
    cursor = form.cleaned_data if form.is_valid() else {}
    context = card_context(request, client, tab) | tab_data(client, tab, cursor) | extra
    return render(request, f"accounts/tabs/{tab}.html", context)


@login_required
@require_GET
def client_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, related=card_related())
    touches = selectors.latest_touches(client)
    context = card_context(request, client, "overview") | {
        "group": selectors.decision_group(client, detailed=False),
        "points": selectors.client_points(client),
        "team": selectors.client_team(client),
        "touches": touches,
        "last_met_on": selectors.last_met_on(touches),
        "panels": [panel.template for panel in card_panels()],
    }
    for panel in card_panels():
        context |= panel.context(request, client)
    return render(request, "accounts/tabs/overview.html", context)


@login_required
@require_GET
def client_contacts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_tab(request, pk, "contacts")


@login_required
@require_GET
def client_points(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_tab(request, pk, "points")


@login_required
@require_GET
def client_touches(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_tab(request, pk, "touches")


@login_required
@require_GET
def client_refusals(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_tab(request, pk, "refusals")


@login_required
@require_GET
def client_sales(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    chart = selectors.monthly_sales(client, today=timezone.localdate())
    context = card_context(request, client, "sales") | {
        "chart": chart,
        "chart_config": selectors.sales_chart_config(chart),
        "by_group": selectors.sales_by_group(client, today=timezone.localdate()),
    }
    return render(request, "accounts/tabs/sales.html", context)


@login_required
@require_GET
def client_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The card's history and what the apps above keep about the client, newest first, a page at
    a time (`?before=` the cursor of the page's last entry)."""
    client = get_client_for_user(request, pk)
    sources = [audit.Source(source.dates, partial(source.entries, request)) for source in history_sources()]
    before = PageForm(request.GET)
    cursor = before.cleaned_data["before"] if before.is_valid() else ""
    page = audit.client_history(client, sources=sources, before=cursor)
    context = card_context(request, client, "history") | {
        "entries": page.entries,
        "next_cursor": page.next_cursor,
        "first_page": not cursor,
    }
    return render(request, "accounts/tabs/history.html", context)


@login_required
@require_GET
def region_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The <option>s of a country's regions, for the point form's region list."""
    country = request.GET.get("country", "")[:2].upper()
    return render(request, "accounts/region_options.html", {"regions": geography.region_choices(country)})
