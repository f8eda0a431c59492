"""Every write to a client card. Each function is atomic and keeps the audit history."""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from accounts.audit import Conflict, conflict_since
from accounts.models import Client, ClientListColumns, TeamMember
from kam.users.models import User


@dataclass
class StaleVersionError(Exception):
    """The card or one of its parts was saved or deleted by someone else after the form read it."""

    conflict: Conflict


def _claim(model: type[Model], pk: int, expected_version: int | None) -> int:
    """Move the record's version on if it is still `expected_version`, and return the new one.

    The one guard against lost updates for the card and every part of it. The
    conditional UPDATE is the check and the write at once: it locks the row until the
    caller's transaction ends, so a concurrent writer waits and then finds the version
    moved on. Otherwise (changed, deleted, or no version sent) StaleVersionError says
    what the other person did.
    """
    version = expected_version or 0
    bumped = model._default_manager.filter(pk=pk, version=version).update(version=F("version") + 1)
    if not bumped:
        raise StaleVersionError(conflict_since(model, pk, version))
    return version + 1


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
        client.version = _claim(Client, client.pk, expected_version)
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


def team_member_add(
    *, client: Client, user: User, role: str, expected_version: int | None = None
) -> TeamMember:
    """Add a colleague to the team, or change the role of one already in it.

    Changing a role needs the member's version from the form: adding someone who
    meanwhile joined the team (`expected_version` None) is refused with who added them.
    """
    with transaction.atomic():
        member, created = TeamMember.objects.get_or_create(client=client, user=user, defaults={"role": role})
        if created:
            return member
        member.version = _claim(TeamMember, member.pk, expected_version)
        member.role = role
        member.save(update_fields=["role", "version"])
    return member


def team_member_remove(*, member: TeamMember, expected_version: int | None) -> None:
    with transaction.atomic():
        member.version = _claim(TeamMember, member.pk, expected_version)
        member.delete()


def card_entry_save(
    *,
    entry: Model,
    client: Client,
    author: User,
    many_to_many: dict[str, Any],
    expected_version: int | None = None,
) -> Model:
    """Save a validated contact, point, touch or refusal of the client, with its many-to-many values.

    An existing entry is saved only if it is still at `expected_version` (see _claim).
    """
    with transaction.atomic():
        if entry.pk is not None:
            entry.version = _claim(type(entry), entry.pk, expected_version)  # type: ignore[attr-defined]
        entry.client = client  # type: ignore[attr-defined]
        if hasattr(entry, "created_by_id") and entry.created_by_id is None:
            entry.created_by = author  # type: ignore[attr-defined]
        entry.save()
        for name, values in many_to_many.items():
            getattr(entry, name).set(values)
        Client.objects.filter(pk=client.pk).update(updated_at=timezone.now())
    return entry


def card_entry_delete(*, entry: Model, expected_version: int | None) -> None:
    """Delete the entry only if nobody changed it since the user saw `expected_version`."""
    with transaction.atomic():
        entry.version = _claim(type(entry), entry.pk, expected_version)  # type: ignore[attr-defined]
        entry.delete()


def list_columns_save(*, user: User, names: list[str]) -> ClientListColumns:
    """Remember the client-list columns the user picked (names already checked by the caller)."""
    choice, _created = ClientListColumns.objects.update_or_create(user=user, defaults={"columns": names})
    return choice
