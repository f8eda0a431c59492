"""Runs whose worker died are shown abandoned (no sign of life for KAM_IMPORT_STALE_AFTER), and
the daily clean-up (a beat entry and `manage.py clean_imports`) deletes old uploads never
imported."""

import datetime
from io import StringIO

import psycopg2
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kam.celery import app
from kam.imports import parsing, progress, services
from kam.imports.models import ImportRun
from kam.imports.tasks import clean_up_imports
from tests.imports.conftest import STEEL_INN, csv_bytes, database, last_run, problems, upload

SALES = csv_bytes("ИНН;Товарная группа;Дата;Документ;Сумма", f"{STEEL_INN};Cables;15.03.2026;1;100")
ABANDONED = (
    None,
    "",
    "The worker checking or importing this file stopped without finishing, and nothing was written. "
    "Upload the file again.",
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def running(as_admin, status: str, *, started_minutes_ago: int) -> ImportRun:
    """An upload the worker took `started_minutes_ago` minutes ago and never reported on."""
    upload(as_admin, "sales", SALES)
    run = last_run()
    started = timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
    ImportRun.objects.filter(pk=run.pk).update(status=status, started_at=started)
    cache.clear()
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("status", [ImportRun.Status.CHECKING, ImportRun.Status.IMPORTING])
def test_a_run_with_no_sign_of_life_for_too_long_is_shown_abandoned(as_admin, base, settings, status):
    settings.KAM_IMPORT_STALE_AFTER = 600
    run = running(as_admin, status, started_minutes_ago=11)
    stored = parsing.path_of(run.stored_name)
    before = database()

    page = as_admin.get(reverse("imports:run", args=[run.pk])).content.decode()

    run.refresh_from_db()
    assert (run.status, run.stored_name) == (ImportRun.Status.FAILED, "")
    assert problems(run) == [ABANDONED]
    assert "stopped without finishing" in page
    assert not stored.exists()
    assert database() == before


def test_a_run_no_worker_took_in_time_fails_and_a_task_delivered_later_leaves_it(as_admin, base, settings):
    settings.KAM_IMPORT_STALE_AFTER = 600
    run = running(as_admin, ImportRun.Status.QUEUED, started_minutes_ago=11)
    before = database()

    page = as_admin.get(reverse("imports:run", args=[run.pk])).content.decode()

    run.refresh_from_db()
    assert (run.status, run.stored_name) == (ImportRun.Status.FAILED, "")
    assert problems(run) == [
        (
            None,
            "",
            "No worker took this file in time, so it was not checked or imported and nothing was "
            "written. Upload it again; if it happens again, the task queue's workers are down.",
        )
    ]
    assert "No worker took this file in time" in page
    assert services.import_background(run_id=run.pk, commit=True) == ImportRun.Status.FAILED
    assert database() == before


def test_a_run_queued_lately_waits_for_its_worker(as_admin, base, settings):
    settings.KAM_IMPORT_STALE_AFTER = 600
    run = running(as_admin, ImportRun.Status.QUEUED, started_minutes_ago=9)

    assert services.abandon_if_stale(run).status == ImportRun.Status.QUEUED


def test_queueing_a_run_starts_its_clock(as_admin, base):
    upload(as_admin, "sales", SALES)
    run = last_run()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.CHECKED, started_at=None)
    run.refresh_from_db()
    before = timezone.now()

    services.import_queue(run=run)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    assert run.started_at is not None
    assert run.started_at >= before


def test_a_run_that_reported_progress_lately_is_left_to_its_worker(as_admin, base, settings):
    settings.KAM_IMPORT_STALE_AFTER = 600
    run = running(as_admin, ImportRun.Status.IMPORTING, started_minutes_ago=60)
    progress.report(run.pk, progress.Progress(progress.IMPORTING, 10, 100))

    as_admin.get(reverse("imports:progress", args=[run.pk]))

    run.refresh_from_db()
    assert (run.status, bool(run.stored_name)) == (ImportRun.Status.IMPORTING, True)


def test_a_run_the_worker_took_lately_is_not_abandoned(as_admin, base, settings):
    settings.KAM_IMPORT_STALE_AFTER = 600
    run = running(as_admin, ImportRun.Status.CHECKING, started_minutes_ago=9)

    assert services.abandon_if_stale(run).status == ImportRun.Status.CHECKING


def test_the_clean_up_deletes_old_uploads_never_imported_and_abandons_dead_runs(as_admin, base, settings):
    settings.KAM_IMPORT_KEEP_DAYS = 7
    old: list[ImportRun] = []
    recent: list[ImportRun] = []
    for kind, keep in (("clients", recent), ("estimates", old), ("refusals", recent)):
        upload(as_admin, kind, SALES)
        keep.append(last_run())
    ImportRun.objects.filter(pk=old[0].pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    ImportRun.objects.filter(pk=recent[0].pk).update(created_at=timezone.now() - datetime.timedelta(days=6))
    dead = running(as_admin, ImportRun.Status.IMPORTING, started_minutes_ago=30)
    files = {run.pk: parsing.path_of(run.stored_name) for run in [*old, *recent]}
    out = StringIO()

    call_command("clean_imports", stdout=out)

    assert out.getvalue() == "Imports marked abandoned: 1; old uploads deleted: 1.\n"
    assert not files[old[0].pk].exists()
    assert all(files[run.pk].exists() for run in recent)
    assert [ImportRun.objects.get(pk=run.pk).stored_name == "" for run in [*old, *recent]] == [
        True,
        False,
        False,
    ]
    assert ImportRun.objects.get(pk=dead.pk).status == ImportRun.Status.FAILED
    assert clean_up_imports() == (0, 0)


def test_the_clean_up_is_in_the_beat_schedule():
    entry = app.conf.beat_schedule["clean-up-imports"]

    assert entry["task"] == clean_up_imports.name == "kam.imports.tasks.clean_up_imports"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a row lock held by another session")
def test_a_run_whose_row_a_live_import_holds_is_not_abandoned(admin_user, settings):
    settings.KAM_IMPORT_STALE_AFTER = 600
    run = ImportRun.objects.create(
        kind="sales", created_by=admin_user, file_name="s.csv", sha256="0" * 64,
        status=ImportRun.Status.IMPORTING, started_at=timezone.now() - datetime.timedelta(hours=1),
    )  # fmt: skip
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1 FROM imports_importrun WHERE id = %s FOR UPDATE", [run.pk])
        assert services.abandon_if_stale(run).status == ImportRun.Status.IMPORTING
        other.rollback()  # the lock is released when the server answers, not when a socket closes
    finally:
        other.close()

    assert services.abandon_if_stale(run).status == ImportRun.Status.FAILED
