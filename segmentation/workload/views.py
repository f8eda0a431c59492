"""The assignment board (DOMAIN §9): for those who see every client, each manager's load against
the policy's capacities, the managers who left still holding clients, and the clients nobody is
responsible for."""

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Client
from kam import excel
from kam.access import permission_or_403
from kam.excel import Column
from kam.exports.background import in_background
from kam.fragments import cached
from kam.http import AuthenticatedHttpRequest
from kam.pagination import query_without
from segmentation.models import ClientSegment, Policy, SizeClass, Tier
from segmentation.workload import board as selectors
from segmentation.workload.board import ManagerRow
from segmentation.workload.forms import BoardForm
from segmentation.workload.selectors import Load


@permission_or_403("segmentation.view_workload")
@require_GET
def workload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BoardForm(request.GET)
    sort, after, before = form.choices()
    policy = Policy.current()
    staff = selectors.staff()
    context = {
        "managers": _managers(policy, staff, sort),
        "unassigned": staff.loads.get(None, Load()),
        "page": selectors.unassigned_page(after=after, before=before),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "workload",
    }
    return render(request, "segmentation/workload/board.html", context)


def _managers(policy: Policy, staff: selectors.Staff, sort: str) -> SafeString:
    """The board's managers, those who left and the department, kept drawn (`kam.fragments`) by
    everything they show: the loads, the people's names, the policy and the order."""

    def draw() -> str:
        board = selectors.board(policy, sort=sort, of=staff)
        context = {"board": board, "sizes": selectors.sizes_of(policy), "policy": policy, "sort": sort}
        return render_to_string("segmentation/workload/_managers.html", context)

    return cached("workload-managers", staff.version(), policy.version(), sort, render=draw)


@permission_or_403("segmentation.view_workload")
@require_GET
def workload_export(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    """The board as the page shows it: the managers heaviest first, the managers who left still
    holding clients, and every client nobody is responsible for (all of them, not one page; many
    are written on the worker: kam.exports.background)."""
    if (
        queued := in_background(request, rows=selectors.unassigned_clients(), name=_("Workload"))
    ) is not None:
        return queued
    policy = Policy.current()
    found = selectors.board(policy)
    sizes = [
        Column(f"{SizeClass(size).label} / {capacity}", _size(n))
        for n, (size, capacity) in enumerate(
            (cell.size, cell.capacity) for cell in selectors.sizes_of(policy)
        )
    ]
    managers = [
        Column(_("Manager"), lambda row: str(row.manager), width=30),
        Column(_("Load, %"), lambda row: row.percent),
        *sizes,
        Column(_("Key clients"), lambda row: row.load.keys),
        Column(_("Warnings"), lambda row: " ".join(row.warnings), width=60),
    ]
    left = [
        Column(_("Manager"), lambda row: str(row.manager), width=30),
        Column(_("Active clients"), lambda row: row.load.clients),
        *sizes,
        Column(_("Key clients"), lambda row: row.load.keys),
    ]
    unassigned = [
        Column(_("Client"), lambda client: client.name, width=40),
        Column(_("Potential"), lambda client: _segment_value(client, "potential")),
        Column(_("Size class"), lambda client: _label(SizeClass, _segment_value(client, "size_class"))),
        Column(_("Category"), lambda client: _segment_value(client, "category") or ""),
        Column(_("Tier"), lambda client: _label(Tier, client.tier_now)),
        Column(_("Head office"), lambda client: client.head_city or ""),
    ]
    return excel.export(
        _("Workload"),
        [
            (_("Managers"), managers, found.managers),
            (_("Managers who left"), left, found.departed),
            (
                _("Nobody responsible"),
                unassigned,
                selectors.unassigned_clients().order_by("-rank_potential", "pk").iterator(chunk_size=2000),
            ),
        ],
    )


def _size(index: int) -> Callable[[ManagerRow], int]:
    return lambda row: row.sizes[index].count


def _segment_value(client: Client, name: str) -> Any:
    """A field of the client's segment, None when the nightly run has not computed it yet."""
    segment: ClientSegment | None = getattr(client, "segment", None)
    return getattr(segment, name) if segment is not None else None


def _label(choices: type[SizeClass] | type[Tier], value: str | None) -> str:
    return str(choices(value).label) if value in choices.values else ""
