"""Imports on the Celery worker: with a broker the check and the import are queued (`.delay` is
mocked only to see that decision), the task's body checks and imports a queued run against the
database with its progress in the cache, a failure leaves the run failed with its message and
nothing written, and the run's page polls a progress bar until the run is done.

The tests are transactional: as in a real request, the task is queued (transaction.on_commit)
before the view answers, so the view knows whether the broker took it."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from kam.imports import parsing, progress, services
from kam.imports.models import ImportRun
from kam.imports.tasks import process_import
from kam.imports.writers import WRITERS
from tests.helpers import messages_of
from tests.imports.conftest import (
    STEEL_INN,
    commit,
    csv_bytes,
    database,
    last_run,
    problems,
    upload,
)

pytestmark = pytest.mark.django_db(transaction=True)

BROKER = "redis://broker.invalid:6379/0"
SALES = csv_bytes(
    "ИНН;Товарная группа;Дата;Документ;Сумма",
    f"{STEEL_INN};Cables;15.03.2026;1;100",
    f"{STEEL_INN};Pipes;16.03.2026;2;250,50",
    f"{STEEL_INN};Cables;17.03.2026;3;10",
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def broker(settings):
    settings.CELERY_BROKER_URL = BROKER


@pytest.fixture
def delay():
    with mock.patch.object(process_import, "delay") as delayed:
        yield delayed


def queued_upload(as_admin, delay) -> ImportRun:
    upload(as_admin, "sales", SALES)
    return last_run()


def sales() -> list[tuple[datetime.date, str, str]]:
    return sorted((date, document, str(amount)) for _c, _g, date, document, amount in database()["sales"])


# Queueing


def test_without_a_broker_the_upload_is_checked_in_the_request(as_admin, base, delay):
    upload(as_admin, "sales", SALES)

    assert (last_run().status, last_run().rows) == (ImportRun.Status.CHECKED, 3)
    delay.assert_not_called()


def test_with_a_broker_the_upload_is_queued_for_its_check(as_admin, base, broker, delay):
    response = upload(as_admin, "sales", SALES)

    run = last_run()
    assert response.url == reverse("imports:run", args=[run.pk])
    assert (run.status, run.rows, run.errors) == (ImportRun.Status.QUEUED, 0, [])
    delay.assert_called_once_with(run_id=run.pk, commit=False)
    assert database()["sales"] == []


def test_with_a_broker_a_broken_file_is_refused_in_the_request(as_admin, base, broker, delay):
    upload(as_admin, "sales", b"PK\x03\x04 not really a workbook", name="sales.xlsx")

    assert problems(last_run()) == [
        (None, "", "This file is not a readable Excel workbook (.xlsx): save it again from Excel or as CSV.")
    ]
    delay.assert_not_called()


def test_with_a_broker_the_commit_is_queued_once(as_admin, base, settings, delay):
    upload(as_admin, "sales", SALES)  # checked in the request
    run = last_run()
    settings.CELERY_BROKER_URL = BROKER

    first = commit(as_admin, run)
    second = commit(as_admin, run)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    delay.assert_called_once_with(run_id=run.pk, commit=True)
    assert messages_of(first) == []
    assert messages_of(second) == [
        "This upload is no longer waiting to be imported: it was imported, or a newer upload "
        "replaced it. Upload the file again."
    ]
    assert database()["sales"] == []


def test_with_a_broker_a_new_mapping_queues_the_check_again(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    process_import(run_id=run.pk, commit=False)
    chosen = {"column_0": "inn", "column_1": "product_group", "column_2": "date", "column_3": "document"}

    as_admin.post(reverse("imports:mapping", args=[run.pk]), {**chosen, "column_4": "amount"})

    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    assert delay.call_args_list == [
        mock.call(run_id=run.pk, commit=False),
        mock.call(run_id=run.pk, commit=False),
    ]


def test_an_unreachable_broker_fails_the_run_and_says_so(as_admin, base, broker, delay):
    delay.side_effect = BrokerError("connection refused")
    files = set(parsing.imports_root().iterdir())

    response = upload(as_admin, "sales", SALES)

    run = last_run()
    text = (
        "The task queue is unreachable, so this file was not checked or imported and nothing was "
        "written. Upload it again later."
    )
    assert (run.status, run.stored_name) == (ImportRun.Status.FAILED, "")
    assert problems(run) == [(None, "", text)]
    assert messages_of(response) == [text]
    assert set(parsing.imports_root().iterdir()) == files


# The task's body, run here against the database


def test_the_task_checks_a_queued_run(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)

    status = process_import(run_id=run.pk, commit=False)

    run.refresh_from_db()
    assert (status, run.status, run.rows, run.error_count) == ("checked", "checked", 3, 0)
    assert progress.read(run.pk) == progress.Progress(progress.CHECKING, 3, 0)
    assert database()["sales"] == []


def test_the_task_imports_a_queued_run(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    process_import(run_id=run.pk, commit=False)
    commit(as_admin, run)
    stored = parsing.path_of(last_run().stored_name)

    status = process_import(run_id=run.pk, commit=True)

    run.refresh_from_db()
    assert (status, run.status, run.created, run.updated, run.unchanged) == (
        "committed",
        "committed",
        3,
        0,
        0,
    )
    assert progress.read(run.pk) == progress.Progress(progress.SAVING, 3, 3)
    assert sales() == [
        (datetime.date(2026, 3, 15), "1", "100.00"),
        (datetime.date(2026, 3, 16), "2", "250.50"),
        (datetime.date(2026, 3, 17), "3", "10.00"),
    ]
    assert not stored.exists()


def test_a_task_delivered_again_after_the_import_writes_nothing_more(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    process_import(run_id=run.pk, commit=False)
    commit(as_admin, run)
    process_import(run_id=run.pk, commit=True)
    before = database()

    status = process_import(run_id=run.pk, commit=True)

    assert status == "committed"
    assert database() == before


def test_a_task_whose_file_vanished_leaves_the_run_invalid_with_the_message(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    parsing.discard(run.stored_name)

    status = process_import(run_id=run.pk, commit=False)

    assert status == "invalid"
    assert problems(run) == [(None, "", "The uploaded file is gone: upload it again.")]


def test_a_task_that_fails_marks_the_run_failed_and_writes_nothing(
    as_admin, base, broker, delay, monkeypatch
):
    run = queued_upload(as_admin, delay)
    process_import(run_id=run.pk, commit=False)
    commit(as_admin, run)
    stored = parsing.path_of(last_run().stored_name)

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(WRITERS["sales"], "finish", broken)

    with pytest.raises(RuntimeError, match="disk full"):
        process_import(run_id=run.pk, commit=True)

    run.refresh_from_db()
    assert (run.status, run.stored_name, run.created) == (ImportRun.Status.FAILED, "", 0)
    assert problems(run) == [
        (
            None,
            "",
            "The server failed while checking or importing this file, and nothing was written. Upload "
            "it again; if it fails again, tell your administrator.",
        )
    ]
    assert database()["sales"] == []
    assert not stored.exists()


def test_a_lost_database_is_retried_and_then_fails_the_run(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)

    with mock.patch.object(
        services, "import_background", side_effect=OperationalError("connection lost")
    ) as background:
        result = process_import.apply(kwargs={"run_id": run.pk, "commit": False})  # retries at once

    run.refresh_from_db()
    assert background.call_count == 4
    assert isinstance(result.result, OperationalError)
    assert run.status == ImportRun.Status.FAILED


# The page and its progress bar


def in_progress(run: ImportRun, status: str, rows: int, total: int, phase: str = progress.IMPORTING) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=status, rows=total)
    progress.report(run.pk, progress.Progress(phase, rows, total))


def test_the_page_of_a_run_being_imported_shows_its_progress_and_polls(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    in_progress(run, ImportRun.Status.IMPORTING, 4000, 10000)

    page = as_admin.get(reverse("imports:run", args=[run.pk])).content.decode()

    assert f'hx-get="{reverse("imports:progress", args=[run.pk])}" hx-trigger="every 1s"' in page
    assert 'max="100" value="40"' in page
    assert "4,000 of 10,000 rows" in page
    assert "Importing the file in the background." in page
    assert 'id="commit-form"' not in page


def test_the_progress_of_a_check_counts_the_rows_read(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    in_progress(run, ImportRun.Status.CHECKING, 2000, 0, phase=progress.CHECKING)

    fragment = as_admin.get(reverse("imports:progress", args=[run.pk]), headers={"HX-Request": "true"})

    content = fragment.content.decode()
    assert "2,000 rows read" in content
    assert "Checking the file in the background." in content
    assert '<progress class="import-progress" aria-label="Progress"></progress>' in content
    assert 'hx-trigger="every 1s"' in content
    assert 'id="run-status" hx-swap-oob="true"' in content


def test_a_queued_run_waits_for_the_worker(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)

    content = as_admin.get(reverse("imports:progress", args=[run.pk])).content.decode()

    assert "Waiting for the background worker to start." in content
    assert "rows read" not in content


def test_the_progress_tells_htmx_to_reload_the_page_once_done(as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)
    process_import(run_id=run.pk, commit=False)
    url = reverse("imports:progress", args=[run.pk])

    polled = as_admin.get(url, headers={"HX-Request": "true"})
    plain = as_admin.get(url)

    assert (polled.status_code, polled["HX-Refresh"]) == (200, "true")
    assert "every 1s" not in plain.content.decode()
    assert "Show the result" in plain.content.decode()


def test_the_progress_is_private_to_who_sees_the_run(browser_for, outsider, as_admin, base, broker, delay):
    run = queued_upload(as_admin, delay)

    assert browser_for(outsider).get(reverse("imports:progress", args=[run.pk])).status_code == 404


def test_a_failed_run_says_why_and_offers_to_upload_again(as_admin, base, broker, delay):
    delay.side_effect = BrokerError("connection refused")
    run = queued_upload(as_admin, delay)

    page = as_admin.get(reverse("imports:run", args=[run.pk])).content.decode()

    assert "The task queue is unreachable" in page
    assert "Failed" in page
    assert f'href="{reverse("imports:upload")}">Upload again' in page
    assert "every 1s" not in page
