"""A real Celery worker against the real Redis builds a large client list's export end to end:
the director asks for it, the worker (a thread of this process, see tests/conftest.py's
redis_app) builds it, and the download is the workbook the request builds. Transactional, so
the worker sees the rows."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from kam.exports.models import ExportRun
from tests.conftest import WORKER_BROKER
from tests.exports.conftest import EXPORT_URL, sheets_of


def settled(run: ExportRun, timeout: float = 60) -> ExportRun:
    """The run once the worker is done with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.in_background:
            return run
        time.sleep(0.2)
    raise AssertionError(f"the worker left export {run.pk} {run.status}")


@pytest.mark.django_db(transaction=True)
def test_worker_builds_a_large_export(redis_app, base, as_director, settings):
    settings.CELERY_BROKER_URL = WORKER_BROKER
    query = f"{EXPORT_URL}?sort=-name"

    with start_worker(redis_app, perform_ping_check=False, shutdown_timeout=30):
        response = as_director.get(query)
        run = settled(ExportRun.objects.get())
    download = sheets_of(as_director.get(reverse("exports:download", args=[run.pk])).getvalue())
    settings.CELERY_BROKER_URL = ""
    direct = sheets_of(as_director.get(query).getvalue())

    assert response.url == run.get_absolute_url()
    assert (run.status, run.rows) == (ExportRun.Status.DONE, 5)
    assert download == direct
    assert [row[0] for row in download[0][1][1:]] == [
        "Sigma Glass",
        "Omega Foods",
        "Charlie Oil",
        "Beta Steel",
        "Alpha Mills",
    ]
