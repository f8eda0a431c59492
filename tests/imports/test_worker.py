"""A real Celery worker against the real Redis checks and imports a sales file end to end: the
admin uploads it and commits it through the pages, the worker (a thread of this process, see
tests/conftest.py's redis_app) does the rest. Transactional, so the worker sees the rows."""

import datetime
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from accounts.models import Sale
from kam.imports import progress
from kam.imports.models import ImportRun
from tests.conftest import WORKER_BROKER
from tests.imports.conftest import STEEL_INN, commit, csv_bytes, last_run, upload

SALES = csv_bytes(
    "ИНН;Товарная группа;Дата;Документ;Сумма",
    f"{STEEL_INN};Cables;15.03.2026;1;100",
    f"{STEEL_INN};Pipes;16.03.2026;2;250,50",
)


def settled(run: ImportRun, timeout: float = 60) -> ImportRun:
    """The run once the worker is done with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.in_background:
            return run
        time.sleep(0.2)
    raise AssertionError(f"the worker left import {run.pk} {run.status}")


@pytest.mark.django_db(transaction=True)
def test_worker_checks_and_imports_a_sales_file(redis_app, as_admin, base, settings):
    settings.CELERY_BROKER_URL = WORKER_BROKER

    with start_worker(redis_app, perform_ping_check=False, shutdown_timeout=30):
        upload(as_admin, "sales", SALES)
        run = settled(last_run())
        check = (run.status, run.rows, run.errors)
        commit(as_admin, run)
        committed = settled(run)
        page = as_admin.get(reverse("imports:run", args=[committed.pk])).content.decode()

    assert check == (ImportRun.Status.CHECKED, 2, [])
    assert committed.status == ImportRun.Status.COMMITTED
    assert (committed.created, committed.updated, committed.unchanged) == (2, 0, 0)
    assert sorted(Sale.objects.values_list("client_id", "date", "document", "amount")) == [
        (base.steel.pk, datetime.date(2026, 3, 15), "1", Decimal("100.00")),
        (base.steel.pk, datetime.date(2026, 3, 16), "2", Decimal("250.50")),
    ]
    assert progress.read(committed.pk) == progress.Progress(progress.SAVING, 2, 2)
    assert "2 created, 0 updated, 0 unchanged" in page
    assert "every 1s" not in page
