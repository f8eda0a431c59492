"""Exports on the worker: queue a run, build it (as its user, by its view: kam.exports.build),
record a failure, fail a run no worker took or finished, and delete old files.

Without a broker no run is made: every export is built in its request, as it always was.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone

from kam.exports import build
from kam.exports.models import BACKGROUND, ExportRun
from kam.users.models import User

logger = logging.getLogger(__name__)

Failure = ExportRun.Failure
Status = ExportRun.Status


def export_queue(*, by: User, url_name: str, query: str, language: str, file_name: str) -> ExportRun:
    """A QUEUED run of the export `url_name` with the `query` string, for the worker to build."""
    return ExportRun.objects.create(
        created_by=by, url_name=url_name, query=query, language=language, file_name=file_name[:255]
    )


def export_build(*, run_id: int) -> str:
    """The worker's part; returns the run's status after.

    1. Claim the run: QUEUED (or BUILDING: a task delivered again after a lost worker) becomes
       BUILDING; any other status means it was done or given up: nothing to do.
    2. A user deactivated since gets nothing: the run fails as refused.
    3. Build the workbook by the export's view (kam.exports.build) and keep it in the default
       storage; the run is DONE with its rows and the view's file name, unless it was given up
       meanwhile (then the file is deleted).
    """
    claimed = ExportRun.objects.filter(pk=run_id, status__in=BACKGROUND)
    if not claimed.update(status=Status.BUILDING, started_at=timezone.now()):
        return str(ExportRun.objects.values_list("status", flat=True).get(pk=run_id))
    run = ExportRun.objects.select_related("created_by").get(pk=run_id)
    if not run.created_by.is_active:
        export_failed(run_id=run.pk, failure=Failure.REFUSED)
        return Status.FAILED
    try:
        response = build.workbook_of(run)
    except (build.Refused, PermissionDenied, Http404):
        logger.warning("export %s refused to %s", run.pk, run.created_by, exc_info=True)
        export_failed(run_id=run.pk, failure=Failure.REFUSED)
        return Status.FAILED
    # The workbook's temporary file is closed by hand: response.close() would signal the end of a
    # request, which closes the worker's database connections.
    workbook = response.file_to_stream
    assert workbook is not None
    with workbook:
        stored = default_storage.save(f"exports/{uuid.uuid4().hex}.xlsx", File(workbook))
    done = ExportRun.objects.filter(pk=run.pk, status=Status.BUILDING).update(
        status=Status.DONE,
        file=stored,
        file_name=build.download_name(response)[:255],
        rows=response.rows,
        finished_at=timezone.now(),
    )
    if not done:
        default_storage.delete(stored)
    return Status.DONE if done else str(ExportRun.objects.values_list("status", flat=True).get(pk=run_id))


def export_failed(*, run_id: int, failure: str = Failure.ERROR) -> None:
    """Record that a run given to the worker was not built; a run no longer in the worker's hands
    is left as it is."""
    ExportRun.objects.filter(pk=run_id, status__in=BACKGROUND).update(
        status=Status.FAILED, failure=failure, finished_at=timezone.now()
    )


def abandon_if_stale(run: ExportRun) -> ExportRun:
    """A run still QUEUED KAM_EXPORT_STALE_AFTER seconds after it was requested fails as not taken
    (no worker took its task; a task delivered later finds it failed and leaves it); one BUILDING
    that long after its worker took it fails as abandoned. Returns the run as it now is."""
    if run.status not in BACKGROUND:
        return run
    since = run.created_at if run.status == Status.QUEUED else (run.started_at or run.created_at)
    if timezone.now() - since < timedelta(seconds=settings.KAM_EXPORT_STALE_AFTER):
        return run
    failure = Failure.NOT_TAKEN if run.status == Status.QUEUED else Failure.ABANDONED
    ExportRun.objects.filter(pk=run.pk, status=run.status).update(
        status=Status.FAILED, failure=failure, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def clean_up(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic clean-up: stale runs fail (abandon_if_stale), and the files of runs finished
    more than KAM_EXPORT_KEEP_DAYS days ago are deleted, their runs EXPIRED. Returns how many
    runs failed and how many expired."""
    now = now or timezone.now()
    abandoned = sum(
        abandon_if_stale(run).status == Status.FAILED
        for run in ExportRun.objects.filter(status__in=BACKGROUND)
    )
    old = ExportRun.objects.filter(
        status=Status.DONE, finished_at__lt=now - timedelta(days=settings.KAM_EXPORT_KEEP_DAYS)
    )
    expired = 0
    for pk, name in old.values_list("pk", "file"):
        if name:
            default_storage.delete(name)
        expired += ExportRun.objects.filter(pk=pk, status=Status.DONE).update(status=Status.EXPIRED, file="")
    return abandoned, expired
