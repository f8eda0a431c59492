"""What plans add to the card's history tab (see `accounts.extensions.HistorySource`): plans started,
changed and closed, and every change to their steps."""

from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext

from accounts.audit import AuditEntry, TrackedModel
from accounts.extensions import HistorySource
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from plans.models import Plan, PlanKind, PlanStep


def _plan_action(row: Any, before: Any) -> str | None:
    """Started and closed say what happened; anything else is a change."""
    if row.history_type == "+":
        return pgettext("plan", "started")
    if row.status == Plan.Status.CLOSED and (before is None or before.status != Plan.Status.CLOSED):
        return pgettext("plan", "closed")
    return None


def _plan_kind(row: Any, names: Any) -> str:
    return str(PlanKind(row.kind).label)


def _step_text(row: Any, names: Any) -> str:
    """The step's wording in the active language (or the other), after its plan's kind."""
    first, second = (
        (row.text_ru, row.text_en) if translation.get_language() == "ru" else (row.text_en, row.text_ru)
    )
    return f"{names.lookup(Plan, row.plan_id)} — {first or second}"


PLAN = TrackedModel(
    Plan,
    "client_id",
    gettext_lazy("Plan"),
    describe=_plan_kind,
    action=_plan_action,
    hidden=("kind",),
)
STEP = TrackedModel(
    PlanStep,
    "plan__client_id",
    gettext_lazy("Plan step"),
    describe=_step_text,
    hidden=("plan", "position", "text_en", "text_ru"),
)


def tracked_entries(tracked: TrackedModel) -> Any:
    """A history source reading `tracked`'s entries of the client."""

    def entries(
        request: AuthenticatedHttpRequest, client: Client, before: datetime | None, limit: int
    ) -> list[AuditEntry]:
        return tracked.entries(client, before, limit)

    return entries


SOURCES = [
    HistorySource("plans", tracked_entries(PLAN), PLAN.dates),
    HistorySource("plan_steps", tracked_entries(STEP), STEP.dates),
]
