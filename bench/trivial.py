"""The baseline of the pages benchmark: a trivial Django view served by the same settings.

    gunicorn bench.trivial:application

It is the production application (same settings, the whole middleware stack: sessions,
CSRF, locale, authentication, axes...) with one URL conf swapped for this module's single
view, which returns a short text without touching the database. So the application the
benchmark measures never gets a URL made for the benchmark.
"""

import gc
import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings.production")


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", trivial)]


def _application() -> object:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    wsgi = get_wsgi_application()  # sets Django up with the production settings
    settings.ROOT_URLCONF = __name__
    gc.collect()
    gc.freeze()  # as kam.wsgi does (`settled`)
    return wsgi


application = _application()
