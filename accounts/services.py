"""Every write to a client card. Each function is atomic and keeps the audit history."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from accounts.audit import FieldChange, client_changes_since
from accounts.models import Client, TeamMember
from kam.users.models import User


@dataclass
class StaleVersionError(Exception):
    """The card was saved by someone else after this form was opened."""

    changes: list[FieldChange]
    changed_by: User | None
    changed_at: datetime | None


class DuplicateInnKppError(Exception):
    """Another card with the same INN and KPP was saved meanwhile; nothing was written."""


def _save_card(client: Client) -> None:
    """Save inside the caller's transaction; a clash on INN + KPP (a save made meanwhile,
    after the form checked) becomes DuplicateInnKppError and rolls the transaction back."""
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        clash = Client.objects.filter(inn=client.inn, kpp=client.kpp).exclude(pk=client.pk)
        if client.kpp and clash.exists():
            raise DuplicateInnKppError from None
        raise


def client_create(*, client: Client, author: User) -> Client:
    """A new card; a manager who creates it becomes responsible unless one was chosen."""
    if client.responsible_manager_id is None and author.has_perm("accounts.add_client"):
        client.responsible_manager = author
    client.version = 1
    with transaction.atomic():
        _save_card(client)
    return client


def client_update(*, client: Client, expected_version: int) -> Client:
    """Save the edited card only if nobody saved it since `expected_version` was read.

    1. Bump the version with a conditional UPDATE; a concurrent writer waits on the
       row lock and then finds the version moved on.
    2. If nothing was bumped, raise StaleVersionError with what the other person changed.
    3. Save the fields, which writes the history row with the new version; a clash on
       INN + KPP raises DuplicateInnKppError and undoes the bump.
    """
    with transaction.atomic():
        bumped = Client.objects.filter(pk=client.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            changes, by, at = client_changes_since(client.pk, expected_version)
            raise StaleVersionError(changes=changes, changed_by=by, changed_at=at)
        client.version = expected_version + 1
        _save_card(client)
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
