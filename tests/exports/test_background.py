"""Large exports on the worker: the decision (rows over KAM_EXPORT_BACKGROUND_ROWS and a broker,
else the file at once as always), the task building the very workbook the request builds as the
same user with the same filters and language, and what becomes of runs that fail, go stale or
grow old. `.delay` is mocked only to see the decision; the task's body runs against the database."""

import datetime
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from kam.excel import XLSX
from kam.exports import build, services
from kam.exports.models import ExportRun
from kam.exports.tasks import build_export, clean_up_exports
from segmentation.models import ClientSegment, LostStatus, Tier
from tests.exports.conftest import (
    EXPORT_URL,
    done_run,
    last_run,
    sheets_of,
    stored_sheets,
)
from tests.factories import ClientFactory

Status = ExportRun.Status
Failure = ExportRun.Failure


@pytest.fixture
def delay():
    with mock.patch.object(build_export, "delay") as delayed:
        yield delayed


def queued(browser, url, capture):
    """The export requested with its task's queueing captured (not yet run): the response, the run
    and the callbacks transaction.on_commit holds."""
    with capture() as callbacks:
        response = browser.get(url)
    return response, last_run(), callbacks


# The decision


def test_a_list_at_the_threshold_is_the_file_itself(broker, manager, as_manager, delay):
    ClientFactory.create_batch(2, responsible_manager=manager)

    response = as_manager.get(EXPORT_URL)

    assert response["Content-Type"] == XLSX
    assert len(sheets_of(response.getvalue())[0][1]) == 3
    assert ExportRun.objects.count() == 0
    delay.assert_not_called()


def test_a_large_list_with_a_broker_is_queued_after_commit_and_its_page_shown(
    broker, base, manager, as_manager, delay, django_capture_on_commit_callbacks
):
    response, run, callbacks = queued(
        as_manager, f"{EXPORT_URL}?status=active&sort=-name", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert response.url == f"/exports/{run.pk}/"
    assert (run.created_by, run.url_name, run.query, run.language, run.status) == (
        manager,
        "accounts:client_export",
        "status=active&sort=-name",
        "en",
        Status.QUEUED,
    )
    assert run.file_name == f"My clients {timezone.localdate().isoformat()}.xlsx"
    delay.assert_not_called()  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    delay.assert_called_once_with(run_id=run.pk)


def test_without_a_broker_a_large_list_is_the_file_itself(base, as_manager, delay):
    response = as_manager.get(EXPORT_URL)

    assert response["Content-Type"] == XLSX
    assert [row[0] for row in sheets_of(response.getvalue())[0][1]] == [
        "Client",
        "Alpha Mills",
        "Beta Steel",
        "Charlie Oil",
    ]
    assert ExportRun.objects.count() == 0


def test_the_threshold_counts_what_the_user_sees(broker, base, as_outsider, delay):
    """Oleg sees two clients: at the threshold, not over it, whatever the base holds."""
    response = as_outsider.get(EXPORT_URL)

    assert response["Content-Type"] == XLSX
    assert ExportRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_fails_the_run_at_once(broker, base, as_manager, delay):
    delay.side_effect = BrokerError("connection refused")

    response = as_manager.get(EXPORT_URL)

    run = last_run()
    assert response.url == run.get_absolute_url()
    assert (run.status, run.failure) == (Status.FAILED, Failure.QUEUE_DOWN)
    assert "The task queue is unreachable" in as_manager.get(response.url).content.decode()


# The task


def built(run: ExportRun) -> ExportRun:
    assert build_export(run_id=run.pk) == Status.DONE
    run.refresh_from_db()
    return run


def test_the_task_stores_the_workbook_the_request_builds(
    broker, base, director, as_director, delay, django_capture_on_commit_callbacks, settings
):
    query = f"{EXPORT_URL}?status=active&sort=-name"
    _response, run, _callbacks = queued(as_director, query, django_capture_on_commit_callbacks)

    run = built(run)
    settings.CELERY_BROKER_URL = ""
    direct = as_director.get(query)

    assert (run.status, run.rows, run.failure) == (Status.DONE, 5, "")
    assert run.file.name.startswith("exports/")
    assert run.file_name == f"Client base {timezone.localdate().isoformat()}.xlsx"
    assert run.started_at is not None
    assert run.finished_at is not None
    assert stored_sheets(run) == sheets_of(direct.getvalue())
    assert [row[0] for row in stored_sheets(run)[0][1]] == [
        "Client",
        "Sigma Glass",
        "Omega Foods",
        "Charlie Oil",
        "Beta Steel",
        "Alpha Mills",
    ]


@pytest.mark.parametrize(
    "name", ["segmentation:candidates_export", "segmentation:workload_export", "plans:win_back_export"]
)
def test_every_large_list_is_built_by_its_own_view_as_the_request_builds_it(
    name, broker, director, as_director, delay, django_capture_on_commit_callbacks, settings
):
    """Three lost gold clients nobody is responsible for: three candidates, three unassigned
    clients, three to win back."""
    for client in ClientFactory.create_batch(3, responsible_manager=None):
        ClientSegment.objects.create(client=client, tier=Tier.GOLD, lost_status=LostStatus.LOST)
    url = reverse(name)

    _response, run, _callbacks = queued(as_director, url, django_capture_on_commit_callbacks)
    run = built(run)
    settings.CELERY_BROKER_URL = ""
    direct = as_director.get(url)

    assert (run.url_name, run.rows) == (name, 3)
    assert stored_sheets(run) == sheets_of(direct.getvalue())
    assert run.file_name == direct["Content-Disposition"].split('"')[1]


def test_a_managers_file_holds_only_their_clients(
    broker, base, as_manager, delay, django_capture_on_commit_callbacks
):
    _response, run, _callbacks = queued(as_manager, EXPORT_URL, django_capture_on_commit_callbacks)

    sheets = stored_sheets(built(run))

    assert [row[0] for row in sheets[0][1][1:]] == ["Alpha Mills", "Beta Steel", "Charlie Oil"]
    assert sheets[0][0] == "My clients"


def test_the_file_is_in_the_language_of_the_request(
    broker, base, manager, as_manager, delay, django_capture_on_commit_callbacks
):
    manager.language = "ru"
    manager.save(update_fields=["language"])

    _response, run, _callbacks = queued(as_manager, EXPORT_URL, django_capture_on_commit_callbacks)
    run = built(run)

    assert run.language == "ru"
    assert run.file_name == f"Мои клиенты {timezone.localdate().isoformat()}.xlsx"
    assert stored_sheets(run)[0][1][0][0] == "Клиент"


def test_another_list_is_built_by_its_own_view(director):
    """The win-back list, empty here: the view is called, not the client list's."""
    run = ExportRun.objects.create(
        created_by=director, url_name="plans:win_back_export", language="en", file_name="x.xlsx"
    )

    run = built(run)

    assert run.file_name == f"Win-back list {timezone.localdate().isoformat()}.xlsx"
    assert [(title, rows[0][:2]) for title, rows in stored_sheets(run)] == [
        ("Win-back list", ("Client", "Key"))
    ]
    assert run.rows == 0


def test_a_deactivated_user_gets_nothing(
    broker, base, manager, as_manager, delay, django_capture_on_commit_callbacks
):
    _response, run, _callbacks = queued(as_manager, EXPORT_URL, django_capture_on_commit_callbacks)
    manager.is_active = False
    manager.save(update_fields=["is_active"])

    with mock.patch.object(build, "workbook_of") as workbook_of:
        assert build_export(run_id=run.pk) == Status.FAILED

    run.refresh_from_db()
    assert (run.status, run.failure, run.file.name) == (Status.FAILED, Failure.REFUSED, "")
    workbook_of.assert_not_called()


def test_a_user_who_may_no_longer_see_the_list_gets_nothing(manager):
    """A manager's run of the key candidates (a director's list) is refused by the view itself."""
    run = ExportRun.objects.create(
        created_by=manager, url_name="segmentation:candidates_export", language="en", file_name="x.xlsx"
    )

    assert build_export(run_id=run.pk) == Status.FAILED

    run.refresh_from_db()
    assert (run.status, run.failure) == (Status.FAILED, Failure.REFUSED)


def test_a_failure_fails_the_run_with_its_message(manager, as_manager):
    run = ExportRun.objects.create(
        created_by=manager, url_name="accounts:client_export", language="en", file_name="x.xlsx"
    )

    with (
        mock.patch.object(build, "workbook_of", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        build_export(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.failure, run.file.name) == (Status.FAILED, Failure.ERROR, "")
    page = as_manager.get(run.get_absolute_url()).content.decode()
    assert "The server failed while building this file." in page
    assert 'id="download"' not in page


def test_a_task_delivered_again_leaves_a_finished_run(manager):
    run = done_run(manager)

    assert build_export(run_id=run.pk) == Status.DONE

    assert ExportRun.objects.get(pk=run.pk).file.name == run.file.name


# Stale runs and old files


def aged(run: ExportRun, **moments: datetime.datetime) -> ExportRun:
    ExportRun.objects.filter(pk=run.pk).update(**moments)
    run.refresh_from_db()
    return run


def test_a_queued_run_no_worker_takes_fails_as_not_taken(manager, as_manager, settings):
    settings.KAM_EXPORT_STALE_AFTER = 600
    run = ExportRun.objects.create(
        created_by=manager, url_name="accounts:client_export", language="en", file_name="x.xlsx"
    )
    fresh = as_manager.get(run.get_absolute_url()).content.decode()
    aged(run, created_at=timezone.now() - datetime.timedelta(seconds=601))

    page = as_manager.get(run.get_absolute_url()).content.decode()

    run.refresh_from_db()
    assert "Waiting for the background worker to start." in fresh
    assert (run.status, run.failure) == (Status.FAILED, Failure.NOT_TAKEN)
    assert "No worker took this export in time" in page
    assert build_export(run_id=run.pk) == Status.FAILED  # delivered late, it leaves the run


def test_a_run_whose_worker_stopped_fails_as_abandoned(manager, settings):
    settings.KAM_EXPORT_STALE_AFTER = 600
    run = ExportRun.objects.create(
        created_by=manager,
        url_name="accounts:client_export",
        language="en",
        file_name="x.xlsx",
        status=Status.BUILDING,
    )
    long_ago = timezone.now() - datetime.timedelta(seconds=601)
    building = aged(run, created_at=long_ago - datetime.timedelta(hours=1), started_at=long_ago)

    assert clean_up_exports() == (1, 0)

    building.refresh_from_db()
    assert (building.status, building.failure) == (Status.FAILED, Failure.ABANDONED)


def test_files_older_than_the_retention_are_deleted_and_their_runs_expired(manager, as_manager, settings):
    settings.KAM_EXPORT_KEEP_DAYS = 7
    now = timezone.now()
    old = aged(done_run(manager), finished_at=now - datetime.timedelta(days=7, minutes=1))
    recent = aged(done_run(manager), finished_at=now - datetime.timedelta(days=6, hours=23))

    old_file = old.file.name

    assert services.clean_up(now=now) == (0, 1)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.file.name) == (Status.EXPIRED, "")
    assert recent.status == Status.DONE
    assert not default_storage.exists(old_file)
    assert default_storage.exists(recent.file.name)
    page = as_manager.get(old.get_absolute_url()).content.decode()
    assert "The file was deleted 7 days after it was built. Export the list again." in page
    assert as_manager.get(f"{old.get_absolute_url()}download/").status_code == 404


def test_the_task_is_acknowledged_only_once_done():
    assert build_export.acks_late is True
