"""The one decision every large export makes: build the file now, or on the worker.

An export view asks `in_background(request, rows=..., name=...)` first: with a broker configured
and more than KAM_EXPORT_BACKGROUND_ROWS rows (counted up to one more than that), a run is queued
and the answer is the redirect to its page; otherwise None, and the view builds the file as it
always did. The worker builds it by calling the same view (kam.exports.build), which is told to
build at once.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from kam import excel
from kam.excel import Label
from kam.exports import services
from kam.exports.build import BUILD_NOW
from kam.exports.tasks import build_export
from kam.http import AuthenticatedHttpRequest
from kam.queue import enqueue_after_commit, has_worker


def is_large(rows: QuerySet[Any]) -> bool:
    limit = settings.KAM_EXPORT_BACKGROUND_ROWS
    return rows[: limit + 1].count() > limit


def in_background(
    request: AuthenticatedHttpRequest, *, rows: QuerySet[Any], name: Label
) -> HttpResponse | None:
    """The redirect to a queued run of this export when it is large and a worker can build it;
    None to build it in the request. `rows` is the export's main list (not yet ordered), `name`
    the list's name its file is named after."""
    if getattr(request, BUILD_NOW, False) or not has_worker() or not is_large(rows):
        return None
    assert request.resolver_match is not None
    run = services.export_queue(
        by=request.user,
        url_name=request.resolver_match.view_name,
        query=request.GET.urlencode(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=excel.filename(name),
    )
    if enqueue_after_commit(build_export, f"export {run.pk}", run_id=run.pk).failed:
        services.export_failed(run_id=run.pk, failure=services.Failure.QUEUE_DOWN)
    return redirect(run)
