"""The client list's own columns: the card's facts, the last touch and the next step.

The apps above add theirs (segments, potential, revenue) through `accounts.extensions`.
"""

from typing import Any

from django.db.models import OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts import extensions, geography
from accounts.extensions import ListColumn
from accounts.models import NEVER, NO_STEP, Client, PointOfPresence
from kam.cells import DASH, esc, gettext, label, short_date, today
from kam.users.fields import name_fields


def _head_office() -> dict[str, Any]:
    offices = PointOfPresence.objects.filter(client=OuterRef("pk"), is_head_office=True).order_by("id")
    return {"head_city": offices.values("city")[:1], "head_region": offices.values("region")[:1]}


def _last_touch() -> dict[str, Any]:
    return {"last_touch_sort": Coalesce("last_touch_on", Value(NEVER))}


def _next_step() -> dict[str, Any]:
    return {"next_step_sort": Coalesce("next_step_due", Value(NO_STEP))}


def _inn(client: Any) -> str:
    return f"{client.inn}/{client.kpp}" if client.kpp else client.inn


def _head_office_value(client: Any) -> str:
    return client.head_city or geography.region_name(client.head_region or "")


def _manager(client: Any) -> str:
    return str(client.responsible_manager) if client.responsible_manager else gettext("nobody")


def _next_step_value(client: Any) -> str:
    """The step, after its date when it has one (as the list shows it)."""
    if not client.next_step:
        return ""
    if client.next_step_due is None:
        return str(client.next_step)
    return f"{short_date(client.next_step_due)} {client.next_step}"


# Cells


def inn_cell(client: Any) -> SafeString:
    kpp = f"/{esc(client.kpp)}" if client.kpp else ""
    return SafeString(f'<span class="font-monospace small">{esc(client.inn or "—")}{kpp}</span>')


def industry_cell(client: Any) -> SafeString:
    return SafeString(esc(client.industry or "—"))


def head_office_cell(client: Any) -> SafeString:
    if client.head_city:
        region = esc(geography.region_name(client.head_region or ""))
        return SafeString(f'<span title="{region}">{esc(client.head_city)}</span>')
    if client.head_region:
        return SafeString(esc(geography.region_name(client.head_region)))
    return DASH


def manager_cell(client: Any) -> SafeString:
    if client.responsible_manager:
        return SafeString(esc(client.responsible_manager))
    return SafeString(f'<span class="badge text-bg-warning">{esc(gettext("nobody"))}</span>')


def last_touch_cell(client: Any) -> SafeString:
    if client.last_touch_on:
        return SafeString(esc(short_date(client.last_touch_on)))
    return SafeString(f'<span class="text-muted">{esc(gettext("never"))}</span>')


def next_step_cell(client: Any) -> SafeString:
    if not client.next_step:
        return DASH
    text = esc(client.next_step)
    step = f'<span class="d-inline-block text-truncate align-bottom cell-step" title="{text}">{text}</span>'
    due = client.next_step_due
    if not due:
        return SafeString(step)
    if due < today():
        return SafeString(
            f'<span class="badge text-bg-danger" title="{esc(gettext("Overdue"))}">{esc(short_date(due))}'
            f'<span class="visually-hidden"> {esc(gettext("overdue"))}</span></span> {step}'
        )
    return SafeString(f'<span class="small text-muted">{esc(short_date(due))}</span> {step}')


def status_cell(client: Any) -> SafeString:
    return SafeString(esc(label(Client.Status, client.status)))


def updated_cell(client: Any) -> SafeString:
    return SafeString(f'<span class="small">{esc(short_date(timezone.localdate(client.updated_at)))}</span>')


CORE_COLUMNS = [
    ListColumn("inn", _("INN/KPP"), inn_cell, 10, sort="inn", shown=False, value=_inn, reads=("inn", "kpp")),
    ListColumn(
        "industry",
        _("Industry"),
        industry_cell,
        20,
        related=("industry",),
        reads=("industry__name",),
        shown=False,
        value=lambda client: client.industry,
    ),
    ListColumn(
        "head_office",
        _("Head office"),
        head_office_cell,
        30,
        annotate=_head_office,
        value=_head_office_value,
    ),
    ListColumn(
        "manager",
        _("Responsible manager"),
        manager_cell,
        40,
        related=("responsible_manager",),
        reads=name_fields("responsible_manager"),
        value=_manager,
    ),
    ListColumn(
        "last_touch",
        _("Last touch"),
        last_touch_cell,
        120,
        title=_("The latest call, meeting, letter or event"),
        annotate=_last_touch,
        sort="last_touch_sort",
        value=lambda client: client.last_touch_on,
        reads=("last_touch_on",),
    ),
    ListColumn(
        "next_step",
        _("Next step"),
        next_step_cell,
        130,
        title=_("The next step of the latest touch that set one; overdue ones first"),
        annotate=_next_step,
        sort="next_step_sort",
        value=_next_step_value,
        reads=("next_step", "next_step_due"),
    ),
    ListColumn(
        "status",
        _("Status"),
        status_cell,
        140,
        sort="status",
        shown=False,
        value=lambda client: label(Client.Status, client.status),
        reads=("status",),
    ),
    ListColumn(
        "updated",
        _("Updated"),
        updated_cell,
        150,
        sort="updated_at",
        descending_first=True,
        shown=False,
        value=lambda client: client.updated_at,
        reads=("updated_at",),
    ),
]


def register() -> None:
    for column in CORE_COLUMNS:
        extensions.register_column(column)
