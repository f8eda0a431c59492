"""A small base for imports: two product groups, three clients of two managers (one a branch
sharing its company's INN), and helpers to upload a file and read what the database holds."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.models import Client, ProductGroup, Refusal, Sale
from kam.imports.models import ImportRun
from kam.imports.views import shown_problems
from kam.users.models import User
from segmentation.models import PotentialEstimate
from tests.factories import ClientFactory, ManagerFactory, ProductGroupFactory, make_inn

UPLOAD = reverse("imports:upload")
LOG = reverse("imports:log")

STEEL_INN = make_inn(101)
ALFA_INN = make_inn(102)
OTHER_INN = make_inn(103)
BAD_INN = STEEL_INN[:-1] + str((int(STEEL_INN[-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def no_broker(settings):
    """Imports run in the request unless a test configures a broker (whatever REDIS_URL says)."""
    settings.CELERY_BROKER_URL = ""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@dataclass
class Base:
    manager: User
    other_manager: User
    cables: ProductGroup
    pipes: ProductGroup
    steel: Client
    alfa: Client
    other: Client


@pytest.fixture
def base(manager) -> Base:
    other_manager = ManagerFactory(username="boris", email="boris@example.com")
    return Base(
        manager=manager,
        other_manager=other_manager,
        cables=ProductGroupFactory(name="Cables"),
        pipes=ProductGroupFactory(name="Pipes"),
        steel=ClientFactory(name="Siberian Steel", inn=STEEL_INN, responsible_manager=manager),
        alfa=ClientFactory(name="Alfa Trade", inn=ALFA_INN, responsible_manager=manager),
        other=ClientFactory(name="Omega Mill", inn=OTHER_INN, responsible_manager=other_manager),
    )


def csv_bytes(*lines: str, encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    return "\r\n".join(line.replace(";", delimiter) for line in lines).encode(encoding) + b"\r\n"


def upload(browser: Any, kind: str, content: bytes, name: str = "file.csv", **extra: Any) -> Any:
    data = {"kind": kind, "file": SimpleUploadedFile(name, content), **extra}
    return browser.post(UPLOAD, data)


def last_run() -> ImportRun:
    return ImportRun.objects.order_by("-pk")[0]


def commit(browser: Any, run: ImportRun) -> Any:
    return browser.post(reverse("imports:commit", args=[run.pk]))


def problems(run: ImportRun) -> list[tuple[Any, str, str]]:
    """The run's problems as its page shows them (row, column, text), in the active language."""
    run.refresh_from_db()
    return [(problem["row"], problem["column"], problem["message"]) for problem in shown_problems(run)]


def database() -> dict[str, Any]:
    """What an import may write: every sale, refusal, estimate and client, as values."""
    return {
        "sales": sorted(
            Sale.objects.values_list("client_id", "product_group_id", "date", "document", "amount")
        ),
        "refusals": sorted(Refusal.objects.values_list("client_id", "date", "reason", "note")),
        "estimates": sorted(PotentialEstimate.objects.values_list("client_id", "product_group_id", "amount")),
        "clients": sorted(Client.objects.values_list("pk", "name", "inn", "kpp", "version")),
    }
