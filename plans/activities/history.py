"""What development activities add to the card's history tab (see `accounts.extensions.HistorySource`):
every activity added, changed or deleted."""

from datetime import datetime
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy

from accounts.audit import AuditEntry, TrackedModel
from accounts.extensions import HistorySource
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from plans.models import Activity, ActivityKind


def _describe(row: Any, names: Any) -> str:
    """The activity's kind and date, then its title: "VIP event, 12.05.2026 — Plant tour"."""
    day = formats.date_format(row.date, "SHORT_DATE_FORMAT")
    return f"{ActivityKind(row.kind).label}, {day} — {row.title}"


ACTIVITY = TrackedModel(Activity, "client_id", gettext_lazy("Development activity"), describe=_describe)


def entries(
    request: AuthenticatedHttpRequest, client: Client, before: datetime | None, limit: int
) -> list[AuditEntry]:
    return ACTIVITY.entries(client, before, limit)


SOURCE = HistorySource("activities", entries, ACTIVITY.dates)
