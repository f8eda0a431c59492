"""The manager's day's plan steps, an item per step written in Python (see `kam.cells`)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils.safestring import SafeString

from kam.cells import esc, gettext, label, rows, short_date
from kam.links import pk_urls
from plans.models import PlanKind


@rows()
def step_items(steps: Iterable[Any], today: date) -> SafeString:
    """Each step due (as `selectors.plan_steps` reads them): when (overdue ones in red), its
    client's plans, its text and its plan's kind."""
    overdue = esc(gettext("overdue"))
    plans = pk_urls("plans:client_plans")
    html = []
    for step in steps:
        assert step.due is not None
        late = step.due < today
        badge = "text-bg-danger" if late else "text-bg-light border"
        when = f"{overdue} · {esc(short_date(step.due))}" if late else esc(short_date(step.due))
        client = f'<a href="{plans(step.client_pk)}">{esc(step.client_name)}</a>'
        html.append(
            f'<li class="list-group-item px-0"><span class="badge {badge} me-1">{when}</span> '
            f"{client}: {esc(step.text)} "
            f'<span class="small text-muted">({esc(label(PlanKind, step.plan_kind))})</span></li>'
        )
    return SafeString("".join(html))
