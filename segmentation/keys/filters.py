"""The client list's key status filter; registered into the list by `segmentation.extensions`."""

import django_filters
from django.utils.translation import gettext_lazy as _

from segmentation.keys.selectors import IS_KEY, NOT_KEY

KEY, NOT_KEY_CHOICE = "yes", "no"


def key_status() -> django_filters.Filter:
    """Key clients, or the others."""
    return django_filters.ChoiceFilter(
        label=_("Key status"),
        choices=[(KEY, _("Key clients")), (NOT_KEY_CHOICE, _("Not key"))],
        method=lambda queryset, name, value: queryset.filter(IS_KEY if value == KEY else NOT_KEY),
        empty_label=_("Any"),
    )
