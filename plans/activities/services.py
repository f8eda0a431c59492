"""Every write to development activities: atomic, with the history (who, when), and refused when
someone else saved or deleted the activity after the form read it (`accounts.services._claim`)."""

from typing import Any

from django.db import transaction

from accounts.models import Client
from accounts.services import StaleVersionError, _claim
from kam.users.models import User
from plans.models import Activity

__all__ = ["ForeignPlanError", "StaleVersionError", "activity_delete", "activity_save"]


class ForeignPlanError(Exception):
    """The activity names a plan of another client (the form offers only the client's own)."""


def activity_save(
    *,
    activity: Activity,
    client: Client,
    many_to_many: dict[str, Any],
    expected_version: int | None,
    by: User,
) -> Activity:
    """Save a validated activity of `client` with its people on both sides.

    1. Refuse a plan of another client (ForeignPlanError).
    2. An existing activity is saved only if it is still at `expected_version` (StaleVersionError).
    3. A new one records who created it.
    """
    if activity.plan is not None and activity.plan.client_id != client.pk:
        raise ForeignPlanError
    with transaction.atomic():
        if activity.pk is not None:
            activity.version = _claim(Activity, activity.pk, expected_version)
        else:
            activity.created_by = by
        activity.client = client
        activity._history_user = by  # type: ignore[attr-defined]
        activity.save()
        for name, values in many_to_many.items():
            getattr(activity, name).set(values)
    return activity


def activity_delete(*, activity: Activity, expected_version: int | None, by: User) -> None:
    """Delete the activity only if nobody changed it since the user saw `expected_version`."""
    with transaction.atomic():
        activity.version = _claim(Activity, activity.pk, expected_version)
        activity._history_user = by  # type: ignore[attr-defined]
        activity.delete()
