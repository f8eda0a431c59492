"""The workbook of an export run, built by the export's own view: the run's URL is resolved and
its view called with a GET request of the run's query string, as the run's user, in the run's
language. The columns and the rows a user sees therefore cannot differ between a file built in
the request and one built on the worker."""

import email.message

from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.urls import resolve, reverse
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from kam.excel import WorkbookResponse
from kam.exports.models import ExportRun

# The attribute that makes an export view build its file at once (kam.exports.background).
BUILD_NOW = "kam_export_now"


class Refused(Exception):
    """The view did not give the run's user a workbook (they may no longer see the list)."""


def request_of(run: ExportRun) -> HttpRequest:
    """A GET request of the run's export, as its user made it."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse(run.url_name)
    request.GET = QueryDict(run.query)
    request.META = {"REQUEST_METHOD": "GET", "QUERY_STRING": run.query, "SERVER_NAME": "worker"}
    request.user = run.created_by
    request.LANGUAGE_CODE = run.language
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    setattr(request, BUILD_NOW, True)
    return request


def workbook_of(run: ExportRun) -> WorkbookResponse:
    """The view's response to the run's request: the workbook, built at once."""
    request = request_of(run)
    match = resolve(request.path_info)
    request.resolver_match = match
    with translation.override(run.language):
        response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
    if not isinstance(response, WorkbookResponse):
        raise Refused(f"{run.url_name} answered {response.status_code}")
    return response


def download_name(response: WorkbookResponse) -> str:
    """The file name the view gave its download (its Content-Disposition, RFC 5987 decoded)."""
    header = email.message.Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    return header.get_filename() or "export.xlsx"
