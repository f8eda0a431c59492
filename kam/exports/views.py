"""The exports built on the worker (kam.exports.background): each run's page, polled while the
worker builds it, its download, and the user's recent exports. Only the user who asked sees a run."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRefresh

from kam.excel import XLSX
from kam.exports import selectors, services
from kam.exports.models import ExportRun
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page


def _run_for(request: AuthenticatedHttpRequest, pk: int) -> ExportRun:
    return services.abandon_if_stale(get_object_or_404(selectors.runs_of(request.user), pk=pk))


@login_required
@require_safe
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = keyset_page(
        selectors.runs_of(request.user),
        order=["-created_at", "-pk"],
        after=request.GET.get("after", "")[:400],
        before=request.GET.get("before", "")[:400],
        count=False,
    )
    context = {"page": page, "page_query": "", "keep_days": settings.KAM_EXPORT_KEEP_DAYS}
    return render(request, "exports/run_list.html", context)


@login_required
@require_safe
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = {"run": _run_for(request, pk), "keep_days": settings.KAM_EXPORT_KEEP_DAYS}
    return render(request, "exports/run.html", context)


@login_required
@require_safe
def run_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The spinner of a run on the worker, polled by its page; once the run is done, htmx is told
    to reload the page, which then shows the download or the failure."""
    run = _run_for(request, pk)
    if not run.in_background and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "exports/run.html#progress", {"run": run, "oob": True})


@login_required
@require_safe
def download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    run = _run_for(request, pk)
    if run.status != ExportRun.Status.DONE or not run.file:
        raise Http404
    return FileResponse(
        default_storage.open(run.file.name), as_attachment=True, filename=run.file_name, content_type=XLSX
    )
