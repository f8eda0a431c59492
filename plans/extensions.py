"""What plans add to the client card (see `accounts.extensions`): the Plans and Questionnaires tabs,
the plans panel on the overview (with the plan the strategy suggests) and the plans' and surveys'
part of the card's history."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.extensions import CardPanel, CardTab
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from plans import history, selectors
from plans.questionnaires import history as questionnaire_history


def plans_panel(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    return {
        "plans_panel": {
            "suggestion": selectors.suggestion(client),
            "active": selectors.plan_summaries(client, today=timezone.localdate()),
        }
    }


def register() -> None:
    extensions.register_tab(CardTab("plans", _("Plans"), "plans:client_plans", 75))
    extensions.register_panel(CardPanel("plans", "plans/_plans_panel.html", plans_panel, 20))
    extensions.register_tab(CardTab("questionnaires", _("Questionnaires"), "plans:client_surveys", 76))
    for source in [*history.SOURCES, *questionnaire_history.SOURCES]:
        extensions.register_history_source(source)
