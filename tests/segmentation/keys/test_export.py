"""The key clients and candidates to Excel: the page's two lists as two sheets, every row (not
a page), the page's manager filter on the candidates, directors and admins only."""

from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from segmentation.models import ClientSegment, KeyStatus, TierOverride
from tests.factories import ClientFactory, ManagerFactory
from tests.segmentation.conftest import CANDIDATES_URL

EXPORT_URL = reverse("segmentation:candidates_export")
HEADERS = [
    "Client",
    "INN",
    "Tier",
    "Category",
    "Potential",
    "Share of potential",
    "League",
    "Responsible manager",
]


def book_of(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.getvalue()))


def rows_of(sheet):
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def keys_and_candidates(manager, outsider):
    """A key client of Anna's, three candidates (one promoted by an override), a bronze client
    and an inactive gold one that are not candidates."""
    made: dict[str, Any] = {}

    def add(name, owner, status="active", **segment):
        made[name] = ClientFactory(
            name=name, inn=f"77000000{len(made):02d}", responsible_manager=owner, status=status
        )
        ClientSegment.objects.create(client=made[name], **segment)

    add("Key Gold", manager, tier="gold", category="A", potential=Decimal(4000), league="premier")
    KeyStatus.objects.create(client=made["Key Gold"], is_key=True, reasons=["potential", "strategic"])
    add("Big Silver", manager, tier="silver", category="C", potential=Decimal(3000))
    add("=Flagged", outsider, tier="silver", potential=Decimal(1000), league="first")
    KeyStatus.objects.create(client=made["=Flagged"], is_key=False, reasons=["image"])
    add("Promoted", None, tier="bronze", potential=Decimal(1500))
    TierOverride.objects.create(client=made["Promoted"], tier="gold", reason="Opens doors")
    add("Bronze", manager, tier="bronze", potential=Decimal(500))
    add("Inactive", manager, status="inactive", tier="gold", potential=Decimal(0))
    return made


def test_the_export_has_every_key_client_and_every_candidate_in_the_pages_order(
    keys_and_candidates, as_director, policy
):
    response = as_director.get(EXPORT_URL)

    assert response["Content-Disposition"].startswith('attachment; filename="Key clients and candidates ')
    book = book_of(response)
    assert book.sheetnames == ["Key clients", "Candidates"]
    keys, candidates = (rows_of(sheet) for sheet in book.worksheets)
    inn = {name: client.inn for name, client in keys_and_candidates.items()}
    # the share of all clients' potential: 10,000
    assert keys == [
        (*HEADERS, "Reasons", "Warnings"),
        (
            "Key Gold",
            inn["Key Gold"],
            "Gold",
            "A",
            4000,
            40,
            "Premier league",
            "Anna Smirnova",
            "Potential sales volume or profitability; Strategic importance",
            "Also carries 2 small clients.",  # Big Silver and Bronze, small by default
        ),
    ]
    assert candidates == [
        (*HEADERS, "Marked as"),
        (
            "'=Flagged",
            inn["=Flagged"],
            "Silver",
            None,
            1000,
            10,
            "First league",
            "Oleg Petrov",
            "Image client: known, opens doors",
        ),
        ("Big Silver", inn["Big Silver"], "Silver", "C", 3000, 30, None, "Anna Smirnova", None),
        ("Promoted", inn["Promoted"], "Gold", None, 1500, 15, None, "nobody", None),
    ]
    assert [row.client.name for row in as_director.get(CANDIDATES_URL).context["page"].rows] == [
        row[0].lstrip("'") for row in candidates[1:]
    ]
    sheet = book.worksheets[1]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:I4")


def test_the_headers_follow_the_language(keys_and_candidates, as_director, policy):
    as_director.cookies["django_language"] = "ru"

    book = book_of(as_director.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="ru"))

    assert book.sheetnames == ["Ключевые клиенты", "Кандидаты"]
    assert rows_of(book.worksheets[1])[0] == (
        "Клиент",
        "ИНН",
        "Уровень",
        "Категория",
        "Потенциал",
        "Доля потенциала",
        "Лига",
        "Ответственный менеджер",
        "Отмечено",
    )


def test_the_pages_manager_filter_applies_to_the_candidates(
    keys_and_candidates, as_director, outsider, policy
):
    book = book_of(as_director.get(f"{EXPORT_URL}?manager={outsider.pk}"))

    assert [row[0] for row in rows_of(book.worksheets[1])[1:]] == ["'=Flagged"]
    assert [row[0] for row in rows_of(book.worksheets[0])[1:]] == ["Key Gold"]  # as on the page


def test_the_excel_button_carries_the_filter(keys_and_candidates, as_director, outsider, policy):
    html = as_director.get(f"{CANDIDATES_URL}?manager={outsider.pk}").content.decode()

    assert f'href="{EXPORT_URL}?manager={outsider.pk}"' in html


# Access --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(EXPORT_URL)["Location"] == f"{reverse('login')}?next={EXPORT_URL}"


@pytest.mark.parametrize("persona", ["as_manager", "as_outsider"])
def test_a_manager_may_not_export(persona, request, keys_and_candidates, policy):
    assert request.getfixturevalue(persona).get(EXPORT_URL).status_code == 403


def test_an_admin_may_export(keys_and_candidates, as_admin, policy):
    assert book_of(as_admin.get(EXPORT_URL)).sheetnames == ["Key clients", "Candidates"]


def test_wrong_method_is_405(as_director):
    assert as_director.post(EXPORT_URL).status_code == 405


# Queries -------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_rows(director, signed_in, policy, assert_queries):
    # the session with the user, their roles, permissions and unread badge, the policy with the
    # total potential (no run kept it: then the count), the key clients (with a potential, then
    # without), their managers' kept loads, the candidates; the first export after a change counts
    # the loads again and keeps them (two more)
    queries = 7
    browser = signed_in(director)

    def fill(count):
        for _n in range(count):
            owner = ManagerFactory()
            key = ClientFactory(responsible_manager=owner)
            ClientSegment.objects.create(client=key, tier="gold", potential=Decimal(10))
            KeyStatus.objects.create(client=key, is_key=True, reasons=["strategic"])
            candidate = ClientFactory(responsible_manager=owner)
            ClientSegment.objects.create(client=candidate, tier="silver", potential=Decimal(5))

    fill(1)
    assert_queries(queries + 2, lambda: browser.get(EXPORT_URL))
    book = book_of(assert_queries(queries, lambda: browser.get(EXPORT_URL)))
    assert [len(rows_of(sheet)) for sheet in book.worksheets] == [2, 2]
    fill(249)  # beyond the page's 50 key clients and 50 candidates
    assert_queries(queries + 2, lambda: browser.get(EXPORT_URL))

    book = book_of(assert_queries(queries, lambda: browser.get(EXPORT_URL)))

    assert [len(rows_of(sheet)) for sheet in book.worksheets] == [251, 251]
