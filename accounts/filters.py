from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from accounts import extensions, geography
from accounts.extensions import ListColumn
from accounts.forms import managers
from accounts.models import Client, Industry, PointOfPresence
from accounts.rules import sees_every_client
from accounts.selectors import choices_version, client_match
from kam import prepared
from kam.choices import kept
from kam.filters import FilterSet, own_copy
from kam.prepared import Prepared
from kam.users.fields import user_label
from kam.users.models import User

NAME = "name"


@dataclass(frozen=True)
class Sorting:
    """The list's order: `key` as in the query string ("-potential"), the field or annotation
    it orders by, and the column whose annotations that needs (None for the name)."""

    key: str
    field: str
    descending: bool
    column: ListColumn | None


def sort_choices() -> list[tuple[str, str]]:
    """The name, and every registered column that sorts, each both ways."""
    keys = [NAME, *(column.name for column in extensions.list_columns() if column.sort)]
    return [(key, key) for name in keys for key in (name, f"-{name}")]


def region_choices(regions: list[str] | None = None) -> list[tuple[str, str]]:
    """The regions some point of presence is in (`regions`, as read, or read now), by name."""
    used = regions_used() if regions is None else regions
    return sorted(((code, geography.region_name(code)) for code in used), key=lambda r: r[1])


# PostgreSQL has no skip scan: walk the (region, client) index from one region to the next, one
# probe per region, instead of reading every point of presence for DISTINCT.
REGIONS_WALK = """WITH RECURSIVE walk(region) AS (
    (SELECT region FROM {table} WHERE region > '' ORDER BY region LIMIT 1)
    UNION ALL
    SELECT (SELECT p.region FROM {table} p WHERE p.region > walk.region ORDER BY p.region LIMIT 1)
    FROM walk WHERE walk.region IS NOT NULL
) SELECT region FROM walk WHERE region IS NOT NULL"""


def regions_used() -> list[str]:
    """Every region some point of presence is in, for the list's filter: as many index probes as
    there are regions on PostgreSQL, whatever the number of points, in a statement prepared once
    per connection (`kam.prepared.execute`)."""
    if connection.vendor != "postgresql":
        used = PointOfPresence.objects.exclude(region="").order_by("region").values_list("region", flat=True)
        return list(used.distinct())
    with connection.cursor() as cursor:
        prepared.execute(cursor, REGIONS_WALK.format(table=PointOfPresence._meta.db_table), [])
        return [region for (region,) in cursor.fetchall()]


NOBODY = "null"  # the manager filter's value for "nobody responsible" (django-filter's null value)


PEOPLE_ORDER = ["-is_active", "last_name", "first_name", "username"]  # the active ones first


def responsible_people() -> QuerySet[Any]:
    """Whom the lists filter by: the active account managers, and anyone else responsible for a
    client (a director who took one on, a manager who has left), the active ones first."""
    holds = Exists(Client.objects.filter(responsible_manager=OuterRef("pk")))
    return get_user_model().objects.filter(Q(pk__in=managers().values("pk")) | holds).order_by(*PEOPLE_ORDER)


class AtOnceChoices(forms.models.ModelChoiceIterator):
    """A model's choices read in one query. Django reads them through `iterator()`, which on
    PostgreSQL opens a server-side cursor, then fetches and closes it: three round trips for
    the few rows of a filter's choices, on every list page."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.queryset.all():
            yield self.choice(row)


class FilterChoices(django_filters.fields.ModelChoiceIterator, AtOnceChoices):
    """A filter's choices (with its "nobody" choice) read in one query."""


class FilterChoiceField(django_filters.fields.ModelChoiceField):
    iterator = FilterChoices


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = FilterChoiceField


# The people by name, read as four columns (`kam.users.fields`), not as a `User` each: the same
# SQL on every list page, compiled once.
RESPONSIBLE = Prepared(
    lambda: responsible_people().values_list("pk", "first_name", "last_name", "username", "is_active")
)


class ResponsibleChoices(FilterChoices):
    """The people of `responsible_people()` by name (`RESPONSIBLE`), and those who are no longer
    active listed apart, in a group of their own."""

    def __iter__(self) -> Iterator[Any]:
        field: Any = self.field  # a django-filter field, with its "nobody" choice
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if field.null_label is not None:
            yield (field.null_value, field.null_label)
        gone = []
        for pk, first_name, last_name, username, is_active in _read(field, RESPONSIBLE):
            choice = (pk, user_label(first_name, last_name, username))
            if is_active:
                yield choice
            else:
                gone.append(choice)
        if gone:
            yield _("No longer active"), gone


# The industries by name, as two columns: the same SQL on every list page, compiled once.
INDUSTRIES = Prepared(lambda: Industry.objects.order_by("name").values_list("pk", "name"))


class IndustryChoices(FilterChoices):
    """Every industry by name (`INDUSTRIES`), active or not: a list filters by the industries
    its clients were given."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from _read(self.field, INDUSTRIES)


def _read(field: Any, query: Prepared[Any]) -> list[Any]:
    """The rows of a field's choices: as the filter set read them with the others (`READ`), or
    read by `query` now."""
    rows = getattr(field, READ, None)
    return query() if rows is None else rows


class IndustryField(FilterChoiceField):
    iterator = IndustryChoices


class IndustryFilter(ModelChoiceFilter):
    field_class = IndustryField


class ResponsibleField(FilterChoiceField):
    iterator = ResponsibleChoices


class ResponsibleFilter(ModelChoiceFilter):
    """Clients by responsible manager, or those nobody is responsible for (`NOBODY`)."""

    field_class = ResponsibleField

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Responsible manager"),
            field_name="responsible_manager",
            queryset=responsible_people(),
            empty_label=_("Anyone"),
            null_label=_("Nobody responsible"),
            null_value=NOBODY,
            **kwargs,
        )


READ = "read_choices"  # a choice field's rows, read with the list's other choices


@dataclass(frozen=True)
class Reference:
    """What the client list filters by: the regions some point of presence is in, every
    industry by name (as `INDUSTRIES` reads them) and, for a user who sees every client, the
    people of `responsible_people()` (as `RESPONSIBLE` reads them)."""

    regions: list[str]
    industries: list[tuple[int, str]]
    people: list[tuple[int, str, str, str, bool]]


def reference_choices(*, people: bool, version: int | None = None) -> Reference:
    """The list's `Reference`, read in one query (three round trips before, on every list
    page): a row of each kind, ordered within its kind by a position the database numbers in
    the order its own query had; prepared once per connection (`kam.prepared.execute`).

    `version`: the `ChoicesVersion` the caller read before (with the signed-in user). The
    choices read for one version are kept in the process and given again for that version,
    without a query; they change with it."""
    key = (connection.alias, people)
    kept_now = _kept_choices.get(key)
    if version is not None and kept_now is not None and kept_now[0] == version:
        return kept_now[1]
    sql, params = _reference_sql(connection.vendor, people)
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[6]))
    reference = Reference(
        regions=sorted(row[1] for row in rows if row[0] == REGIONS),
        industries=[(int(row[1]), row[2]) for row in rows if row[0] == INDUSTRY],
        people=[(int(row[1]), row[2], row[3], row[4], bool(row[5])) for row in rows if row[0] == PERSON],
    )
    if version is not None:
        # Read after the version: as new as it at least, and replaced when it changes.
        _kept_choices[key] = (version, reference)
    return reference


# The choices last read, by database and whether with the people, and the version read before.
_kept_choices: dict[tuple[str, bool], tuple[int, Reference]] = {}


REGIONS, INDUSTRY, PERSON = 0, 1, 2
_reference: dict[tuple[str, bool], tuple[str, list[Any]]] = {}


def _reference_sql(vendor: str, people: bool) -> tuple[str, list[Any]]:
    """The SQL of `reference_choices` and its parameters (the roles' names), built once."""
    built = _reference.get((vendor, people))
    if built is not None:
        return built
    points = PointOfPresence._meta.db_table
    regions = (
        REGIONS_WALK.format(table=points)
        if vendor == "postgresql"
        else f"SELECT DISTINCT region FROM {points} WHERE region > ''"
    )
    industries = Industry._meta.db_table
    parts = [
        f"SELECT {REGIONS} AS kind, region AS one, '' AS two, '' AS three, '' AS four, 1 AS five,"
        f" 0 AS place FROM ({regions}) used",
        f"SELECT {INDUSTRY}, CAST(id AS text), name, '', '', 1, ROW_NUMBER() OVER (ORDER BY name)"
        f" FROM {industries}",
    ]
    params: list[Any] = []
    if people:
        whom = responsible_people().annotate(place=Window(RowNumber(), order_by=PEOPLE_ORDER))
        inner, params = whom.values_list(
            "pk", "first_name", "last_name", "username", "is_active", "place"
        ).query.sql_with_params()
        parts.append(
            f"SELECT {PERSON}, CAST(pk AS text), first_name, last_name, username,"
            f" CASE WHEN is_active THEN 1 ELSE 0 END, place FROM ({inner}) people"
        )
    built = (" UNION ALL ".join(parts), list(params))
    return _reference.setdefault((vendor, people), built)


# The registered list filters, made once per process for the registry as it stands: making them
# reads every choice of theirs anew.
_made_extension_filters: dict[tuple[extensions.ListFilter, ...], list[tuple[str, django_filters.Filter]]] = {}


# The base filters whose condition is a function of their value alone (`ClientFilter.shape`),
# and the fields that filter nothing: the order and the page's cursors.
BY_VALUE = ("status", "region", "industry", "manager")
UNFILTERING = ("sort", "after", "before")


class ClientFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Name or INN"), method="search", max_length=200)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=kept(Client.Status.choices), empty_label=_("Any")
    )
    region = django_filters.ChoiceFilter(label=_("Region"), method="in_region", empty_label=_("Any"))
    industry = IndustryFilter(label=_("Industry"), queryset=Industry.objects.all(), empty_label=_("Any"))
    manager = ResponsibleFilter()
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=[], method="keep", empty_label=None)
    after = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)
    before = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, version: int | None = None, **kwargs: Any) -> None:
        """`version`: of the choices (`ChoicesVersion`), read before, as `reference_choices`
        takes it: the fields, once made for a version, are kept for it (`fields_key`)."""
        super().__init__(*args, **kwargs)
        self.extension_names, by_value = self._add_extension_filters()
        self.by_value = {*BY_VALUE, *by_value}
        self.sees_all = sees_every_client(user)
        if not self.sees_all:
            del self.filters["manager"]
        self.version = version

    def make_fields(self) -> dict[str, Any]:
        """The fields, with the choices read (`reference_choices`) and the widgets' classes."""
        reference = reference_choices(people=self.sees_all, version=self.version)
        # Read now, handed over as callables (`kam.choices.kept`), which a form does not copy.
        self.filters["region"].extra["choices"] = kept(region_choices(reference.regions))
        self.filters["sort"].extra["choices"] = kept(sort_choices())
        fields = super().make_fields()
        setattr(fields["industry"], READ, reference.industries)
        if self.sees_all:
            setattr(fields["manager"], READ, reference.people)
        for name, field in fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"id_{name}")
        return fields

    def fields_key(self) -> Hashable | None:
        """The choices' version and database: the fields made for it are kept (the filters,
        whether with the manager's, are in the key already)."""
        return None if self.version is None else (connection.alias, self.version)

    def search(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return client_match(queryset, value.strip())

    def in_region(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset.filter(Exists(PointOfPresence.objects.filter(client=OuterRef("pk"), region=value)))

    def shape(self) -> tuple[tuple[str, Any], ...] | None:
        """The filters set and their values as the query string gives them, by name, when each
        is one of its value alone (`BY_VALUE`, `ListFilter.by_value`): a list so filtered may
        keep its queries for that shape and the choices' `version`. None when any other is set
        (a search, a run's moves), the form is invalid or the version unknown."""
        if self.version is None or not self.is_bound or not self.form.is_valid():
            return None
        values = []
        for name, value in self.form.cleaned_data.items():
            if value in EMPTY_VALUES or name in UNFILTERING:
                continue
            if name not in self.by_value:
                return None
            values.append((name, self.form.data.get(name)))
        return tuple(sorted(values))

    def _add_extension_filters(self) -> tuple[list[str], list[str]]:
        """The filters the apps above registered (segments, key status...), after the base ones:
        made once per process, each list's its own copies, as its declared filters are. Their
        names, and those of the ones by value alone."""
        registered = tuple(extensions.list_filters())
        made = _made_extension_filters.get(registered)
        if made is None:
            if len(_made_extension_filters) >= 8:  # the registry changed: a test's
                _made_extension_filters.clear()
            made = _made_extension_filters.setdefault(registered, [(r.name, r.make()) for r in registered])
        for name, template in made:
            list_filter = own_copy(template)
            list_filter.model = Client
            list_filter.parent = self
            self.filters[name] = list_filter
        return [name for name, _template in made], [r.name for r in registered if r.by_value]

    def extension_fields(self) -> list[Any]:
        """The bound form fields of the registered filters, for the list's second row."""
        return [self.form[name] for name in self.extension_names]

    def hidden_filters(self) -> list[tuple[Any, str]]:
        """The registered filters that links set rather than the form (hidden inputs, such as
        segmentation's "moved in run"), with the value each is set to, to show above the list."""
        shown = []
        for field in self.extension_fields():
            value = field.value()
            if field.is_hidden and value not in (None, ""):
                choices = dict(getattr(field.field, "choices", ()))
                shown.append((field.label, str(choices.get(value, value))))
        return shown

    def keep(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset

    def ordering(self) -> Sorting:
        """The chosen order; by name when none (or an unknown one) is asked for."""
        key = (self.form.cleaned_data.get("sort") if self.form.is_valid() else None) or NAME
        column = extensions.list_column(key.lstrip("-"))
        if column is None or not column.sort:
            return Sorting(key if key.lstrip("-") == NAME else NAME, NAME, key == f"-{NAME}", None)
        return Sorting(key, column.sort, key.startswith("-"), column)


class ManagerListFilter(FilterSet):
    """A list of clients by responsible manager (for those who see them all), a page at a time."""

    manager = ResponsibleFilter()
    after = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)
    before = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=400)

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        """The people to filter by are the client list's (`reference_choices`), kept for the
        filters' version read with the signed-in user (`choices_version`), and so are the
        fields made from them; read on every page without it."""
        super().__init__(*args, **kwargs)
        self.sees_all = sees_every_client(user)
        if not self.sees_all:
            del self.filters["manager"]
        self.version = choices_version(user) if self.sees_all else None

    def make_fields(self) -> dict[str, Any]:
        fields = super().make_fields()
        if self.version is not None:
            setattr(fields["manager"], READ, reference_choices(people=True, version=self.version).people)
        for name, field in fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.update({"class": "form-select", "id": f"id_{name}"})
        return fields

    def fields_key(self) -> Hashable | None:
        return None if self.version is None else (connection.alias, self.version)

    def keep(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset

    def filtered(self, queryset: QuerySet[Client]) -> QuerySet[Client]:
        """`queryset` filtered as `qs` filters the one the set was made with: for a list whose
        clients are built only where its page needs them (the set made with `Client.objects`)."""
        if not self.is_bound:
            return queryset
        self.form.is_valid()  # the filters read the values that are valid, as `qs` does
        return self.filter_queryset(queryset)

    def cursors(self) -> tuple[str, str]:
        """The `after` and `before` page cursors; empty when the form is invalid (the first page)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return data.get("after") or "", data.get("before") or ""
