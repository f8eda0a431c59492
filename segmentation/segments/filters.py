"""The client list's filters by segment; registered into the list by `segmentation.extensions`."""

from collections.abc import Callable

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from segmentation.models import Category, League, LostStatus, SizeClass, Tier
from segmentation.segments import abcd, tiers


def _by(predicate: Callable[[str], Q]) -> Callable[[QuerySet[Client], str, str], QuerySet[Client]]:
    """A django-filter method from a rule's predicate."""
    return lambda queryset, name, value: queryset.filter(predicate(value))


def category() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("Category"),
        choices=[*Category.choices, (abcd.NO_CATEGORY, _("No category yet"))],
        method=_by(abcd.category_is),
        empty_label=_("Any"),
    )


def tier() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("Tier"), choices=Tier.choices, method=_by(tiers.tier_is), empty_label=_("Any")
    )


def league() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("League"), choices=League.choices, field_name="segment__league", empty_label=_("Any")
    )


def size() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("Size class"),
        choices=SizeClass.choices,
        field_name="segment__size_class",
        empty_label=_("Any"),
    )


def purchases() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("Purchase status"),
        choices=LostStatus.choices,
        field_name="segment__lost_status",
        empty_label=_("Any"),
    )
