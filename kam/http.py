from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from kam.users.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request as a view behind `login_required` sees it: `user` is the project's User,
    and HtmxMiddleware has added `htmx`."""

    user: User
    htmx: HtmxDetails
