from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest

from segmentation.notifications.selectors import unread_count


def notifications_context(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """The unread count for the navbar badge: one COUNT, run only when a template shows it.

    Anonymous users get nothing and cost no query.
    """
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return unread_count(user)

    return {"unread_notification_count": count}
