"""The win-back list: directors see every lost silver, gold or key client, managers theirs."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kam import excel
from kam.excel import Column
from kam.exports.background import in_background
from kam.http import AuthenticatedHttpRequest
from kam.pagination import query_without
from plans.winback import selectors
from plans.winback.cells import win_back_rows
from segmentation.models import Tier


@login_required
@require_GET
def win_back(request: AuthenticatedHttpRequest) -> HttpResponse:
    page, rows = selectors.win_back_page(
        request.user,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        today=timezone.localdate(),
    )
    context = {
        "page": page,
        "rows": rows,
        "row_cells": win_back_rows(rows),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "win_back",
    }
    return render(request, "plans/win_back.html", context)


@login_required
@require_GET
def win_back_export(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    """Every row of the list (all pages), as the user sees it: a manager only their clients; a
    long list is written on the worker (kam.exports.background)."""
    clients = selectors.win_back_clients(request.user)
    if (queued := in_background(request, rows=clients, name=_("Win-back list"))) is not None:
        return queued
    rows = selectors.every_win_back(clients, today=timezone.localdate())
    columns = [
        Column(_("Client"), lambda row: row.client.name, width=40),
        Column(_("Key"), lambda row: _("yes") if row.is_key else ""),
        Column(_("Tier"), lambda row: _tier(row.client.tier_now)),
        Column(_("Responsible manager"), lambda row: row.client.responsible_manager or _("Nobody"), width=24),
        Column(_("Why lost"), lambda row: row.lost.detail, width=50),
        Column(_("Last purchase"), lambda row: row.client.segment.last_purchase),
        Column(_("Potential"), lambda row: row.client.segment.potential, width=16),
        Column(_("Refusals, 12 months"), lambda row: row.refusals),
        Column(_("Win-back plan"), _plan, width=40),
    ]
    return excel.export(_("Win-back list"), [(_("Win-back list"), columns, rows)])


def _tier(tier: str) -> str:
    return str(Tier(tier).label) if tier in (Tier.GOLD, Tier.SILVER) else str(Tier.BRONZE.label)


def _plan(row: selectors.Row) -> str:
    """The latest win-back plan in the list's words."""
    plan = row.plan
    if plan is None:
        return _("No plan yet")
    if plan.status == plan.Status.ACTIVE:
        active = _("Active, %(progress)s%% done") % {"progress": row.progress}
        return f"{active}: {plan.get_offer_kind_display()}" if plan.offer_kind else active
    closed_on = formats.date_format(plan.closed_on, "SHORT_DATE_FORMAT") if plan.closed_on else ""
    return _("Closed %(date)s: %(outcome)s") % {"date": closed_on, "outcome": plan.get_outcome_display()}
