"""Reads of the audit history: who changed what on a card, with old and new values."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, IntegerField, Max, Subquery, Value
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import geography
from accounts.models import Client, Contact, PointOfPresence, Refusal, TeamMember, Touch
from kam.pagination import decode_cursor, encode_cursor
from kam.prepared import Prepared
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
HISTORY_PAGE_SIZE = 50


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    """One line of the card's history; `link` (if any) opens what the entry is about."""

    at: datetime
    user: User | None
    subject: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    link: str = ""


@dataclass(frozen=True)
class TrackedModel:
    """A model whose history rows (django-simple-history) are entries of a client's history.

    - `key`: the history field holding the client's id;
    - `describe(row, names)`: the record an entry is about, after the label ("Touch: call 1 Mar");
      None for a record that is the client's own (the card, its key status);
    - `action(row, before)`: the entry's verb, when "created / changed / deleted" does not say it;
    - `values`: how a field's value reads, when neither its choices nor its type say it;
    - `hidden`: fields not shown (say, who decided: the entry's "who" already says it).
    """

    model: type[models.Model]
    key: str
    label: Any
    describe: Callable[[Any, "_Names"], str] | None = None
    action: Callable[[Any, Any], str | None] | None = None
    values: dict[str, Callable[[Any], str]] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()

    def dates(self, client: Client, before: datetime | None) -> Any:
        """When each entry older than `before` happened (`at`), unordered: a query, not run here."""
        history = self.model.history.filter(**{self.key: client.pk})  # type: ignore[attr-defined]
        rows = history.filter(history_date__lt=before) if before else history
        return rows.order_by().values(at=F("history_date"))

    def entries(self, client: Client, before: datetime | None, limit: int) -> list[AuditEntry]:
        """Up to `limit` entries older than `before`, newest first, in at most three queries: the
        rows, the version before the oldest row of each record (for its changes), and names."""
        history = self.model.history.filter(**{self.key: client.pk})  # type: ignore[attr-defined]
        rows = history.filter(history_date__lt=before) if before else history
        rows = list(rows.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
        if not rows:
            return []
        rows.reverse()
        pk = self.model._meta.pk.attname
        names = _Names(self.values)
        earlier = list(self._versions_before(history, pk, {getattr(r, pk) for r in rows}, rows[0]))
        names.collect(self.model, earlier + rows)
        previous: dict[Any, Any] = {getattr(r, pk): r for r in earlier}
        entries = []
        for row in rows:
            entries.append(self._entry(row, previous.get(getattr(row, pk)), names))
            previous[getattr(row, pk)] = row
        entries.reverse()
        return entries

    def _versions_before(self, history: Any, pk: str, ids: set[Any], oldest: Any) -> Any:
        """Each record's last version before the oldest row read: what its first change changed."""
        latest = (
            history.filter(**{f"{pk}__in": ids}, history_date__lt=oldest.history_date)
            .values(pk)
            .annotate(last=Max("history_id"))
            .values("last")
        )
        return history.filter(history_id__in=Subquery(latest))

    def _entry(self, row: Any, before: Any, names: "_Names") -> AuditEntry:
        action = self.action(row, before) if self.action else None
        action = action or {"+": _("created"), "~": _("changed"), "-": _("deleted")}[row.history_type]
        subject = f"{self.label}: {self.describe(row, names)}" if self.describe else str(self.label)
        changes = _diff(self.model, before if row.history_type == "~" else None, row, names, self.hidden)
        why = row.history_change_reason
        if row.history_type == "-":
            changes = [FieldChange(_("Why"), "—", why)] if why else []
        elif why and self.model is Client:  # the card changed with a reason (a move between managers)
            changes = [*changes, FieldChange(_("Why"), "—", why)]
        return AuditEntry(
            at=row.history_date, user=row.history_user, subject=subject, action=action, changes=changes
        )


def _describe_core(row: Any, names: "_Names") -> str:
    return names.describe(row.instance_type, row)


CORE = [
    TrackedModel(model, key, label, describe=None if model is Client else _describe_core)
    for model, key, label in TRACKED
]


@dataclass
class HistoryPage:
    entries: list[AuditEntry]
    next_cursor: str


@dataclass(frozen=True)
class Source:
    """A part of a client's history: `dates(client, before)`, a query (not run) of one `at` per
    entry older than `before` (all when None); `entries(client, before, limit)`, its `limit`
    newest such entries, newest first, in a constant number of queries."""

    dates: Callable[[Client, datetime | None], Any]
    entries: Callable[[Client, datetime | None, int], list[AuditEntry]]


CORE_SOURCES = [Source(tracked.dates, tracked.entries) for tracked in CORE]


def client_history(
    client: Client, *, sources: Iterable[Source] = (), before: str = "", size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """One page of every recorded change to the card, its parts and whatever `sources` add (the
    apps above register theirs in `accounts.extensions`), newest first.

    One query finds when the page's entries happened across every source (the newest `size`
    older than the cursor); then only the sources with entries on the page build them, each
    as many as it has there: a constant number of queries whatever the history's length, and
    no entry built to be thrown away. The next cursor is the page's last entry's time. Entries
    of one instant stay on one page: a page that would end inside an instant ends before it
    (unless the instant fills the whole page).
    """
    decoded = decode_cursor(before, [datetime]) if before else None
    until = decoded[0] if decoded else None
    every = [*CORE_SOURCES, *sources]
    if until is None:
        newest = _first_page(tuple(source.dates for source in every), size)(client.pk)
    else:
        newest = list(_newest(client, [source.dates for source in every], until, size))
    page = newest[:size]
    if len(newest) > size and newest[size][1] == page[-1][1] and page[0][1] != page[-1][1]:
        page = [(n, at) for n, at in page if at != page[-1][1]]
    counts = Counter(n for n, _at in page)
    found = [entry for n, count in sorted(counts.items()) for entry in every[n].entries(client, until, count)]
    found.sort(key=lambda e: e.at, reverse=True)
    return HistoryPage(found, encode_cursor([found[-1].at]) if len(newest) > size else "")


def _newest(
    client: Client, dates: list[Callable[[Client, datetime | None], Any]], until: datetime | None, size: int
) -> Any:
    """(source, at) of the `size` + 1 newest entries older than `until` across every source."""
    every = [
        source_dates(client, until).annotate(source=Value(n, IntegerField())).values("source", "at")
        for n, source_dates in enumerate(dates)
    ]
    return every[0].union(*every[1:], all=True).order_by("-at").values_list("source", "at")[: size + 1]


@lru_cache(maxsize=32)
def _first_page(dates: tuple[Callable[[Client, datetime | None], Any], ...], size: int) -> Prepared[Any]:
    """The first page's dates (the tab as it opens), prepared once per process and set of
    sources: a union of 15 queries costs the ORM more to build than the database to run. The
    sources' `dates` are given a client that has only its pk, all they read of it."""
    return Prepared(lambda pk: _newest(Client(pk=pk), list(dates), None, size))


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


def _diff(
    model: type[models.Model], before: Any, after: Any, names: "_Names", hidden: tuple[str, ...] = ()
) -> list[FieldChange]:
    changes = []
    for f in _fields(model):
        if f.name in hidden:
            continue
        old = getattr(before, f.attname) if before is not None else None
        new = getattr(after, f.attname)
        if old != new and not (before is None and new in (None, "", False)):
            changes.append(FieldChange(capfirst(str(f.verbose_name)), names.show(f, old), names.show(f, new)))
    return changes


def _fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.editable]


class _Names:
    """Looks up the names behind foreign keys in history rows, one query per model; `values`
    reads the fields whose value neither choices nor type say."""

    def __init__(self, values: dict[str, Callable[[Any], str]] | None = None) -> None:
        self.values = values or {}
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
        if f.name in self.values:
            return self.values[f.name](value)
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
