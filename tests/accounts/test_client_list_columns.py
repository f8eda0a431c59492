"""The client list's own columns (last touch, next step), sorting by them, and the columns a
user picks, remembered for that user."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import extensions, selectors
from accounts.models import ClientListColumns
from segmentation.models import ClientSegment, DRoute, DRouteBatch, DRouteKind, KeyStatus, TierOverride
from tests.factories import ClientFactory, IndustryFactory, PointFactory, TouchFactory
from tests.helpers import messages_of

LIST_URL = reverse("accounts:client_list")
COLUMNS_URL = reverse("accounts:client_list_columns")
DEFAULT = [
    "head_office",
    "manager",
    "category",
    "tier",
    "key",
    "potential",
    "revenue",
    "wallet",
    "purchases",
    "last_touch",
    "next_step",
]


def names(response) -> list[str]:
    return [client.name for client in response.context["page"].rows]


def shown(response) -> list[str]:
    return [column.name for column in response.context["columns"]]


@pytest.fixture
def touched(manager):
    """Four clients: touched long ago with an overdue step, lately with a step to come, lately
    without a step, and never."""
    today = timezone.localdate()
    days = datetime.timedelta
    old, recent, quiet, _never = (
        ClientFactory(name=name, responsible_manager=manager) for name in ("Old", "Recent", "Quiet", "Never")
    )
    TouchFactory(
        client=old, date=today - days(40), next_step="Send the offer", next_step_date=today - days(5)
    )
    TouchFactory(client=recent, date=today - days(60), next_step="Old plan", next_step_date=today - days(50))
    TouchFactory(
        client=recent, date=today - days(2), next_step="Visit the plant", next_step_date=today + days(7)
    )
    TouchFactory(client=quiet, date=today - days(1))
    return today


def test_the_row_shows_the_last_touch_and_the_next_step_of_the_latest_touch_that_set_one(touched, as_manager):
    response = as_manager.get(LIST_URL)

    rows = {c.name: (c.last_touch_on, c.next_step, c.next_step_due) for c in response.context["page"].rows}
    day = datetime.timedelta
    assert rows == {
        "Never": (None, "", None),
        "Old": (touched - day(40), "Send the offer", touched - day(5)),
        "Quiet": (touched - day(1), "", None),
        "Recent": (touched - day(2), "Visit the plant", touched + day(7)),
    }
    html = response.content.decode()
    assert html.count('<span class="badge text-bg-danger" title="Overdue">') == 1
    assert '<span class="text-muted">never</span>' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("last_touch", ["Never", "Old", "Recent", "Quiet"]),
        ("-last_touch", ["Quiet", "Recent", "Old", "Never"]),
        ("next_step", ["Old", "Recent", "Quiet", "Never"]),  # no step: last, by creation
        ("-next_step", ["Never", "Quiet", "Recent", "Old"]),
    ],
)
def test_the_list_sorts_by_the_last_touch_and_the_next_step(touched, as_manager, sort, expected):
    assert names(as_manager.get(LIST_URL, {"sort": sort})) == expected


def test_a_column_sorts_the_list_even_when_it_is_not_shown(touched, manager, as_manager):
    ClientListColumns.objects.create(user=manager, columns=["manager"])

    response = as_manager.get(LIST_URL, {"sort": "-last_touch"})

    assert shown(response) == ["manager"]
    assert names(response) == ["Quiet", "Recent", "Old", "Never"]


def test_headers_sort_ascending_first_or_descending_first_and_then_the_other_way(touched, as_manager):
    html = as_manager.get(LIST_URL).content.decode()
    again = as_manager.get(LIST_URL, {"sort": "-potential"}).content.decode()

    assert '<a href="?sort=last_touch">Last touch</a>' in html
    assert '<a href="?sort=-potential">Potential, RUB</a>' in html
    assert '<a href="?sort=potential">Potential, RUB ↓</a>' in again


def test_a_new_user_sees_the_default_columns(as_manager):
    assert shown(as_manager.get(LIST_URL)) == DEFAULT


def test_the_columns_a_user_picks_are_remembered_for_that_user_only(manager, director, browser_for):
    mine, theirs = browser_for(manager), browser_for(director)

    response = mine.post(
        COLUMNS_URL, {"columns": ["status", "inn", "potential"], "next": "/clients/?sort=-name"}
    )

    assert response.status_code == 302
    assert response.url == "/clients/?sort=-name"
    assert ClientListColumns.objects.get(user=manager).columns == ["status", "inn", "potential"]
    assert shown(mine.get(LIST_URL)) == ["inn", "potential", "status"]
    assert shown(theirs.get(LIST_URL)) == DEFAULT
    assert messages_of(response) == ["The list shows the columns you picked."]


def test_an_unknown_column_changes_nothing_and_says_so(manager, as_manager):
    ClientListColumns.objects.create(user=manager, columns=["manager"])

    response = as_manager.post(COLUMNS_URL, {"columns": ["manager", "salary"]})

    assert response.status_code == 302
    assert response.url == LIST_URL
    assert ClientListColumns.objects.get(user=manager).columns == ["manager"]
    assert messages_of(response) == ["Those columns are not in the list; nothing was changed."]


def test_picking_no_column_leaves_the_client_names(manager, as_manager):
    as_manager.post(COLUMNS_URL, {"next": LIST_URL})

    response = as_manager.get(LIST_URL)

    assert shown(response) == []
    assert ClientListColumns.objects.get(user=manager).columns == []


def test_the_way_back_stays_on_this_site(as_manager):
    response = as_manager.post(COLUMNS_URL, {"columns": ["inn"], "next": "https://evil.example.com/"})

    assert response.url == LIST_URL


def test_anonymous_users_are_sent_to_log_in_and_nothing_is_saved(client, db):
    response = client.post(COLUMNS_URL, {"columns": ["inn"]})

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={COLUMNS_URL}"
    assert not ClientListColumns.objects.exists()


def test_every_column_reads_only_what_it_declares(manager, director, django_assert_num_queries):
    """A page's rows read the fields the row and its columns declare (`ListColumn.reads`) and no
    other: each cell drawn from them costs no query and is the cell drawn from every field."""
    manager.first_name, manager.last_name = "Anna", "Petrova"
    manager.save()
    today = timezone.localdate()
    client = ClientFactory(
        name="Everything",
        legal_name="Everything LLC",
        inn="7701234567",
        kpp="770101001",
        industry=IndustryFactory(name="Steel"),
        responsible_manager=manager,
        status="active",
        last_touch_on=today,
        next_step="Call back",
        next_step_due=today + datetime.timedelta(days=3),
    )
    PointFactory(client=client, is_head_office=True, city="Kazan", region="RU-TA")
    ClientSegment.objects.create(
        client=client,
        category="A",
        tier="silver",
        potential=Decimal("1200000.00"),
        revenue=Decimal("300000.00"),
        wallet_share=Decimal("25.00"),
        lost_status="at_risk",
    )
    KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])
    TierOverride.objects.create(client=client, tier="gold", reason="Image client")
    batch = DRouteBatch.objects.create(
        route=DRouteKind.PARTNER, partner="Partner Ltd", applied_by=director, applied_at=timezone.now()
    )
    DRoute.objects.create(client=client, route=DRouteKind.PARTNER, partner="Partner Ltd", batch=batch)
    columns = extensions.list_columns()
    [row] = selectors.client_rows_by_pk(columns)([client.pk])
    full = selectors.client_rows(columns).get(pk=client.pk)

    with django_assert_num_queries(0):
        model = row.model
        cells = [str(column.cell(model)) for column in columns]
        names = (model.name, model.legal_name)

    assert cells == [str(column.cell(full)) for column in columns]
    assert names == ("Everything", "Everything LLC")
    assert len(columns) == 16
    assert "Anna Petrova" in cells[[c.name for c in columns].index("manager")]
