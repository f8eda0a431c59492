"""Every write to a client card. Each function is atomic and keeps the audit history."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from accounts.audit import FieldChange, client_changes_since
from accounts.models import Client, ClientListColumns, TeamMember
from kam.users.models import User


@dataclass
class StaleVersionError(Exception):
    """The card was saved by someone else after this form was opened."""

    changes: list[FieldChange]
    changed_by: User | None
    changed_at: datetime | None


def client_create(*, client: Client, author: User) -> Client:
    """A new card; a manager who creates it becomes responsible unless one was chosen."""
    if client.responsible_manager_id is None and author.has_perm("accounts.add_client"):
        client.responsible_manager = author
    client.version = 1
    client.save()
    return client


def client_update(*, client: Client, expected_version: int) -> Client:
    """Save the edited card only if nobody saved it since `expected_version` was read.

    1. Bump the version with a conditional UPDATE; a concurrent writer waits on the
       row lock and then finds the version moved on.
    2. If nothing was bumped, raise StaleVersionError with what the other person changed.
    3. Save the fields, which writes the history row with the new version.
    """
    with transaction.atomic():
        bumped = Client.objects.filter(pk=client.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            changes, by, at = client_changes_since(client.pk, expected_version)
            raise StaleVersionError(changes=changes, changed_by=by, changed_at=at)
        client.version = expected_version + 1
        client.save()
    return client


def client_assign(*, client: Client, manager: User | None) -> Client:
    """Change the responsible manager; the version moves on so open edit forms notice."""
    with transaction.atomic():
        Client.objects.filter(pk=client.pk).update(version=F("version") + 1)
        client.refresh_from_db(fields=["version"])
        client.responsible_manager = manager
        client.save(update_fields=["responsible_manager", "version", "updated_at"])
    return client


def team_member_add(*, client: Client, user: User, role: str) -> TeamMember:
    member, created = TeamMember.objects.get_or_create(client=client, user=user, defaults={"role": role})
    if not created and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    return member


def team_member_remove(*, member: TeamMember) -> None:
    member.delete()


def card_entry_save(*, entry: Model, client: Client, author: User, many_to_many: dict[str, Any]) -> Model:
    """Save a validated contact, point, touch or refusal of the client, with its many-to-many values."""
    with transaction.atomic():
        entry.client = client  # type: ignore[attr-defined]
        if hasattr(entry, "created_by_id") and entry.created_by_id is None:
            entry.created_by = author  # type: ignore[attr-defined]
        entry.save()
        for name, values in many_to_many.items():
            getattr(entry, name).set(values)
        Client.objects.filter(pk=client.pk).update(updated_at=timezone.now())
    return entry


def card_entry_delete(*, entry: Model) -> None:
    entry.delete()


def list_columns_save(*, user: User, names: list[str]) -> ClientListColumns:
    """Remember the client-list columns the user picked (names already checked by the caller)."""
    choice, _created = ClientListColumns.objects.update_or_create(user=user, defaults={"columns": names})
    return choice
