"""What plans add to the client card and the client list (see `accounts.extensions`): the Plans,
Questionnaires, Activities and Handover tabs, the plans panel on the overview (with the plan the strategy
suggests) and the loyalty ladder's line, the plans', surveys' and activities' part of the card's
history, and the list's filter by the rung reached."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.extensions import CardPanel, CardTab, ListFilter
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from plans import history, selectors
from plans.activities import filters as activity_filters
from plans.activities import history as activity_history
from plans.activities.selectors import ladder_summary
from plans.questionnaires import history as questionnaire_history
from segmentation.extensions import card_decisions


def plans_panel(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    active = selectors.plan_summaries(client, today=timezone.localdate())
    kinds = {summary["plan"].kind for summary in active}
    loaded = card_decisions(request, client)
    return {
        "plans_panel": {
            "suggestion": selectors.suggestion(client, loaded=loaded, active_kinds=kinds),
            "active": active,
        }
    }


def ladder_panel(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    return {"activity_ladder": ladder_summary(client, today=timezone.localdate())}


def register() -> None:
    extensions.register_tab(CardTab("plans", _("Plans"), "plans:client_plans", 75))
    extensions.register_panel(CardPanel("plans", "plans/_plans_panel.html", plans_panel, 20))
    extensions.register_tab(CardTab("questionnaires", _("Questionnaires"), "plans:client_surveys", 76))
    extensions.register_tab(CardTab("activities", _("Activities"), "plans:client_activities", 77))
    extensions.register_tab(CardTab("handover", _("Handover"), "plans:client_handover", 90))
    extensions.register_panel(CardPanel("ladder", "plans/_ladder_panel.html", ladder_panel, 25))
    for source in [*history.SOURCES, *questionnaire_history.SOURCES, activity_history.SOURCE]:
        extensions.register_history_source(source)
    extensions.register_filter(ListFilter("rung", activity_filters.rung, 100))
