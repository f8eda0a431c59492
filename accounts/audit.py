"""Reads of the audit history: who changed what on a card, with old and new values."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import geography
from accounts.models import Client, Contact, PointOfPresence, Refusal, TeamMember, Touch
from kam.users.models import User

HIDDEN_FIELDS = {"id", "client", "version", "created_at", "updated_at"}
HISTORY_LIMIT = 300

# (model, the field holding the client's id, how an entry is named)
TRACKED: list[tuple[type[models.Model], str, Any]] = [
    (Client, "id", gettext_lazy("Card")),
    (TeamMember, "client_id", gettext_lazy("Account team")),
    (Contact, "client_id", gettext_lazy("Contact")),
    (PointOfPresence, "client_id", gettext_lazy("Point of presence")),
    (Touch, "client_id", gettext_lazy("Touch")),
    (Refusal, "client_id", gettext_lazy("Refusal")),
]
TRACKED_KEYS = {model: key for model, key, _label in TRACKED}


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    at: datetime
    user: User | None
    subject: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)


def client_history(client: Client) -> list[AuditEntry]:
    """Every recorded change to the card and its parts, newest first: one query per part."""
    names = _Names()
    fetched = []
    for model, key, label in TRACKED:
        rows = list(
            model.history.filter(**{key: client.pk})  # type: ignore[attr-defined]
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
        )
        rows.reverse()
        names.collect(model, rows)
        fetched.append((model, label, rows))
    entries: list[AuditEntry] = []
    for model, label, rows in fetched:
        previous: dict[int, Any] = {}
        for row in rows:
            entries.append(_entry(model, label, row, previous.get(row.id), names))
            previous[row.id] = row
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


@dataclass
class Conflict:
    """What someone else did to a record after a form read it: who, when, and the fields."""

    changes: list[FieldChange]
    changed_by: User | None
    changed_at: datetime | None
    deleted: bool = False


def conflict_since(model: type[models.Model], pk: int, version: int) -> Conflict:
    """What changed on the record after `version` (every filled field if that version is
    unknown), who saved it last and when; `deleted` if the last change removed it."""
    history = model.history.filter(id=pk).select_related("history_user")  # type: ignore[attr-defined]
    base = history.filter(version=version).order_by("-history_date", "-history_id").first()
    latest = history.order_by("-history_date", "-history_id").first()
    if latest is None:
        return Conflict([], None, None)
    if latest.history_type == "-":
        return Conflict([], latest.history_user, latest.history_date, deleted=True)
    names = _Names()
    names.collect(model, [r for r in (base, latest) if r is not None])
    return Conflict(_diff(model, base, latest, names), latest.history_user, latest.history_date)


def deletion(model: type[models.Model], pk: int, client_id: int) -> Conflict | None:
    """Who deleted the client's record `pk` and when, if it was deleted; None if it never was one."""
    history = model.history.filter(id=pk, **{TRACKED_KEYS[model]: client_id})  # type: ignore[attr-defined]
    latest = history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if latest is None or latest.history_type != "-":
        return None
    return Conflict([], latest.history_user, latest.history_date, deleted=True)


def record_at_version(model: type[models.Model], pk: int, version: int) -> Any:
    """The record as it was saved at `version`, from its history."""
    history = model.history.filter(id=pk, version=version)  # type: ignore[attr-defined]
    record = history.order_by("-history_date", "-history_id").first()
    return record.instance if record is not None else None


def _entry(model: type[models.Model], label: Any, row: Any, before: Any, names: "_Names") -> AuditEntry:
    action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[row.history_type]
    subject = str(label) if model is Client else f"{label}: {names.describe(model, row)}"
    changes = _diff(model, before, row, names) if row.history_type == "~" else []
    if row.history_type == "+":
        changes = _diff(model, None, row, names)
    return AuditEntry(
        at=row.history_date, user=row.history_user, subject=subject, action=action, changes=changes
    )


def _diff(model: type[models.Model], before: Any, after: Any, names: "_Names") -> list[FieldChange]:
    changes = []
    for f in _fields(model):
        old = getattr(before, f.attname) if before is not None else None
        new = getattr(after, f.attname)
        if old != new and not (before is None and new in (None, "", False)):
            changes.append(FieldChange(capfirst(str(f.verbose_name)), names.show(f, old), names.show(f, new)))
    return changes


def _fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.editable]


class _Names:
    """Looks up the names behind foreign keys in history rows, one query per model."""

    def __init__(self) -> None:
        self.ids: dict[type[models.Model], set[Any]] = {}
        self.loaded: dict[type[models.Model], dict[Any, str]] = {}

    def collect(self, model: type[models.Model], rows: list[Any]) -> None:
        for f in _fields(model):
            if f.is_relation:
                target = f.related_model
                self.ids.setdefault(target, set()).update(getattr(r, f.attname) for r in rows)

    def lookup(self, target: type[models.Model], pk: Any) -> str:
        if target not in self.loaded:
            wanted = {i for i in self.ids.get(target, set()) if i is not None}
            self.loaded[target] = {o.pk: str(o) for o in target._default_manager.filter(pk__in=wanted)}
        return self.loaded[target].get(pk, f"#{pk}")

    def describe(self, model: type[models.Model], row: Any) -> str:
        if model is TeamMember:
            return self.lookup(get_user_model(), row.user_id)
        if model is PointOfPresence:
            return ", ".join(p for p in [row.city, geography.region_name(row.region)] if p)
        if model is Touch:
            return f"{Touch.Kind(row.kind).label} {formats.date_format(row.date, 'SHORT_DATE_FORMAT')}"
        if model is Refusal:
            return f"{Refusal.Reason(row.reason).label} {formats.date_format(row.date, 'SHORT_DATE_FORMAT')}"
        return str(row.name)

    def show(self, f: Any, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.BooleanField):
            return _("yes") if value else _("no")
        if f.is_relation:
            return self.lookup(f.related_model, value)
        if f.name == "country":
            return geography.country_name(value)
        if f.name == "region":
            return geography.region_name(value)
        if isinstance(value, date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        return str(value)
