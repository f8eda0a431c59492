from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request as views see it once HtmxMiddleware has run."""

    htmx: HtmxDetails
