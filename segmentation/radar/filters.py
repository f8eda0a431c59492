"""The client list's filter by radar flag; registered into the list by `segmentation.extensions`."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from segmentation.radar.flags import flag_choices
from segmentation.radar.selectors import flagged


def _flagged(queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
    return queryset.filter(flagged(value))


def flag() -> django_filters.Filter:
    """The clients carrying one flag of the radar, as the last nightly run found them."""
    return django_filters.ChoiceFilter(
        label=_("Radar flag"), choices=flag_choices, method=_flagged, empty_label=_("Any")
    )
