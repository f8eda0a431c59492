"""Writes to the segment policy, and when the scheduled recomputation is due."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kam.users.models import User
from segmentation.models import NightlyRun, Policy
from segmentation.ops.selectors import abandoned_run_ids


class StalePolicyError(Exception):
    """The policy was saved by someone else after the form was opened."""


def policy_version(policy: Policy) -> str:
    """A token of the policy's last save; a form carries it to detect a concurrent save."""
    return policy.updated_at.isoformat() if policy.updated_at else ""


@transaction.atomic
def policy_update(*, values: dict[str, Any], version: str, author: User) -> list[str]:
    """Save the changed policy values and return the names of the fields that changed.

    1. lock the policy row and refuse if it was saved after `version` (StalePolicyError);
    2. write only the fields whose value differs, so an unchanged form leaves no history entry;
    3. the history entry names `author`. The change takes effect at the next recomputation.
    """
    policy, _created = Policy.objects.select_for_update().get_or_create(pk=1)
    if policy_version(policy) != version:
        raise StalePolicyError
    changed = [name for name, value in values.items() if getattr(policy, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(policy, name, values[name])
    policy._history_user = author  # type: ignore[attr-defined]
    policy.save(update_fields=[*changed, "updated_at"])
    return changed


def nightly_run_due(*, now: datetime | None = None) -> bool:
    """Whether the scheduled recomputation should start now.

    It is due once the local time has passed today's Policy.nightly_run_at and no run
    has finished successfully, or is still running, since that moment. A run started by
    hand earlier in the day does not count; a failed, skipped or abandoned run (marked
    running but no longer holding the lock, see abandoned_run_ids) is tried again.
    """
    local = timezone.localtime(now)
    at = Policy.current().nightly_run_at
    scheduled = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if local < scheduled:
        return False
    done = [NightlyRun.Status.SUCCESS, NightlyRun.Status.RUNNING]
    runs = list(NightlyRun.objects.filter(started_at__gte=scheduled, status__in=done))
    return {run.pk for run in runs} <= abandoned_run_ids(runs, now=now)
