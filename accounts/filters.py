from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import extensions, geography
from accounts.forms import managers
from accounts.models import Client, Industry, PointOfPresence
from accounts.rules import sees_every_client
from kam.users.models import User

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
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=[(k, k) for k in SORTS], method="keep", empty_label=None
    )
    after = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)
    before = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extension_names = self._add_extension_filters()
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

    def _add_extension_filters(self) -> list[str]:
        """The filters the apps above registered (segments, key status...), after the base ones."""
        names = []
        for registered in extensions.list_filters():
            list_filter = registered.make()
            list_filter.model = Client
            list_filter.parent = self
            self.filters[registered.name] = list_filter
            names.append(registered.name)
        return names

    def extension_fields(self) -> list[Any]:
        """The bound form fields of the registered filters, for the list's second row."""
        return [self.form[name] for name in self.extension_names]

    def keep(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset

    def ordering(self) -> tuple[str, bool]:
        key = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return SORTS.get(key or "name", SORTS["name"])


class ManagerListFilter(django_filters.FilterSet):
    """A list of clients by responsible manager (for those who see them all), a page at a time."""

    manager = django_filters.ModelChoiceFilter(
        label=_("Responsible manager"),
        field_name="responsible_manager",
        queryset=managers(),
        empty_label=_("Anyone"),
    )
    after = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)
    before = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
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
