"""The access gate of every view that is not about one object (object views use the app's
`get_..._for_user` helper): anonymous users go to the login page, signed-in users without
the permission get 403.

Views stack their decorators in one order: the access gate first (an anonymous user is sent
to log in, a user without the permission gets 403 whatever the method), then the HTTP method.
"""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_required, permission_required
from django.http.response import HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])  # a page, or a file streamed


def permission_or_403(perm: str) -> Callable[[View], View]:
    """Login, then `perm` (a Django or django-rules permission) or 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator
