"""A small base for exports: Anna's clients and Oleg's, the client list's export URL, and how to
read a workbook (a response's or a stored file's) as its sheets' values."""

from io import BytesIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Client
from kam.exports.models import ExportRun
from tests.factories import ClientFactory

EXPORT_URL = reverse("accounts:client_export")
LOG = reverse("exports:log")
BROKER = "redis://broker.invalid:6379/0"

Sheets = list[tuple[str, list[tuple[Any, ...]]]]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def threshold(settings):
    """A list of more than 2 rows is large."""
    settings.KAM_EXPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def broker(settings):
    settings.CELERY_BROKER_URL = BROKER


@pytest.fixture
def base(manager, outsider) -> dict[str, list[Client]]:
    """Three active clients of Anna's and two of Oleg's."""
    return {
        "anna": [
            ClientFactory(name=name, responsible_manager=manager, status=Client.Status.ACTIVE)
            for name in ("Alpha Mills", "Beta Steel", "Charlie Oil")
        ],
        "oleg": [
            ClientFactory(name=name, responsible_manager=outsider, status=Client.Status.ACTIVE)
            for name in ("Omega Foods", "Sigma Glass")
        ],
    }


def sheets_of(content: bytes) -> Sheets:
    book = load_workbook(BytesIO(content))
    return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]


def stored_sheets(run: ExportRun) -> Sheets:
    with default_storage.open(run.file.name) as stored:
        return sheets_of(stored.read())


def last_run() -> ExportRun:
    return ExportRun.objects.order_by("-pk")[0]


def done_run(user: Any, content: bytes = b"workbook", **fields: Any) -> ExportRun:
    """A finished run of `user`'s client list with `content` as its stored file."""
    run = ExportRun.objects.create(
        created_by=user,
        url_name="accounts:client_export",
        language="en",
        file_name="My clients 2026-11-30.xlsx",
        status=ExportRun.Status.DONE,
        rows=3,
        **fields,
    )
    run.file.save("run.xlsx", ContentFile(content))
    return run
