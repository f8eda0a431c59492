"""The manager's day's plan steps, an item per step written in Python (see `kam.cells`)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils.safestring import SafeString

from kam.cells import esc, gettext, label, rows, short_date, text
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


@rows()
def flag_cards(flags: Iterable[Any]) -> SafeString:
    """A card per flag the day counts (`selectors.FlagCount`): how many of the user's clients
    carry it (in red when any), opening the client list filtered by it."""
    html = []
    for cell in flags:
        muted, red = ("", " text-danger") if cell.count else (" text-muted", "")
        html.append(
            f'<div class="col"><a class="card h-100 text-decoration-none{muted}" href="{esc(cell.url)}"'
            f' data-flag="{esc(cell.flag.name)}"><div class="card-body py-2">'
            f'<div class="fs-4 fw-semibold{red}">{text(cell.count)}</div>'
            f'<div class="small">{esc(cell.flag.label)}</div></div></a></div>'
        )
    return SafeString("\n".join(html))


@rows()
def next_step_items(clients: Iterable[Any], today: date) -> SafeString:
    """Each client's next step due (as `selectors.next_steps_due` reads them): when (overdue ones
    in red), its client, opening its touches, and the step."""
    touches = pk_urls("accounts:client_touches")
    html = []
    for client in clients:
        badge = "text-bg-danger" if client.next_step_due < today else "text-bg-warning"
        html.append(
            f'<li class="list-group-item px-0"><span class="badge {badge} me-1">'
            f"{esc(short_date(client.next_step_due))}</span> "
            f'<a href="{touches(client.pk)}">{esc(client.name)}</a>: {esc(client.next_step)}</li>'
        )
    return SafeString("".join(html))
