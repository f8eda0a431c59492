"""The managers' time split (DOMAIN §9): per manager and period, the time logged by client
category against the policy's targets, as a chart and a table. Directors and admins see every
manager and the department; an account manager sees their own split only."""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from segmentation.models import Policy
from segmentation.timesplit import charts, selectors
from segmentation.timesplit.forms import TimeSplitForm


@permission_or_403("segmentation.view_time_split")
@require_GET
def time_split(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sees_all = request.user.has_perm("accounts.view_all_clients")
    managers = selectors.visible_managers(request.user)
    # A director's department and select of managers, from one read of them.
    every = selectors.EVERY_MANAGER() if sees_all else []
    names = selectors.names_of(every)
    form = TimeSplitForm(
        request.GET or None,
        managers=managers,
        names=(lambda: names) if sees_all else None,
        own=None if sees_all else request.user,
        today=today,
    )
    context: dict[str, Any] = {"nav": "workload", "form": form, "sees_all": sees_all, "split": None}
    choice = form.choice()
    if choice is not None:
        manager, since, until = choice
        # The one chosen (among `managers`, as the form checked), or all.
        chosen = [manager] if manager is not None else every if sees_all else managers
        policy = Policy.current()
        split = selectors.time_split(managers=chosen, since=since, until=until, today=today, policy=policy)
        context |= _shown(split, department=manager is None)
    return render(request, "segmentation/time_split.html", context)


def _shown(split: selectors.TimeSplit, *, department: bool) -> dict[str, Any]:
    """The table's rows with their cells (the department's below them when all managers are
    shown), and the chart: the targets, the department, then each manager."""
    rows = [(str(row.manager), row, row.cells(split.targets)) for row in split.rows]
    whole = split.department
    total = [(str(selectors.DEPARTMENT_LABEL), whole, whole.cells(split.targets))] if department else []
    drawn = total + rows
    return {
        "split": split,
        "rows": rows,
        "department": total,
        "chart": charts.time_split(split, [(label, cells) for label, _row, cells in drawn]),
        "chart_rows": len(drawn) + 1,
        "targets": [(selectors.LABELS[bucket], split.targets[bucket]) for bucket in selectors.BUCKETS],
        "tolerance": selectors.TOLERANCE,
    }
