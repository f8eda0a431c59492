"""The client list's own columns: the card's facts, the last touch and the next step.

The apps above add theirs (segments, potential, revenue) through `accounts.extensions`.
"""

from datetime import date
from typing import Any

from django.db.models import DateField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import extensions, geography
from accounts.extensions import ListColumn
from accounts.models import PointOfPresence, Touch

NEVER = date(1900, 1, 1)  # sorts clients never touched before all others
NO_STEP = date(9999, 12, 31)  # sorts clients without a dated next step after all others


def _head_office() -> dict[str, Any]:
    offices = PointOfPresence.objects.filter(client=OuterRef("pk"), is_head_office=True).order_by("id")
    return {"head_city": offices.values("city")[:1], "head_region": offices.values("region")[:1]}


def _latest_touch() -> Any:
    return Touch.objects.filter(client=OuterRef("pk")).order_by("-date", "-id")


def _last_touch() -> dict[str, Any]:
    last = Subquery(_latest_touch().values("date")[:1], output_field=DateField())
    return {"last_touch_on": last, "last_touch_sort": Coalesce(last, Value(NEVER))}


def _next_step() -> dict[str, Any]:
    """The next step recorded on the client's latest touch that has one, and its date."""
    with_step = _latest_touch().exclude(next_step="")
    due = Subquery(with_step.values("next_step_date")[:1], output_field=DateField())
    return {
        "next_step": with_step.values("next_step")[:1],
        "next_step_due": due,
        "next_step_sort": Coalesce(due, Value(NO_STEP)),
    }


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
    return f"{formats.date_format(client.next_step_due, 'SHORT_DATE_FORMAT')} {client.next_step}"


CORE_COLUMNS = [
    ListColumn("inn", _("INN/KPP"), "accounts/cells/inn.html", 10, sort="inn", shown=False, value=_inn),
    ListColumn(
        "industry",
        _("Industry"),
        "accounts/cells/industry.html",
        20,
        related=("industry",),
        shown=False,
        value=lambda client: client.industry,
    ),
    ListColumn(
        "head_office",
        _("Head office"),
        "accounts/cells/head_office.html",
        30,
        annotate=_head_office,
        value=_head_office_value,
    ),
    ListColumn(
        "manager",
        _("Responsible manager"),
        "accounts/cells/manager.html",
        40,
        related=("responsible_manager",),
        value=_manager,
    ),
    ListColumn(
        "last_touch",
        _("Last touch"),
        "accounts/cells/last_touch.html",
        120,
        title=_("The latest call, meeting, letter or event"),
        annotate=_last_touch,
        sort="last_touch_sort",
        value=lambda client: client.last_touch_on,
    ),
    ListColumn(
        "next_step",
        _("Next step"),
        "accounts/cells/next_step.html",
        130,
        title=_("The next step of the latest touch that set one; overdue ones first"),
        annotate=_next_step,
        sort="next_step_sort",
        value=_next_step_value,
    ),
    ListColumn(
        "status",
        _("Status"),
        "accounts/cells/status.html",
        140,
        sort="status",
        shown=False,
        value=lambda client: client.get_status_display(),
    ),
    ListColumn(
        "updated",
        _("Updated"),
        "accounts/cells/updated.html",
        150,
        sort="updated_at",
        descending_first=True,
        shown=False,
        value=lambda client: client.updated_at,
    ),
]


def register() -> None:
    for column in CORE_COLUMNS:
        extensions.register_column(column)
