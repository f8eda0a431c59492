"""Reads for the policy page and the nightly runs log."""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.utils import formats
from django.utils.text import capfirst

from kam.money import money
from kam.users.models import User
from segmentation.models import AMOUNT_FIELDS, NightlyRun, Policy, SegmentChange
from segmentation.segments.engine import TRACKED_KINDS

POLICY_HISTORY_LIMIT = 20
RUN_LIST_LIMIT = 100


@dataclass
class PolicyChange:
    at: datetime
    user: User | None
    field: str
    old: str
    new: str


@dataclass
class RunRow:
    run: NightlyRun
    seconds: float | None
    changes: list[tuple[str, int]]


def policy_changes(limit: int = POLICY_HISTORY_LIMIT) -> list[PolicyChange]:
    """The field changes of the last `limit` policy saves, newest first, in one query."""
    records = list(
        Policy.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
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
    if field.name in AMOUNT_FIELDS:
        return money(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(formats.localize(value.to_integral() if value == value.to_integral() else value))
    return str(value)


def run_rows(limit: int = RUN_LIST_LIMIT) -> list[RunRow]:
    """The latest runs, newest first, with their durations and changes by kind in words."""
    labels = dict(SegmentChange.Kind.choices)
    rows = []
    for run in NightlyRun.objects.all()[:limit]:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        counts = run.changes or {}
        changes = [(str(labels[kind]), int(counts[kind])) for kind in TRACKED_KINDS if counts.get(kind)]
        rows.append(RunRow(run=run, seconds=seconds, changes=changes))
    return rows
