"""Reads of reference data: each item with how many records use it, in the list's one query.

Who uses an item is read from Django's relations, not listed here: models of the apps above
`accounts` (potential estimates, imports to come) count without the base layer importing them.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.text import capfirst
from simple_history.models import HistoricalChanges

from accounts.models import ReferenceItem


@dataclass(frozen=True)
class Usage:
    """Records of `model` whose `field` points at a reference item."""

    model: type[Model]
    field: str

    @property
    def label(self) -> str:
        return capfirst(str(self.model._meta.verbose_name_plural))


@dataclass(frozen=True)
class ReferenceRow:
    item: ReferenceItem
    uses: list[int]  # one count per usage, in the order of `usages(model)`

    @property
    def in_use(self) -> bool:
        return any(self.uses)


def _pointing_at(model: type[ReferenceItem]) -> list[Any]:
    """Every foreign key to `model`, as Django's reverse relations (hidden ones included)."""
    fields = model._meta.get_fields(include_hidden=True)
    return [f for f in fields if f.auto_created and not f.concrete and f.one_to_many]


def usages(model: type[ReferenceItem]) -> list[Usage]:
    """The records that use an item of `model`: every foreign key to it but the history's."""
    return [
        Usage(f.related_model, f.field.name)
        for f in _pointing_at(model)
        if not issubclass(f.related_model, HistoricalChanges)
    ]


def history_usages(model: type[ReferenceItem]) -> list[Usage]:
    """The history tables that name items of `model` (a deleted item would show there as "#id")."""
    return [
        Usage(f.related_model, f.field.name)
        for f in _pointing_at(model)
        if issubclass(f.related_model, HistoricalChanges)
    ]


def _count(usage: Usage) -> Coalesce:
    rows = usage.model._base_manager.filter(**{usage.field: OuterRef("pk")}).order_by()
    counted = rows.values(usage.field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_uses(model: type[ReferenceItem], found: QuerySet[Any]) -> tuple[list[Usage], QuerySet[Any]]:
    relations = usages(model)
    return relations, found.annotate(**{f"uses_{i}": _count(usage) for i, usage in enumerate(relations)})


def _row(item: ReferenceItem, relations: list[Usage]) -> ReferenceRow:
    return ReferenceRow(item, [getattr(item, f"uses_{i}") for i in range(len(relations))])


def reference_rows(model: type[ReferenceItem]) -> list[ReferenceRow]:
    """Every item of `model`, active ones first, by name, with its uses: one query."""
    relations, found = _with_uses(model, model._default_manager.order_by("-is_active", "name"))
    return [_row(item, relations) for item in found]


def reference_row(model: type[ReferenceItem], pk: int) -> ReferenceRow | None:
    """One item with its uses (one query), or None if there is no such item."""
    relations, found = _with_uses(model, model._default_manager.filter(pk=pk))
    item = found.first()
    return _row(item, relations) if item is not None else None


def describe_uses(model: type[ReferenceItem], uses: list[int]) -> str:
    """ "sales: 1 200, refusals: 3": the uses that are not zero, in the user's number format."""
    pairs = zip(usages(model), uses, strict=True)
    return ", ".join(
        f"{usage.model._meta.verbose_name_plural}: {formats.localize(n)}" for usage, n in pairs if n
    )


def named_in_history(item: ReferenceItem) -> bool:
    """Whether any history table names the item (a query per history table, for a delete only)."""
    return any(
        usage.model._base_manager.filter(**{usage.field: item.pk}).exists()
        for usage in history_usages(type(item))
    )
