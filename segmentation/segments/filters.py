"""The client list's filters by segment; registered into the list by `segmentation.extensions`."""

from collections.abc import Callable, Sequence
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from accounts.models import Client
from kam.choices import kept
from segmentation.models import Category, League, LostStatus, SegmentChange, SizeClass, Tier
from segmentation.segments import abcd, tiers


def _by(predicate: Callable[[str], Q]) -> Callable[[QuerySet[Client], str, str], QuerySet[Client]]:
    """A django-filter method from a rule's predicate."""
    return lambda queryset, name, value: queryset.filter(predicate(value))


def category() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label=_("Category"),
        choices=kept([*Category.choices, (abcd.NO_CATEGORY, _("No category yet"))]),
        method=_by(abcd.category_is),
        empty_label=_("Any"),
    )


class TierFilter(django_filters.ChoiceFilter):
    """The effective tier, by the overrides kept for the list's filters' version (its parent's,
    `ClientFilter.version`, when it has one)."""

    def filter(self, qs: QuerySet[Client], value: Any) -> QuerySet[Client]:
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(tiers.tier_is(value, version=getattr(self.parent, "version", None)))


def tier() -> django_filters.Filter:
    return TierFilter(label=_("Tier"), choices=kept(Tier.choices), empty_label=_("Any"))


def league() -> django_filters.Filter:
    return _stored(_("League"), League.choices, "league")


def size() -> django_filters.Filter:
    return _stored(_("Size class"), SizeClass.choices, "size_class")


def purchases() -> django_filters.Filter:
    return _stored(_("Purchase status"), LostStatus.choices, "lost_status")


def _stored(
    label: str | Promise, choices: Sequence[tuple[str, str | Promise]], column: str
) -> django_filters.Filter:
    """A filter on a segment column as the nightly run stored it."""
    return django_filters.ChoiceFilter(
        label=label, choices=kept(choices), field_name=f"segment__{column}", empty_label=_("Any")
    )


class MovedInRun(django_filters.NumberFilter):
    """Clients with a segment change in one nightly run (`run=<id>`), of one kind when the
    list also asks `moved=<kind>`: the runs log links each run's counts here."""

    def filter(self, queryset: QuerySet[Client], value: Any) -> QuerySet[Client]:
        if value is None:
            return queryset
        changes = SegmentChange.objects.filter(client=OuterRef("pk"), run_id=value)
        kind = self.parent.form.cleaned_data.get("moved") if self.parent else ""
        return queryset.filter(Exists(changes.filter(kind=kind) if kind else changes))


def moved_in_run() -> django_filters.Filter:
    return MovedInRun(label=_("Moved in run"), widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


def moved_kind() -> django_filters.Filter:
    """The kind of change `moved_in_run` looks for; on its own it filters nothing."""
    return django_filters.ChoiceFilter(
        label=_("Moved"),
        choices=kept(SegmentChange.Kind.choices),
        widget=forms.HiddenInput,
        method=lambda queryset, name, value: queryset,
    )
