"""Reads of reference data: each item with how many records use it, in the list's one query.

Who uses an item is read from Django's relations, not listed here: models of the apps above
`accounts` (potential estimates, imports to come) count without the base layer importing them.

Uses are counted up to `USE_CAP` and shown as "1,000+" beyond: a product group's sales run to
hundreds of thousands of rows, and counting them all on every request is what made the list
slow, while what an admin decides on (whether anything uses it, and roughly how much) stays
exact. Each count walks the foreign key's index no further than the cap, live.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import IntegerField, Model, OuterRef, QuerySet, Subquery
from django.utils import formats
from django.utils.text import capfirst
from simple_history.models import HistoricalChanges

from accounts.models import ReferenceItem

USE_CAP = 1000


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

    @property
    def shown_uses(self) -> list[str]:
        """Each count as the list shows it: "—" for none, "1,000+" beyond the cap."""
        return [shown(n) if n else "—" for n in self.uses]


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


class CappedCount(Subquery):
    """How many rows a sliced subquery returns: the count stops at its LIMIT."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


def _count(usage: Usage) -> CappedCount:
    """The records using the outer item, up to `USE_CAP` + 1 (an index-only walk of the key)."""
    rows = usage.model._base_manager.filter(**{usage.field: OuterRef("pk")}).order_by()
    return CappedCount(rows.values(usage.field)[: USE_CAP + 1])


def shown(count: int) -> str:
    """A capped count in the user's number format, "1,000+" when it reached the cap."""
    return f"{formats.localize(USE_CAP)}+" if count > USE_CAP else formats.localize(count)


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
    return ", ".join(f"{usage.model._meta.verbose_name_plural}: {shown(n)}" for usage, n in pairs if n)


def named_in_history(item: ReferenceItem) -> bool:
    """Whether any history table names the item (a query per history table, for a delete only)."""
    return any(
        usage.model._base_manager.filter(**{usage.field: item.pk}).exists()
        for usage in history_usages(type(item))
    )
