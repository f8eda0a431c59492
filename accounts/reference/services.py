"""Writes to reference data; each change is kept in the item's history with its author.

Every change moves the item's `version` on, so an edit form opened before it is refused.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from accounts.models import ReferenceItem, name_key
from accounts.reference import selectors
from kam.users.models import User

Item = TypeVar("Item", bound=ReferenceItem)


class StaleReferenceError(Exception):
    """The item was saved by someone else after the form was opened."""


class DuplicateNameError(Exception):
    """Another item of the kind has the same name, whatever its case (saved meanwhile)."""


@dataclass
class InUseError(Exception):
    """Records use the item (`uses`, as `selectors.describe_uses` words them): it may be
    deactivated, not deleted."""

    uses: str


class NamedInHistoryError(Exception):
    """No record uses the item now, but the history of earlier ones names it."""


def _save(item: ReferenceItem, by: User, **kwargs: Any) -> None:
    """Save inside a savepoint: a clash on the name's key (a save made meanwhile, after the
    form checked) becomes DuplicateNameError."""
    item._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            item.save(**kwargs)
    except IntegrityError:
        clash = type(item)._default_manager.filter(name_key=name_key(item.name)).exclude(pk=item.pk)
        if clash.exists():
            raise DuplicateNameError from None
        raise


def _locked(item: Item) -> Item:
    """The item's row, locked until the transaction ends."""
    return type(item)._default_manager.select_for_update().get(pk=item.pk)


@transaction.atomic
def reference_create(*, model: type[Item], name: str, by: User) -> Item:
    """A new active item, offered in the forms at once."""
    item = model(name=name)
    _save(item, by)
    return item


@transaction.atomic
def reference_update(*, item: Item, values: dict[str, Any], version: str, by: User) -> list[str]:
    """Save the changed fields (`name`, `is_active`) and return their names.

    1. lock the row and refuse if it was saved after `version` (StaleReferenceError);
    2. write only the fields whose value differs, so an unchanged form leaves no history entry.
    """
    current = _locked(item)
    if str(current.version) != version:
        raise StaleReferenceError
    changed = [
        name for name in ["name", "is_active"] if name in values and getattr(current, name) != values[name]
    ]
    if changed:
        for name in changed:
            setattr(current, name, values[name])
        current.version += 1
        _save(current, by, update_fields=[*changed, "version"])
    return changed


@transaction.atomic
def reference_set_active(*, item: ReferenceItem, active: bool, by: User) -> bool:
    """Offer the item in the forms again, or no longer (records that have it keep it);
    False if it already was so."""
    current = _locked(item)
    if current.is_active == active:
        return False
    current.is_active = active
    current.version += 1
    _save(current, by, update_fields=["is_active", "version"])
    return True


@transaction.atomic
def reference_delete(*, item: ReferenceItem, by: User) -> None:
    """Delete an item nothing uses (InUseError) and no history names (NamedInHistoryError).

    The row is locked first: a record that starts to use the item meanwhile waits on the
    lock and then fails on its foreign key, or was committed before and is counted here.
    """
    current = _locked(item)
    row = selectors.reference_row(type(current), current.pk)
    if row is not None and row.in_use:
        raise InUseError(selectors.describe_uses(type(current), row.uses))
    if selectors.named_in_history(current):
        raise NamedInHistoryError
    current._history_user = by  # type: ignore[attr-defined]
    current.delete()
