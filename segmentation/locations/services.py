"""Writes to our own locations; each change is kept in the location's history with its author."""

from typing import Any

from django.db import transaction

from kam.users.models import User
from segmentation.models import OwnLocation

FIELDS = ["name", "kind", "country", "region", "is_active"]


class StaleLocationError(Exception):
    """The location was saved by someone else after the form was opened."""


def location_version(location: OwnLocation) -> str:
    """A token of the location's last save; the edit form carries it to detect a concurrent save."""
    return location.updated_at.isoformat() if location.updated_at else ""


@transaction.atomic
def location_create(*, values: dict[str, Any], by: User) -> OwnLocation:
    """A new location; it counts as our presence from the next recomputation."""
    location = OwnLocation(**{name: values[name] for name in FIELDS if name in values})
    location._history_user = by  # type: ignore[attr-defined]
    location.save()
    return location


@transaction.atomic
def location_update(*, location: OwnLocation, values: dict[str, Any], version: str, by: User) -> list[str]:
    """Save the changed fields and return their names.

    1. lock the row and refuse if it was saved after `version` (StaleLocationError);
    2. write only the fields whose value differs, so an unchanged form leaves no history entry.
    """
    current = OwnLocation.objects.select_for_update().get(pk=location.pk)
    if location_version(current) != version:
        raise StaleLocationError
    changed = [name for name in FIELDS if name in values and getattr(current, name) != values[name]]
    if changed:
        for name in changed:
            setattr(current, name, values[name])
        current._history_user = by  # type: ignore[attr-defined]
        current.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def location_retire(*, location: OwnLocation, by: User) -> bool:
    """Retire the location (kept with its history, no longer our presence); False if it already was."""
    current = OwnLocation.objects.select_for_update().get(pk=location.pk)
    if not current.is_active:
        return False
    current.is_active = False
    current._history_user = by  # type: ignore[attr-defined]
    current.save(update_fields=["is_active", "updated_at"])
    return True
