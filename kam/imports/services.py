"""The import flow: upload (store and detect), check (the preview), commit (all or nothing),
undo the last sales import, and remember a header mapping.

With a Celery broker configured the check and the commit run on the worker (import_queue, then
import_background from kam.imports.tasks); without one they run in the request.

`import_process(run, by, commit)` is the one pipeline the preview and the commit share: it
streams the stored file's rows (parsing.read_rows), checks them chunk by chunk
(validation.VALIDATORS) and, on commit, hands every chunk to the kind's writer
(writers.WRITERS) inside one transaction that is rolled back if any row has a problem.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kam.imports import parsing, progress, sales_sql
from kam.imports.columns import missing, normalise, recognise
from kam.imports.models import BACKGROUND, HeaderMapping, ImportRun, Kind
from kam.imports.texts import Message, _
from kam.imports.validation import CHUNK, VALIDATORS, Checked, Problem, Validator
from kam.imports.writers import WRITERS, Counts, Writer, undo_sales
from kam.users.models import User

NOT_WAITING = gettext_lazy(
    "This upload is no longer waiting to be imported: it was imported, or a newer upload replaced it. "
    "Upload the file again."
)
FAILED = _(
    "The server failed while checking or importing this file, and nothing was written. Upload it "
    "again; if it fails again, tell your administrator."
)
QUEUE_DOWN = _(
    "The task queue is unreachable, so this file was not checked or imported and nothing was written. "
    "Upload it again later."
)
ABANDONED = _(
    "The worker checking or importing this file stopped without finishing, and nothing was written. "
    "Upload the file again."
)
NOT_TAKEN = _(
    "No worker took this file in time, so it was not checked or imported and nothing was written. "
    "Upload it again; if it happens again, the task queue's workers are down."
)
WAITING = (ImportRun.Status.CHECKED, ImportRun.Status.INVALID)
PREVIEW_ROWS = 20
KEPT_PROBLEMS = 500


class ImportRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Outcome:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    preview: list[Checked] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    def note(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(problem)


class _Rollback(Exception):
    pass


def source_key(source: str, header: list[str]) -> str:
    """The key a header mapping is remembered by: the source's name, else the header row's hash."""
    if source.strip():
        return normalise(source)[:100]
    digest = hashlib.sha256("\x1f".join(normalise(cell) for cell in header).encode()).hexdigest()
    return f"header:{digest[:32]}"


def import_upload(
    *,
    kind: str,
    upload: Any,
    file_name: str,
    source: str,
    monthly: bool,
    by: User,
    check: bool = True,
) -> ImportRun:
    """Store the file, detect its format, read its header, map it and check it: the preview.
    Without `check` the run is left waiting unchecked (INVALID until checked), for a caller that
    commits at once: the commit checks every row again anyway (manage.py import_sales)."""
    _forget_pending(kind=kind, by=by)
    stored = parsing.store_upload(upload.chunks())
    if file_name.lower().endswith(".xlsx"):
        stored = replace(stored, xlsx=True)  # a workbook without its signature is a broken one
    run = ImportRun(
        kind=kind,
        monthly=monthly and kind == Kind.SALES,
        source=source.strip()[:100],
        created_by=by,
        file_name=file_name[:255],
        stored_name=stored.name,
        size=stored.size,
        sha256=stored.sha256,
    )
    try:
        detected = parsing.detect(stored)
        run.file_format, run.encoding, run.delimiter = (
            detected.file_format,
            detected.encoding,
            detected.delimiter,
        )
        run.header = _header(run)
    except parsing.FileError as error:
        run.file_format = run.file_format or ("xlsx" if stored.xlsx else "csv")
        run.status = ImportRun.Status.INVALID
        run.errors = [Problem(None, "", error.message).as_json()]
        run.error_count = 1
        run.stored_name = ""
        run.save()
        parsing.discard(stored.name)
        return run
    remembered = HeaderMapping.objects.filter(kind=kind, source=source_key(run.source, run.header)).first()
    run.mapping = {
        str(index): name
        for index, name in recognise(kind, run.header, remembered.mapping if remembered else None).items()
    }
    run.status = ImportRun.Status.INVALID
    run.save()
    if check:
        import_check(run=run, by=by)
    return run


def _forget_pending(*, kind: str, by: User) -> None:
    """A new upload replaces the user's uploads of the kind still waiting: their files are deleted
    (they stay in the log), so files do not pile up under KAM_IMPORTS_ROOT."""
    pending = ImportRun.objects.filter(created_by=by, kind=kind).exclude(stored_name="")
    pending = pending.filter(status__in=[ImportRun.Status.CHECKED, ImportRun.Status.INVALID])
    for name in pending.values_list("stored_name", flat=True):
        parsing.discard(name)
    pending.update(stored_name="")


def _header(run: ImportRun) -> list[str]:
    detected = parsing.Detected(run.file_format, run.encoding, run.delimiter)
    first = next(iter(parsing.read_rows(run.stored_name, detected)), None)
    if first is None:
        raise parsing.FileError(_("The file is empty."))
    if first.problem:
        raise parsing.FileError(first.problem)
    return [cell.strip()[:200] for cell in first.cells]


def mapping_of(run: ImportRun) -> dict[int, str]:
    return {int(index): name for index, name in run.mapping.items()}


def import_check(*, run: ImportRun, by: User) -> Outcome:
    """Check the stored file again and keep the result on the run (the preview)."""
    outcome = import_process(run, by=by, commit=False)
    _keep(run, outcome, ImportRun.Status.INVALID if outcome.problem_count else ImportRun.Status.CHECKED)
    return outcome


def import_commit(*, run: ImportRun, by: User, claimed: bool = False) -> Outcome:
    """Check and write the file in one transaction: any problem writes nothing (ImportRefused
    when the run is not waiting; problems are kept on the run as the preview keeps them). The
    run's row is locked first, so a double click imports once. `claimed`: the worker's commit of
    a run it marked IMPORTING (import_background)."""
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        waiting = (ImportRun.Status.IMPORTING,) if claimed else WAITING
        if locked.status not in waiting or not locked.stored_name:
            raise ImportRefused(str(NOT_WAITING))
        outcome = import_process(locked, by=by, commit=True)
        if outcome.problem_count:
            _keep(locked, outcome, ImportRun.Status.INVALID)
            return outcome
        counts = outcome.counts
        locked.created, locked.updated, locked.unchanged = counts.created, counts.updated, counts.unchanged
        locked.committed_at = timezone.now()
        stored, locked.stored_name = locked.stored_name, ""
        _keep(locked, outcome, ImportRun.Status.COMMITTED)
    parsing.discard(stored)
    return outcome


def import_queue(*, run: ImportRun) -> None:
    """Mark a waiting run QUEUED for the worker, before its task is queued (ImportRefused when it
    is not waiting), so a double click queues it once."""
    waiting = ImportRun.objects.filter(pk=run.pk, status__in=WAITING).exclude(stored_name="")
    queued_at = timezone.now()
    if not waiting.update(status=ImportRun.Status.QUEUED, started_at=queued_at):
        raise ImportRefused(str(NOT_WAITING))
    run.status, run.started_at = ImportRun.Status.QUEUED, queued_at


def import_background(*, run_id: int, commit: bool) -> str:
    """The worker's part: check or import a queued run as the request does without a broker;
    returns the run's status after.

    1. Claim the run: QUEUED becomes CHECKING or IMPORTING, committed at once so that its page
       shows it (a run already in that state is a task delivered again after a lost worker).
       Any other status means it was done already: nothing to do.
    2. Check it (import_check), or import it (import_commit: one transaction, nothing written
       on any problem), as its uploader.
    """
    phase = ImportRun.Status.IMPORTING if commit else ImportRun.Status.CHECKING
    claimed = ImportRun.objects.filter(pk=run_id, status__in=[ImportRun.Status.QUEUED, phase])
    if not claimed.update(status=phase, started_at=timezone.now()):
        return str(ImportRun.objects.values_list("status", flat=True).get(pk=run_id))
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if commit:
        progress.report(run.pk, progress.Progress(progress.IMPORTING, 0, run.rows))
        import_commit(run=run, by=run.created_by, claimed=True)
    else:
        progress.report(run.pk, progress.Progress(progress.CHECKING, 0))
        import_check(run=run, by=run.created_by)
    run.refresh_from_db(fields=["status"])
    return run.status


def import_failed(*, run_id: int, message: Message = FAILED) -> None:
    """Record that a run given to the worker was not checked or imported: FAILED with the message
    as its problem and its file deleted (the user uploads it again). Nothing was written: the
    commit is one transaction. A run no longer in the worker's hands is left as it is."""
    run = ImportRun.objects.filter(pk=run_id, status__in=BACKGROUND).first()
    if run is None:
        return
    parsing.discard(run.stored_name)
    run.stored_name, run.status = "", ImportRun.Status.FAILED
    run.errors, run.error_count = [Problem(None, "", message).as_json()], 1
    run.save(update_fields=["stored_name", "status", "errors", "error_count"])


def last_sign_of_life(run: ImportRun) -> datetime:
    """When the worker last showed it was on the run: its last progress report (per chunk), else
    when it took the run, or when the run was queued for it (the cache may have lost the
    reports, or be another machine's)."""
    moments = [run.started_at or run.created_at]
    kept = progress.read(run.pk)
    if kept is not None and kept.at:
        moments.append(datetime.fromtimestamp(kept.at, tz=UTC))
    return max(moments)


def abandon_if_stale(run: ImportRun) -> ImportRun:
    """A run in the worker's hands with no sign of life for KAM_IMPORT_STALE_AFTER seconds is
    FAILED: one being checked or imported with ABANDONED as its problem (its worker died, and
    nothing was written: the commit is one transaction that never committed), one still queued
    with NOT_TAKEN (no worker took its task; a task delivered later finds it failed and leaves
    it). A run whose row is still locked is being imported by a live transaction, however long
    it takes: it is left alone. Returns the run as it now is."""
    if run.status not in BACKGROUND:
        return run
    stale_after = timedelta(seconds=settings.KAM_IMPORT_STALE_AFTER)
    if timezone.now() - last_sign_of_life(run) < stale_after:
        return run
    with transaction.atomic():
        unlocked = ImportRun.objects.select_for_update(skip_locked=True).filter(pk=run.pk, status=run.status)
        if unlocked.exists():
            queued = run.status == ImportRun.Status.QUEUED
            import_failed(run_id=run.pk, message=NOT_TAKEN if queued else ABANDONED)
    run.refresh_from_db()
    return run


def clean_up(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic clean-up: runs abandoned by a dead worker are marked so (abandon_if_stale),
    and the uploaded files of runs never committed are deleted after KAM_IMPORT_KEEP_DAYS days
    (the runs stay in the log). Returns how many runs were abandoned and files deleted."""
    now = now or timezone.now()
    abandoned = sum(
        abandon_if_stale(run).status == ImportRun.Status.FAILED
        for run in ImportRun.objects.filter(status__in=BACKGROUND)
    )
    old = ImportRun.objects.exclude(stored_name="").exclude(status__in=BACKGROUND)
    old = old.filter(created_at__lt=now - timedelta(days=settings.KAM_IMPORT_KEEP_DAYS))
    deleted = 0
    for pk, name in old.values_list("pk", "stored_name"):
        parsing.discard(name)
        deleted += ImportRun.objects.filter(pk=pk, stored_name=name).update(stored_name="")
    return abandoned, deleted


def _keep(run: ImportRun, outcome: Outcome, status: str) -> None:
    run.rows = outcome.rows
    run.errors = [problem.as_json() for problem in outcome.problems]
    run.error_count = outcome.problem_count
    run.status = status
    run.save()


def import_process(run: ImportRun, *, by: User, commit: bool) -> Outcome:
    outcome = Outcome()
    mapping = mapping_of(run)
    absent = missing(run.kind, mapping)
    if not run.stored_name or not parsing.path_of(run.stored_name).exists():
        outcome.note(Problem(None, "", _("The uploaded file is gone: upload it again.")))
        return outcome
    if absent:
        for column in absent:
            outcome.note(
                Problem(
                    None, "", _("No column is mapped to this field: map a column below."), field=column.field
                )
            )
        return outcome
    try:
        if commit:
            with transaction.atomic():
                writer = _process(run, by, mapping, outcome, commit=True)
                if writer is None:
                    raise _Rollback
                count, listed = writer.duplicates(KEPT_PROBLEMS)
                if count:
                    for problem in listed:
                        outcome.note(problem)
                    outcome.problem_count += count - len(listed)
                    outcome.problems.sort(key=lambda problem: problem.row or 0)
                    del outcome.problems[KEPT_PROBLEMS:]
                if outcome.problem_count:
                    raise _Rollback
                progress.report(run.pk, progress.Progress(progress.SAVING, outcome.rows, outcome.rows))
                outcome.counts = writer.finish()
        else:
            _process(run, by, mapping, outcome, commit=False)
    except _Rollback:
        pass
    except parsing.FileError as error:
        outcome.note(Problem(None, "", error.message))
        outcome.counts = Counts()
    return outcome


def _process(
    run: ImportRun, by: User, mapping: dict[int, str], outcome: Outcome, *, commit: bool
) -> Writer | None:
    validator = VALIDATORS[run.kind](
        user=by, header=run.header, mapping=mapping, monthly=run.monthly, today=timezone.localdate()
    )
    if commit and run.kind == Kind.SALES and connection.vendor == "postgresql":
        return _process_in_sql(run, by, mapping, outcome, validator)
    writer = WRITERS[run.kind](run=run, by=by) if commit else None
    if writer is not None and writer.finds_duplicates:
        validator.track_duplicates = False
    detected = parsing.Detected(run.file_format, run.encoding, run.delimiter)
    rows = parsing.read_rows(run.stored_name, detected)
    next(rows, None)  # the header
    # A commit knows the row count from the check before it; a check counts as it goes.
    phase, total = (progress.IMPORTING, run.rows) if commit else (progress.CHECKING, 0)
    for chunk in _chunks(rows, CHUNK):
        checked = validator.check(chunk)
        outcome.rows += len(checked)
        progress.report(run.pk, progress.Progress(phase, outcome.rows, total))
        room = PREVIEW_ROWS - len(outcome.preview)
        if room > 0:
            outcome.preview.extend(checked[:room])
        for result in checked:
            for problem in result.problems:
                outcome.note(problem)
        if writer is not None and (writer.finds_duplicates or not outcome.problem_count):
            # A writer that finds the duplicates takes every good row, so that a file with
            # problems has its duplicates named too (the transaction is rolled back).
            writer.add(
                [{"number": result.number, **result.values} for result in checked if not result.problems]
            )
    if outcome.rows == 0:
        outcome.note(Problem(None, "", _("The file has a header row but no data rows.")))
    return writer


def _process_in_sql(
    run: ImportRun, by: User, mapping: dict[int, str], outcome: Outcome, validator: Validator
) -> Writer:
    """The sales commit on PostgreSQL: the file loaded and checked in SQL, Python checking only
    the rows SQL did not accept (kam.imports.sales_sql); problems and staged rows as _process's."""
    writer = sales_sql.RowsWriter(run=run, by=by)
    validator.track_duplicates = False
    width, total = len(run.header), run.rows

    def loaded(read: int) -> None:
        progress.report(
            run.pk, progress.Progress(progress.IMPORTING, total * read // max(run.size, 1), total)
        )

    outcome.rows = sales_sql.load(run, width, mapping, loaded)
    progress.report(run.pk, progress.Progress(progress.IMPORTING, outcome.rows, outcome.rows))
    if outcome.rows == 0:
        outcome.note(Problem(None, "", _("The file has a header row but no data rows.")))
        return writer
    column = next(index for index, name in mapping.items() if name == "product_group")
    sales_sql.match_groups(validator, f"c{column}")
    if sales_sql.accept(run, width, mapping) < outcome.rows:
        for chunk in sales_sql.refused_rows(width, mapping):
            checked = validator.check(chunk)
            for result in checked:
                for problem in result.problems:
                    outcome.note(problem)
            writer.add(
                [{"number": result.number, **result.values} for result in checked if not result.problems]
            )
    return writer


def _chunks(rows: Iterable[parsing.RawRow], size: int) -> Iterator[list[parsing.RawRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def mapping_save(*, run: ImportRun, chosen: dict[int, str], by: User, check: bool = True) -> None:
    """Use the user's mapping of the file's columns, remember it for the source, check again
    (unless the caller hands the check to the worker)."""
    run.mapping = {str(index): name for index, name in chosen.items() if name}
    run.save(update_fields=["mapping"])
    remembered = {normalise(run.header[index]): name for index, name in chosen.items() if name}
    HeaderMapping.objects.update_or_create(
        kind=run.kind,
        source=source_key(run.source, run.header),
        defaults={"mapping": remembered, "updated_by": by},
    )
    if check:
        import_check(run=run, by=by)


def last_sales_run() -> ImportRun | None:
    return (
        ImportRun.objects.filter(kind=Kind.SALES, status=ImportRun.Status.COMMITTED)
        .order_by("-committed_at", "-pk")
        .first()
    )


@transaction.atomic
def sales_undo(*, run: ImportRun, by: User) -> Counts:
    """Undo the last sales import (ImportRefused for any other)."""
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    last = last_sales_run()
    if (
        locked.kind != Kind.SALES
        or locked.status != ImportRun.Status.COMMITTED
        or last is None
        or last.pk != locked.pk
    ):
        raise ImportRefused(str(_("Only the last sales import can be undone, once.")))
    counts = undo_sales(locked)
    locked.status = ImportRun.Status.UNDONE
    locked.undone_at = timezone.now()
    locked.save(update_fields=["status", "undone_at"])
    return counts
