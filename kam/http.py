from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from kam.users.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request as a view behind `login_required` sees it: `user` is the project's User,
    and HtmxMiddleware has added `htmx`."""

    user: User
    htmx: HtmxDetails


def safe_next(request: HttpRequest, target: str, fallback: str) -> str:
    """`target` (a form's "go back to" address) when it stays on this site, else `fallback`
    (a URL or a URL name, as `redirect` takes them)."""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback
