"""The client list's key status filter; registered into the list by `segmentation.extensions`."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kam.choices import kept
from segmentation.keys.selectors import IS_KEY, NOT_KEY

KEY, NOT_KEY_CHOICE = "yes", "no"
CHOICES = [(KEY, _("Key clients")), (NOT_KEY_CHOICE, _("Not key"))]


def key_status() -> django_filters.Filter:
    """Key clients, or the others."""
    return django_filters.ChoiceFilter(
        label=_("Key status"),
        choices=kept(CHOICES),
        method=lambda queryset, name, value: queryset.filter(IS_KEY if value == KEY else NOT_KEY),
        empty_label=_("Any"),
    )
