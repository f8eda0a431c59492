"""kam/wsgi.py: the application gunicorn serves, settled before its first request."""

import gc

from django.core.handlers.wsgi import WSGIHandler

from kam import wsgi


def test_the_served_application_is_djangos():
    assert isinstance(wsgi.application, WSGIHandler)


def test_settled_sets_what_the_process_holds_apart_from_the_collector():
    gc.unfreeze()
    app = object()
    try:
        assert wsgi.settled(app) is app
        assert gc.get_freeze_count() > 10_000  # the modules, models and URLconf of the project
    finally:
        gc.unfreeze()
