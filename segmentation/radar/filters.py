"""The client list's filter by radar flag; registered into the list by `segmentation.extensions`."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from segmentation.models import Policy
from segmentation.radar.flags import flag_choices, flag_q


def _flagged(queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
    return queryset.filter(flag_q(value, timezone.localdate(), Policy.current()))


def flag() -> django_filters.Filter:
    """The clients carrying one flag of the radar."""
    return django_filters.ChoiceFilter(
        label=_("Radar flag"), choices=flag_choices(), method=_flagged, empty_label=_("Any")
    )
