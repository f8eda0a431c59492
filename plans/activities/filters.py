"""The client list's filter by the highest rung of the loyalty ladder reached (the ladder view's
counts link to it); registered into the list by `plans.extensions`."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from plans.activities.selectors import NO_RUNG, rung_is
from plans.models import Rung


def _by_rung(queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
    return queryset.filter(rung_is(value, timezone.localdate()))


def rung_choices() -> list[tuple[str, str | Promise]]:
    """None yet, then each rung by its number and name, in the active language."""
    return [(NO_RUNG, _("None yet")), *((str(r.value), f"{r.value}. {r.label}") for r in Rung)]


def rung() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("Loyalty rung reached"), choices=rung_choices, method=_by_rung, empty_label=_("Any")
    )
