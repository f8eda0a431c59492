"""Imports (issue 11): upload a file, see it checked, map its columns, import it all or
nothing, read the report, undo the last sales import; the log; the template files.

With a broker configured the check and the import run on the worker (kam.queue.has_worker),
whatever the file's size (a small file is done in a second and its page reloads by itself):
the run's page then shows a progress bar that polls imports:progress until the run is done.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from kam.imports import parsing, progress, samples, selectors, services
from kam.imports.columns import COLUMNS
from kam.imports.forms import MappingForm, UploadForm
from kam.imports.models import ImportRun, Kind
from kam.imports.selectors import shown_problems
from kam.imports.tasks import process_import
from kam.imports.validation import CHUNK, VALIDATORS, allowed_kinds
from kam.pagination import keyset_page
from kam.queue import enqueue_after_commit, has_worker

USE = "imports.use"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@permission_or_403(USE)
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    kinds = allowed_kinds(request.user)
    if (
        request.method == "POST"
        and request.POST.get("kind") in Kind.values
        and request.POST["kind"] not in kinds
    ):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        background = has_worker()
        run = services.import_upload(
            kind=data["kind"],
            upload=data["file"],
            file_name=data["file"].name,
            source=data["source"],
            monthly=data["monthly"],
            by=request.user,
            check=not background,
        )
        if background and run.stored_name:
            _queue(request, run, commit=False)
        return redirect(run)
    context = {"form": form, "templates": _templates(kinds), "nav": "imports"}
    return render(request, "imports/upload.html", context, status=400 if form.errors else 200)


def _templates(kinds: list[str]) -> list[dict[str, Any]]:
    return [{"kind": kind, "label": Kind(kind).label, "columns": COLUMNS[kind]} for kind in kinds]


def _run_for(request: AuthenticatedHttpRequest, pk: int) -> ImportRun:
    return get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)


@permission_or_403(USE)
@require_safe
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Before the commit, the preview (its first rows as parsed, every problem, the mapping);
    after, the report."""
    run = services.abandon_if_stale(_run_for(request, pk))
    return _run_page(request, run)


@permission_or_403(USE)
@require_safe
def run_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress bar of a run on the worker, polled by its page; once the run is done, htmx
    is told to reload the page, which then shows the preview or the report."""
    run = services.abandon_if_stale(_run_for(request, pk))
    if not run.in_background and request.htmx:
        return HttpResponseClientRefresh()
    return render(
        request, "imports/run.html#progress", {"run": run, "progress": progress.read(run.pk), "oob": True}
    )


def _run_page(
    request: AuthenticatedHttpRequest,
    run: ImportRun,
    *,
    mapping_form: MappingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pending = run.status in (ImportRun.Status.CHECKED, ImportRun.Status.INVALID) and bool(run.stored_name)
    mapping = services.mapping_of(run)
    context: dict[str, Any] = {
        "run": run,
        "pending": pending,
        "mine": run.created_by_id == request.user.pk,
        "columns": [(index, run.header[index], field) for index, field in sorted(mapping.items())],
        "ignored": [title for index, title in enumerate(run.header) if index not in mapping],
        "undoable": _undoable(request, run),
        "problems": shown_problems(run),
        "progress": progress.read(run.pk) if run.in_background else None,
        "nav": "imports",
    }
    if pending:
        context["preview"] = _preview(run)
        context["mapping_form"] = mapping_form or MappingForm(
            kind=run.kind, header=run.header, mapping=mapping
        )
    return render(request, "imports/run.html", context, status=status)


def _preview(run: ImportRun) -> list[Any]:
    """The first rows as parsed, checked again (as the run's uploader) for the page."""
    if services.missing(run.kind, services.mapping_of(run)):
        return []
    detected = parsing.Detected(run.file_format, run.encoding, run.delimiter)
    validator = VALIDATORS[run.kind](
        user=run.created_by,
        header=run.header,
        mapping=services.mapping_of(run),
        monthly=run.monthly,
        today=timezone.localdate(),
    )
    try:
        rows = parsing.read_rows(run.stored_name, detected)
        next(rows, None)
        first = [row for _number, row in zip(range(services.PREVIEW_ROWS), rows, strict=False)]
    except parsing.FileError:
        return []
    return validator.check(first[:CHUNK])


def _undoable(request: AuthenticatedHttpRequest, run: ImportRun) -> bool:
    if run.kind != Kind.SALES or run.status != ImportRun.Status.COMMITTED:
        return False
    if not request.user.has_perm("imports.import_all"):
        return False
    last = services.last_sales_run()
    return last is not None and last.pk == run.pk


def _own_pending(request: AuthenticatedHttpRequest, pk: int) -> ImportRun:
    run = _run_for(request, pk)
    if run.created_by_id != request.user.pk:
        raise PermissionDenied
    if run.kind not in allowed_kinds(request.user):
        raise PermissionDenied
    return run


@permission_or_403(USE)
@require_POST
def mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = _own_pending(request, pk)
    if run.status not in (ImportRun.Status.CHECKED, ImportRun.Status.INVALID) or not run.stored_name:
        messages.error(
            request,
            services.NOT_WAITING,
        )
        return redirect(run)
    form = MappingForm(request.POST, kind=run.kind, header=run.header, mapping=services.mapping_of(run))
    if not form.is_valid():
        return _run_page(request, run, mapping_form=form, status=400)
    background = has_worker()
    services.mapping_save(run=run, chosen=form.chosen(), by=request.user, check=not background)
    if background:
        _queue(request, run, commit=False)
    else:
        messages.success(request, _("The columns were mapped and the file checked again."))
    return redirect(run)


@permission_or_403(USE)
@require_POST
def commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = _own_pending(request, pk)
    if has_worker():
        _queue(request, run, commit=True)
        return redirect(run)
    try:
        outcome = services.import_commit(run=run, by=request.user)
    except services.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect(run)
    if outcome.problem_count:
        messages.error(
            request,
            _("Nothing was imported: the file has problems, listed below. Fix them and upload it again."),
        )
    else:
        messages.success(
            request,
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": outcome.counts.created,
                "updated": outcome.counts.updated,
                "unchanged": outcome.counts.unchanged,
            },
        )
    return redirect(run)


def _queue(request: AuthenticatedHttpRequest, run: ImportRun, *, commit: bool) -> None:
    """Hand the run's check or import to the worker; when the broker cannot take it the run is
    marked failed (its page says so) and the user is told."""
    try:
        services.import_queue(run=run)
    except services.ImportRefused as refused:
        messages.error(request, refused.message)
        return
    if enqueue_after_commit(process_import, f"import {run.pk}", run_id=run.pk, commit=commit).failed:
        services.import_failed(run_id=run.pk, message=services.QUEUE_DOWN)
        messages.error(request, str(services.QUEUE_DOWN))


@permission_or_403("imports.import_all")
@require_POST
def undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    try:
        counts = services.sales_undo(run=run, by=request.user)
    except services.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect(run)
    messages.success(
        request,
        _(
            "The import was undone: %(created)s sales it created were deleted, %(updated)s amounts it "
            "changed were restored, %(replaced)s sales of replaced months were put back."
        )
        % {"created": counts.created, "updated": counts.updated, "replaced": counts.unchanged},
    )
    return redirect(run)


@permission_or_403(USE)
@require_safe
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = keyset_page(
        selectors.runs_visible_to(request.user),
        order=["-created_at", "-pk"],
        after=request.GET.get("after", "")[:400],
        before=request.GET.get("before", "")[:400],
    )
    return render(request, "imports/run_list.html", {"page": page, "page_query": "", "nav": "imports"})


@permission_or_403(USE)
@require_safe
def template_file(
    request: AuthenticatedHttpRequest, kind: str, language: str, extension: str
) -> HttpResponse:
    if kind not in Kind.values or language not in ("ru", "en") or extension not in FORMATS:
        raise Http404
    if kind not in allowed_kinds(request.user):
        raise PermissionDenied
    if extension == "csv":
        content = samples.template_csv(kind, language)
    else:
        content = samples.template_xlsx(kind, language)
    response = HttpResponse(content, content_type=FORMATS[extension])
    response["Content-Disposition"] = f'attachment; filename="{kind}-{language}.{extension}"'
    return response
