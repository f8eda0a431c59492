from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import geography
from accounts.forms import managers
from accounts.models import Client, Industry, PointOfPresence
from accounts.selectors import sees_every_client
from segmentation.models import (
    Category,
    League,
    LostStatus,
    PotentialEstimate,
    SizeClass,
    Tier,
    TierOverride,
)

NO_CATEGORY = "none"
KEY, NOT_KEY = "yes", "no"

# sort key in the query string -> (model field, descending)
SORTS = {
    "name": ("name", False),
    "-name": ("name", True),
    "inn": ("inn", False),
    "-inn": ("inn", True),
    "status": ("status", False),
    "-status": ("status", True),
    "updated": ("updated_at", False),
    "-updated": ("updated_at", True),
}


def region_choices() -> list[tuple[str, str]]:
    used = PointOfPresence.objects.order_by("region").values_list("region", flat=True).distinct()
    return sorted(((code, geography.region_name(code)) for code in used if code), key=lambda r: r[1])


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or INN"), method="search", max_length=200)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Client.Status.choices, empty_label=_("Any")
    )
    region = django_filters.ChoiceFilter(label=_("Region"), method="in_region", empty_label=_("Any"))
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"), queryset=Industry.objects.all(), empty_label=_("Any")
    )
    manager = django_filters.ModelChoiceFilter(
        label=_("Responsible manager"),
        field_name="responsible_manager",
        queryset=managers(),
        empty_label=_("Anyone"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=[*Category.choices, (NO_CATEGORY, _("No category yet"))],
        method="in_category",
        empty_label=_("Any"),
    )
    tier = django_filters.ChoiceFilter(
        label=_("Tier"), choices=Tier.choices, method="in_tier", empty_label=_("Any")
    )
    league = django_filters.ChoiceFilter(
        label=_("League"), choices=League.choices, field_name="segment__league", empty_label=_("Any")
    )
    size = django_filters.ChoiceFilter(
        label=_("Size class"),
        choices=SizeClass.choices,
        field_name="segment__size_class",
        empty_label=_("Any"),
    )
    purchases = django_filters.ChoiceFilter(
        label=_("Purchase status"),
        choices=LostStatus.choices,
        field_name="segment__lost_status",
        empty_label=_("Any"),
    )
    key = django_filters.ChoiceFilter(
        label=_("Key status"),
        choices=[(KEY, _("Key clients")), (NOT_KEY, _("Not key"))],
        method="by_key_status",
        empty_label=_("Any"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=[(k, k) for k in SORTS], method="keep", empty_label=None
    )
    after = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)
    before = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["region"].extra["choices"] = region_choices()
        self.filters["manager"].queryset = managers()
        if not sees_every_client(user):
            del self.filters["manager"]
        for name, field in self.form.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"id_{name}")

    def search(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        value = value.strip()
        if value.isdigit():
            return queryset.filter(Q(inn__startswith=value) | Q(name__icontains=value))
        return queryset.filter(name__icontains=value)

    def in_region(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset.filter(Exists(PointOfPresence.objects.filter(client=OuterRef("pk"), region=value)))

    def in_category(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        """Clients the nightly run has not seen yet (no segment row) have no category either."""
        if value == NO_CATEGORY:
            return queryset.filter(Q(segment__isnull=True) | Q(segment__category=""))
        return queryset.filter(segment__category=value)

    def in_tier(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        """The effective tier: a director's override wins over the computed one.

        EXISTS keeps the name-ordered index walk with a LIMIT; a UNION of ids was faster for
        the rare gold but sorted most of the base for bronze (measured at 100,000 clients).
        """
        overridden = TierOverride.objects.filter(client=OuterRef("pk"))
        return queryset.filter(
            Exists(overridden.filter(tier=value)) | (Q(segment__tier=value) & ~Exists(overridden))
        )

    def by_key_status(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        if value == KEY:
            return queryset.filter(key_status__is_key=True)
        return queryset.filter(Q(key_status__isnull=True) | Q(key_status__is_key=False))

    def keep(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset

    def ordering(self) -> tuple[str, bool]:
        key = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return SORTS.get(key or "name", SORTS["name"])


class CandidateFilter(django_filters.FilterSet):
    """The key candidates list (segmentation): whose candidates, and the page cursor."""

    manager = django_filters.ModelChoiceFilter(
        label=_("Responsible manager"),
        field_name="responsible_manager",
        queryset=managers(),
        empty_label=_("Anyone"),
    )
    after = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["manager"].queryset = managers()
        if not sees_every_client(user):
            del self.filters["manager"]
        for name, field in self.form.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.update({"class": "form-select", "id": f"id_{name}"})

    def keep(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset

    def cursors(self) -> tuple[str, str]:
        """The `after` and `before` page cursors; empty when the form is invalid (the first page)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return data.get("after") or "", data.get("before") or ""


class EstimateTodoFilter(CandidateFilter):
    """The estimates to-do list (segmentation): whose clients, not analysed or stale, and the page."""

    NOT_ANALYSED, STALE = "not_analysed", "stale"

    state = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[(NOT_ANALYSED, _("Not analysed")), (STALE, _("Stale estimates"))],
        method="in_state",
        empty_label=_("Both"),
    )
    before = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    def in_state(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        """The to-do list holds no client with a fresh estimate, so any estimate means a stale one."""
        analysed = Exists(PotentialEstimate.objects.filter(client=OuterRef("pk")))
        return queryset.filter(~analysed if value == self.NOT_ANALYSED else analysed)
