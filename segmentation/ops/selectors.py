"""Reads for the policy page and the nightly runs log."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst

from kam.money import money
from kam.prepared import Prepared
from kam.users.models import User
from segmentation.models import AMOUNT_FIELDS, NightlyRun, Policy, SegmentChange
from segmentation.segments.engine import TRACKED_KINDS, lock_held

POLICY_HISTORY_LIMIT = 20
RUN_LIST_LIMIT = 100
# A run row is written just before the engine takes the lock: give it that long.
LOCK_GRACE = timedelta(minutes=1)
# SQLite cannot tell who holds its write lock, so there a run still "running" after
# this long is taken for dead (the nightly run takes minutes even at 100,000 clients).
SQLITE_RUN_LIMIT = timedelta(hours=6)


@dataclass
class PolicyChange:
    at: datetime
    user: User | None
    field: str
    old: str
    new: str


@dataclass
class RunChange:
    """One kind of segment change in a run: how many clients moved, and their list."""

    label: str
    count: int
    url: str


@dataclass
class RunRow:
    run: NightlyRun
    seconds: float | None
    changes: list[RunChange]
    abandoned: bool = False

    @property
    def key_bronze(self) -> int:
        """Key clients that became bronze in the run (the directors were told)."""
        return int((self.run.changes or {}).get("key_bronze", 0))

    @property
    def cap_overrun(self) -> bool:
        """Whether the run found the key cap newly overrun (the directors were told)."""
        return bool((self.run.changes or {}).get("cap_overrun"))


# The page's saves, compiled once.
_LATEST_SAVES = Prepared(
    lambda: Policy.history.select_related("history_user").order_by("-history_date", "-history_id")[
        : POLICY_HISTORY_LIMIT + 1
    ]
)


def policy_changes() -> list[PolicyChange]:
    """The field changes of the last `POLICY_HISTORY_LIMIT` policy saves, newest first, in one
    query."""
    records = _LATEST_SAVES()
    order = {f.name: position for position, f in enumerate(Policy._meta.fields)}
    changes = []
    for newer, older in pairwise(records):
        for change in sorted(newer.diff_against(older).changes, key=lambda c: order[c.field]):
            field: Any = Policy._meta.get_field(change.field)
            changes.append(
                PolicyChange(
                    at=newer.history_date,
                    user=newer.history_user,
                    field=capfirst(str(field.verbose_name)),
                    old=_show(field, change.old),
                    new=_show(field, change.new),
                )
            )
    return changes


def _show(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return str(User.objects.filter(pk=value).first() or f"#{value}")
    if field.name in AMOUNT_FIELDS:
        return money(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(formats.localize(value.to_integral() if value == value.to_integral() else value))
    return str(value)


def run_rows(limit: int = RUN_LIST_LIMIT) -> list[RunRow]:
    """The latest runs, newest first, with their durations and changes by kind in words, each
    kind linking to the clients that moved (the client list's "moved in run" filter)."""
    labels = dict(SegmentChange.Kind.choices)
    clients = reverse("accounts:client_list")
    runs = list(NightlyRun.objects.all()[:limit])
    abandoned = abandoned_run_ids(runs)
    rows = []
    for run in runs:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        counts = run.changes or {}
        changes = [
            RunChange(str(labels[kind]), int(counts[kind]), _moved(clients, run, kind))
            for kind in TRACKED_KINDS
            if counts.get(kind)
        ]
        rows.append(RunRow(run=run, seconds=seconds, changes=changes, abandoned=run.pk in abandoned))
    return rows


def _moved(clients: str, run: NightlyRun, kind: str) -> str:
    return f"{clients}?{urlencode({'run': run.pk, 'moved': kind})}"


def abandoned_run_ids(runs: list[NightlyRun], *, now: datetime | None = None) -> set[int]:
    """Which of `runs` (the newest ones, newest first) are marked running but dead.

    A run killed half-way (SIGKILL, out of memory, a deploy) never records its end.
    On PostgreSQL a live run holds the advisory lock for its whole transaction: while
    the lock is held, the newest running row is that run, and every other running row
    is abandoned; once nobody holds it, all are (after LOCK_GRACE, the moment between
    writing the row and taking the lock). SQLite cannot say who holds its write lock,
    so there a row running for longer than SQLITE_RUN_LIMIT is abandoned.
    """
    now = now or timezone.now()
    running = [run for run in runs if run.status == NightlyRun.Status.RUNNING]
    if not running:
        return set()
    if connection.vendor != "postgresql":
        return {run.pk for run in running if now - run.started_at > SQLITE_RUN_LIMIT}
    live = running[0].pk if lock_held() else None
    return {run.pk for run in running if run.pk != live and now - run.started_at > LOCK_GRACE}
