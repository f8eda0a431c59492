"""The client list to Excel: exactly the rows the list shows with its filters and sort, every
page, the user's columns as plain values, only the clients the user may see, a constant
number of queries."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Client, ClientListColumns
from kam.money import currency
from segmentation.models import ClientSegment, DRoute, DRouteBatch, DRouteKind, KeyStatus, TierOverride
from tests.accounts.conftest import valid_inn
from tests.factories import (
    ClientFactory,
    IndustryFactory,
    ManagerFactory,
    PointFactory,
    TeamMemberFactory,
    TouchFactory,
)

EXPORT_URL = reverse("accounts:client_export")
LIST_URL = reverse("accounts:client_list")


def sheet_of(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.getvalue())).worksheets[0]


def rows_of(response):
    return list(sheet_of(response).iter_rows(values_only=True))


def headers_en():
    money = currency()
    return [
        "Client",
        "Head office",
        "Responsible manager",
        "Category",
        "Tier",
        "Key",
        f"Potential, {money}",
        f"Revenue, {money}",
        "Share of wallet",
        "Purchases",
        "Last touch",
        "Next step",
    ]


@pytest.fixture
def base(manager, outsider):
    """Anna's two clients (one a gold key client with a touch and a next step, one a prospect),
    a client of Oleg's she is on the team of, and one of Oleg's alone."""
    steel = IndustryFactory(name="Steel")
    delta = ClientFactory(name="Delta Foods", inn=valid_inn("540100000"), responsible_manager=manager)
    ClientSegment.objects.create(
        client=delta,
        tier="gold",
        category="A",
        potential=Decimal("5000000.00"),
        revenue=Decimal("1250000.50"),
        wallet_share=Decimal("25.00"),
        lost_status="active",
    )
    KeyStatus.objects.create(client=delta, is_key=True, reasons=["potential"])
    PointFactory(client=delta, country="RU", region="RU-SPE", city="Saint Petersburg", is_head_office=True)
    TouchFactory(
        client=delta, date=date(2026, 3, 2), next_step="=Call back", next_step_date=date(2026, 3, 20)
    )
    alpha = ClientFactory(
        name="Alpha Mills",
        inn=valid_inn("541200000"),
        industry=steel,
        responsible_manager=manager,
        status=Client.Status.PROSPECT,
    )
    ClientSegment.objects.create(client=alpha, tier="bronze", category="D")
    TierOverride.objects.create(client=alpha, tier="silver", reason="Opens doors")
    charlie = ClientFactory(name="Charlie Oil", inn=valid_inn("770100000"), responsible_manager=outsider)
    TeamMemberFactory(client=charlie, user=manager)
    ClientFactory(name="Bravo Gas", inn=valid_inn("780100000"), responsible_manager=outsider)
    return {"delta": delta, "alpha": alpha, "charlie": charlie}


def test_a_managers_export_has_their_clients_with_every_default_column_as_plain_values(base, as_manager):
    response = as_manager.get(EXPORT_URL)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="My clients ')
    sheet = sheet_of(response)
    assert list(sheet.iter_rows(values_only=True)) == [
        tuple(headers_en()),
        ("Alpha Mills", None, "Anna Smirnova", "D", "Silver", None, None, 0, None, None, None, None),
        (
            "Charlie Oil",
            None,
            "Oleg Petrov",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "Delta Foods",
            "Saint Petersburg",
            "Anna Smirnova",
            "A",
            "Gold",
            "key",
            5000000,
            1250000.5,
            25,
            "Active",
            datetime(2026, 3, 2),
            "20 Mar 2026 =Call back",
        ),
    ]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:L4")
    assert sheet["G4"].number_format == "#,##0.00"
    assert sheet["K4"].is_date


def test_the_director_exports_every_client_under_the_client_base_name(base, as_director):
    response = as_director.get(EXPORT_URL)

    assert response["Content-Disposition"].startswith('attachment; filename="Client base ')
    assert [row[0] for row in rows_of(response)[1:]] == [
        "Alpha Mills",
        "Bravo Gas",
        "Charlie Oil",
        "Delta Foods",
    ]


def test_another_managers_client_is_absent(base, as_outsider):
    assert [row[0] for row in rows_of(as_outsider.get(EXPORT_URL))[1:]] == ["Bravo Gas", "Charlie Oil"]


def test_the_headers_follow_the_language(base, as_manager):
    as_manager.cookies["django_language"] = "ru"

    headers = rows_of(as_manager.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="ru"))[0]

    assert headers == (
        "Клиент",
        "Головной офис",
        "Ответственный менеджер",
        "Категория",
        "Уровень",
        "Ключевой",
        f"Потенциал, {currency()}",
        f"Выручка, {currency()}",
        "Наша доля",
        "Закупки",
        "Последнее касание",
        "Следующий шаг",
    )


def test_the_cells_labels_follow_the_language(base, manager, as_manager):
    ClientListColumns.objects.create(user=manager, columns=["tier", "purchases", "status", "d_route"])
    routing = DRouteBatch.objects.create(
        route=DRouteKind.PARTNER, clients=1, applied_by=manager, applied_at=timezone.now()
    )
    DRoute.objects.create(client=base["alpha"], route=DRouteKind.PARTNER, partner="Sibtrade", batch=routing)
    as_manager.cookies["django_language"] = "ru"

    rows = rows_of(as_manager.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="ru"))

    assert rows[1:] == [
        ("Alpha Mills", "Серебряный", None, "Переданы партнёру: Sibtrade", "Потенциальный"),
        ("Charlie Oil", None, None, None, "Активный"),
        ("Delta Foods", "Золотой", "Активный", None, "Активный"),
    ]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=prospect", ["Alpha Mills"]),
        ("q=oil", ["Charlie Oil"]),
        ("category=A", ["Delta Foods"]),
        ("key=yes", ["Delta Foods"]),
        ("sort=-name", ["Delta Foods", "Charlie Oil", "Alpha Mills"]),
        ("sort=-potential", ["Delta Foods", "Charlie Oil", "Alpha Mills"]),  # no potential: by -pk
        ("status=nonsense", ["Alpha Mills", "Charlie Oil", "Delta Foods"]),  # ignored, as the list does
    ],
)
def test_the_lists_filters_and_sort_apply(query, names, base, as_manager):
    response = as_manager.get(f"{EXPORT_URL}?{query}")

    assert [row[0] for row in rows_of(response)[1:]] == names
    assert [row.name for row in as_manager.get(f"{LIST_URL}?{query}").context["page"].rows] == names


def test_the_page_cursor_is_ignored_and_every_page_exported(manager, as_manager):
    ClientFactory.create_batch(60, responsible_manager=manager)
    cursor = as_manager.get(LIST_URL).context["page"].next_cursor

    rows = rows_of(as_manager.get(f"{EXPORT_URL}?after={cursor}"))

    assert len(rows) == 61


def test_the_users_own_columns_are_exported_in_the_lists_order(base, manager, as_manager):
    ClientListColumns.objects.create(user=manager, columns=["updated", "status", "inn", "industry"])
    Client.objects.filter(pk=base["alpha"].pk).update(kpp="541201001")

    rows = rows_of(as_manager.get(f"{EXPORT_URL}?status=prospect"))

    assert rows[0] == ("Client", "INN/KPP", "Industry", "Status", "Updated")
    assert rows[1][:4] == ("Alpha Mills", f"{base['alpha'].inn}/541201001", "Steel", "Prospect")
    assert isinstance(rows[1][4], datetime)


def test_formula_like_names_are_text_with_an_apostrophe(manager, as_manager):
    for name in ["=1+1", "+7", "-3", "@x"]:
        ClientFactory(name=name, responsible_manager=manager)

    assert sorted(row[0] for row in rows_of(as_manager.get(EXPORT_URL))[1:]) == ["'+7", "'-3", "'=1+1", "'@x"]


def test_the_excel_button_carries_the_lists_filters_and_sort(base, as_manager):
    html = as_manager.get(f"{LIST_URL}?status=active&sort=-name").content.decode()

    assert f'href="{EXPORT_URL}?status=active&amp;sort=-name"' in html
    assert ">Excel</a>" in html


# Access --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={EXPORT_URL}"


def test_an_outsider_gets_no_client_of_another_manager(base, browser_for):
    stranger = ManagerFactory()

    assert rows_of(browser_for(stranger).get(EXPORT_URL)) == [tuple(headers_en())]


def test_the_manager_filter_of_a_manager_is_ignored_not_obeyed(base, as_manager, outsider):
    rows = rows_of(as_manager.get(f"{EXPORT_URL}?manager={outsider.pk}"))

    assert [row[0] for row in rows[1:]] == ["Alpha Mills", "Charlie Oil", "Delta Foods"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_405(method, as_manager):
    assert getattr(as_manager, method)(EXPORT_URL).status_code == 405


# Queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["director", "manager"])
def test_the_query_count_does_not_grow_with_rows(persona, request, browser_for, assert_queries):
    # the session with the user, their roles, permissions, unread badge and columns, the region
    # choices, and the rows in one query (every column's relations joined)
    user = request.getfixturevalue(persona)
    browser = browser_for(user)
    queries = 3

    def fill(count):
        for _n in range(count):
            client = ClientFactory(responsible_manager=ManagerFactory() if persona == "director" else user)
            ClientSegment.objects.create(client=client, tier="gold")
            PointFactory(client=client, is_head_office=True)
            TouchFactory(client=client, next_step="Call")
            TeamMemberFactory(client=client)

    fill(1)
    assert len(rows_of(assert_queries(queries, lambda: browser.get(EXPORT_URL)))) == 2
    fill(49)
    assert len(rows_of(assert_queries(queries, lambda: browser.get(EXPORT_URL)))) == 51
