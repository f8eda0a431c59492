"""The assignment board (DOMAIN §9, §4) on a hand-made department: each manager's load against the
policy's capacities and what it breaks, the department's total, a manager who left apart, the
clients nobody is responsible for by potential; the lists' "nobody" filter; access; queries."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Client
from segmentation.models import ClientSegment, KeyStatus, Policy, SizeClass, Tier, TierOverride
from segmentation.workload.selectors import Load
from tests.factories import ClientFactory, DirectorFactory, ManagerFactory, PointFactory
from tests.segmentation.conftest import CANDIDATES_URL

BOARD_URL = reverse("segmentation:workload")
LIST_URL = reverse("accounts:client_list")
SIZES = [SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE, SizeClass.LARGEST]


def portfolio(manager, *, small=0, medium=0, large=0, largest=0, keys=0, status=Client.Status.ACTIVE):
    """Clients of `manager` by size class, the first `keys` of them key clients."""
    made = []
    for size, count in zip(SIZES, [small, medium, large, largest], strict=True):
        for n in range(count):
            client = ClientFactory(name=f"{manager} {size} {n}", responsible_manager=manager, status=status)
            ClientSegment.objects.create(client=client, size_class=size)
            made.append(client)
    for client in made[-keys:] if keys else []:
        KeyStatus.objects.create(client=client, is_key=True)
    return made


def unassigned(name, *, potential=None, tier=Tier.BRONZE, size=SizeClass.SMALL, status=Client.Status.ACTIVE):
    client = ClientFactory(name=name, responsible_manager=None, status=status)
    ClientSegment.objects.create(client=client, potential=potential, tier=tier, size_class=size, category="C")
    return client


@pytest.fixture
def department(db, director):
    """Anna over capacity, Vera at 88% with four key clients, Boris a KAM with small clients,
    Gleb with nothing, the director holding one large client; Oleg has left with three clients;
    Lev has left holding only an inactive one; four active clients nobody is responsible for."""
    people = {
        "anna": ManagerFactory(username="anna", first_name="Anna", last_name="Antonova"),
        "vera": ManagerFactory(username="vera", first_name="Vera", last_name="Vasilyeva"),
        "boris": ManagerFactory(username="boris", first_name="Boris", last_name="Borisov"),
        "gleb": ManagerFactory(username="gleb", first_name="Gleb", last_name="Glebov"),
        "oleg": ManagerFactory(username="oleg", first_name="Oleg", last_name="Olegov", is_active=False),
        "lev": ManagerFactory(username="lev", first_name="Lev", last_name="Lvov", is_active=False),
        "director": director,
    }
    portfolio(people["anna"], small=25, medium=10, large=2, largest=1)  # 25/100+10/40+2/10+1/3 = 103.3%
    portfolio(people["anna"], largest=5, status=Client.Status.INACTIVE)  # weighs nothing
    portfolio(people["vera"], medium=35, keys=4)  # 87.5%
    portfolio(people["boris"], small=5, largest=2, keys=2)  # 5/100 + 2/3 = 71.7%
    portfolio(people["director"], large=1)  # 10%
    portfolio(people["oleg"], small=1, medium=2, keys=1)
    portfolio(people["lev"], large=1, status=Client.Status.INACTIVE)
    nobodys = {
        "Small Fry": unassigned("Small Fry", potential=Decimal(500_000)),
        "Big Fish": unassigned(
            "Big Fish", potential=Decimal(60_000_000), tier=Tier.GOLD, size=SizeClass.LARGEST
        ),
        "Unknown": unassigned("Unknown"),
        "Prospect": unassigned("Prospect", potential=Decimal(5_000_000), status=Client.Status.PROSPECT),
        "Gone": unassigned("Gone", potential=Decimal(90_000_000), status=Client.Status.INACTIVE),
    }
    TierOverride.objects.create(client=nobodys["Small Fry"], tier=Tier.SILVER, reason="Image client")
    PointFactory(
        client=nobodys["Big Fish"], is_head_office=True, country="RU", region="RU-SVE", city="Yekaterinburg"
    )
    return people | nobodys


def manager_rows(response):
    return [
        (
            str(row.manager),
            row.percent,
            row.level,
            [(cell.count, cell.capacity) for cell in row.sizes],
            row.load.keys,
            row.keys_over,
            row.warnings,
        )
        for row in response.context["board"].managers
    ]


EXPECTED_ROWS = [
    (
        "Anna Antonova",
        103,
        "over",
        [(25, 100), (10, 40), (2, 10), (1, 3)],
        0,
        False,
        ["Over capacity: 103% of a full load."],
    ),
    (
        "Vera Vasilyeva",
        88,
        "high",
        [(0, 100), (35, 40), (0, 10), (0, 3)],
        4,
        True,
        ["Holds 4 key clients, more than 3."],
    ),
    (
        "Boris Borisov",
        72,
        "ok",
        [(5, 100), (0, 40), (0, 10), (2, 3)],
        2,
        False,
        ["Also carries 5 small clients."],
    ),
    ("Dmitry Volkov", 10, "ok", [(0, 100), (0, 40), (1, 10), (0, 3)], 0, False, []),
    ("Gleb Glebov", 0, "ok", [(0, 100), (0, 40), (0, 10), (0, 3)], 0, False, []),
]


def test_every_manager_heaviest_load_first_with_sizes_keys_and_warnings(department, as_director):
    response = as_director.get(BOARD_URL)

    assert response.status_code == 200
    assert manager_rows(response) == EXPECTED_ROWS
    html = response.content.decode()
    anna = row_html(html, department["anna"])
    assert '<progress class="load-bar load-over align-middle" max="100" value="100"' in anna
    assert "103%" in anna
    assert '<td class="text-end text-nowrap" data-size="small">25 / 100</td>' in anna
    assert "⚠ Over capacity: 103% of a full load." in anna
    assert f'href="{LIST_URL}?manager={department["anna"].pk}">Anna Antonova</a>' in anna
    leave = reverse("segmentation:manager_leave", args=[department["anna"].pk])
    assert f'href="{leave}">Hand over all clients</a>' in anna
    vera = row_html(html, department["vera"])
    assert 'class="load-bar load-high align-middle" max="100" value="88"' in vera
    assert '<span class="badge text-bg-danger">4</span>' in vera
    assert "Key clients (1–3)" in html


def test_the_department_total_is_every_client_against_all_capacity_and_the_average_load(
    department, as_director
):
    total = as_director.get(BOARD_URL).context["board"].total

    # (31/30 + 7/8 + 43/60 + 1/10 + 0) / 5 = 109/200
    assert (total.percent, total.level) == (55, "ok")
    assert [(cell.count, cell.capacity) for cell in total.sizes] == [(30, 500), (45, 200), (3, 50), (3, 15)]
    assert total.load == Load(small=30, medium=45, large=3, largest=3, keys=6)
    html = as_director.get(BOARD_URL).content.decode()
    assert "Department (5 managers), average load" in html


def test_sorted_by_name_on_request(department, as_director):
    response = as_director.get(BOARD_URL, {"sort": "name"})

    names = [name for name, *_ in manager_rows(response)]
    assert names == ["Anna Antonova", "Boris Borisov", "Gleb Glebov", "Vera Vasilyeva", "Dmitry Volkov"]
    assert response.context["sort"] == "name"


@pytest.mark.parametrize(
    "query", [{"sort": "bogus"}, {"sort": "x" * 5000}, {"after": "garbage"}, {"after": "x" * 401}]
)
def test_a_query_not_understood_shows_the_board_as_by_default(query, department, as_director):
    response = as_director.get(BOARD_URL, query)

    assert response.status_code == 200
    assert manager_rows(response) == EXPECTED_ROWS
    assert [c.name for c in response.context["page"].rows] == ["Big Fish", "Prospect", "Small Fry", "Unknown"]


def test_a_manager_who_left_is_listed_apart_with_a_warning(department, as_director):
    response = as_director.get(BOARD_URL)

    departed = response.context["board"].departed
    assert [(str(row.manager), row.load) for row in departed] == [
        ("Oleg Olegov", Load(small=1, medium=2, keys=1))
    ]
    html = response.content.decode()
    assert "These people can no longer sign in: their active clients need a new responsible manager." in html
    oleg = row_html(html, department["oleg"])
    assert f'href="{LIST_URL}?manager={department["oleg"].pk}">Oleg Olegov</a>' in oleg
    assert '<td class="text-end text-danger fw-semibold">3</td>' in oleg
    leave = reverse("segmentation:manager_leave", args=[department["oleg"].pk])
    assert f'href="{leave}">Hand over all clients</a>' in oleg
    assert "Lev" not in html  # left holding no active client


def test_no_manager_who_left_no_section(db, manager, as_director):
    portfolio(manager, small=1)

    html = as_director.get(BOARD_URL).content.decode()

    assert "Inactive managers still holding clients" not in html
    assert "Every active client has a responsible manager." in html
    assert '<span class="badge text-bg-success" id="unassigned-count">0</span>' in html


def test_clients_nobody_is_responsible_for_by_potential(department, as_director):
    response = as_director.get(BOARD_URL)

    rows = response.context["page"].rows
    assert [(c.name, c.tier_now, c.segment.size_class) for c in rows] == [
        ("Big Fish", "gold", "largest"),
        ("Prospect", "bronze", "small"),
        ("Small Fry", "silver", "small"),  # the director's override
        ("Unknown", "bronze", "small"),  # no estimate: last
    ]
    assert response.context["board"].unassigned == Load(small=3, largest=1)
    html = response.content.decode()
    assert '<span class="badge text-bg-danger" id="unassigned-count">4</span>' in html
    big = row_html(html, department["Big Fish"], attribute="data-client")
    pk = department["Big Fish"].pk
    assert f'type="checkbox" name="client" value="{pk}" form="unassigned-move"' in big
    assert "60,000,000" in big
    assert "Yekaterinburg" in big
    category = '<td><span class="badge text-bg-info">C</span></td>'
    assert category + '<td><span class="badge text-bg-warning">Gold</span></td>' in big
    unknown = row_html(html, department["Unknown"], attribute="data-client")
    assert '<td class="text-end"><span class="text-muted">not analysed</span></td>' in unknown
    move = reverse("segmentation:reassign")
    assert f'<form method="get" action="{move}" id="unassigned-move"' in html
    assert f'href="{LIST_URL}?manager=null">Open them in the client list</a>' in html


def test_the_unassigned_clients_page_by_keyset(db, director, as_director):
    made = [unassigned(f"Client {n:02d}", potential=Decimal(1000 - n)) for n in range(55)]

    first = as_director.get(BOARD_URL)
    second = as_director.get(BOARD_URL, {"after": first.context["page"].next_cursor})

    assert [c.name for c in first.context["page"].rows] == [c.name for c in made[:50]]
    assert [c.name for c in second.context["page"].rows] == [c.name for c in made[50:]]
    assert '<span class="badge text-bg-danger" id="unassigned-count">55</span>' in second.content.decode()


# The lists' manager filter: nobody, and the managers who left apart ---------------------------


def test_the_client_list_filters_exactly_the_clients_nobody_is_responsible_for(department, as_director):
    response = as_director.get(LIST_URL, {"manager": "null"})

    names = [c.name for c in response.context["page"].rows]
    assert names == [
        "Big Fish",
        "Gone",
        "Prospect",
        "Small Fry",
        "Unknown",
    ]  # every status, as the list shows
    assert '<option value="null" selected>Nobody responsible</option>' in response.content.decode()


def test_the_filter_lists_the_managers_who_left_apart_and_filters_by_them(department, as_director):
    response = as_director.get(LIST_URL, {"manager": department["oleg"].pk})

    assert sorted(c.name for c in response.context["page"].rows) == [
        "Oleg Olegov medium 0",
        "Oleg Olegov medium 1",
        "Oleg Olegov small 0",
    ]
    html = response.content.decode()
    select = html[
        html.index('<select name="manager"') : html.index("</select>", html.index('<select name="manager"'))
    ]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    pk = {name: str(user.pk) for name, user in department.items() if hasattr(user, "is_active")}
    assert options == [
        ("", "Anyone"),
        ("null", "Nobody responsible"),
        (pk["anna"], "Anna Antonova"),
        (pk["boris"], "Boris Borisov"),
        (pk["gleb"], "Gleb Glebov"),
        (pk["vera"], "Vera Vasilyeva"),
        (pk["director"], "Dmitry Volkov"),  # responsible for a client
        (pk["lev"], "Lev Lvov"),
        (pk["oleg"], "Oleg Olegov"),
    ]
    assert select.index('<optgroup label="No longer active">') < select.index(f'value="{pk["lev"]}"')
    assert select.index('<optgroup label="No longer active">') > select.index(f'value="{pk["director"]}"')


def test_a_director_with_no_client_is_no_choice(db, as_director, manager):
    other = DirectorFactory(username="other-director")

    html = as_director.get(LIST_URL).content.decode()

    select = html[
        html.index('<select name="manager"') : html.index("</select>", html.index('<select name="manager"'))
    ]
    assert f'<option value="{manager.pk}">' in select
    assert f'<option value="{other.pk}">' not in select
    assert "No longer active" not in select


def test_the_key_candidates_filter_by_nobody_too(department, as_director, manager):
    taken = ClientFactory(name="Taken Gold", responsible_manager=manager)
    ClientSegment.objects.create(client=taken, tier=Tier.GOLD, potential=Decimal(70_000_000))

    response = as_director.get(CANDIDATES_URL, {"manager": "null"})

    assert [row.client.name for row in response.context["page"].rows] == ["Big Fish", "Small Fry"]
    assert [row.client.name for row in as_director.get(CANDIDATES_URL).context["page"].rows] == [
        "Taken Gold",
        "Big Fish",
        "Small Fry",
    ]


# Access and queries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        (None, "get", 302),
        ("manager", "get", 403),
        ("manager", "post", 403),
        ("director", "post", 405),
        ("admin_user", "put", 405),
        ("director", "get", 200),
        ("admin_user", "get", 200),
    ],
)
def test_access(who, method, status, request, browser_for):
    user = request.getfixturevalue(who) if who else None
    response = getattr(browser_for(user), method)(BOARD_URL)

    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("login"))


def test_query_count_is_the_same_for_1_and_20_managers_and_1_and_50_unassigned_clients(
    db, director, browser_for, assert_queries
):
    # the session with the user, their groups (menu) and unread notifications, policy, the kept loads,
    # the people, a page of unassigned clients; the loads counted again (and kept) after a change:
    # two more
    queries = 5
    Policy.current()
    browser = browser_for(director)
    portfolio(ManagerFactory(), small=1, keys=1)
    unassigned("Alone")
    assert_queries(queries + 2, lambda: browser.get(BOARD_URL))
    response = assert_queries(queries, lambda: browser.get(BOARD_URL))
    assert (table_rows(response, "workload-table"), len(response.context["page"].rows)) == (1, 1)
    for n in range(19):
        portfolio(ManagerFactory(), small=n, medium=1, large=n % 3, keys=n % 2)
    portfolio(ManagerFactory(is_active=False), small=2)
    for n in range(49):
        PointFactory(client=unassigned(f"More {n}", potential=Decimal(n)), is_head_office=True)

    assert_queries(queries + 2, lambda: browser.get(BOARD_URL))
    response = assert_queries(queries, lambda: browser.get(BOARD_URL))

    assert (table_rows(response, "workload-table"), len(response.context["page"].rows)) == (20, 50)
    assert table_rows(response, "workload-departed-table") == 1


def table_rows(response, table_id):
    """The rows of a manager each in the table `table_id` (the board's part is kept drawn: the
    page's context does not hold it when it was)."""
    html = response.content.decode()
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)].count("<tr data-manager=")


def row_html(html, obj, *, attribute="data-manager"):
    start = html.index(f'<tr {attribute}="{obj.pk}">')
    return html[start : html.index("</tr>", start)]


# Excel -------------------------------------------------------------------------------------------

EXPORT_URL = reverse("segmentation:workload_export")


def sheets_of(response):
    """Every sheet's rows (the streamed file can be read once)."""
    book = load_workbook(BytesIO(response.getvalue()))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }


def test_the_board_exports_its_three_tables_with_every_unassigned_client(department, as_director):
    response = as_director.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = sheets_of(response)
    assert list(sheets) == ["Managers", "Managers who left", "Nobody responsible"]
    managers = sheets["Managers"]
    assert managers[0] == [
        "Manager",
        "Load, %",
        "Small / 100",
        "Medium / 40",
        "Large / 10",
        "Very large / 3",
        "Key clients",
        "Warnings",
    ]
    assert [row[:7] for row in managers[1:]] == [
        [name, percent, *(count for count, _capacity in sizes), keys]
        for name, percent, _level, sizes, keys, _over, _warnings in EXPECTED_ROWS
    ]
    assert managers[1][7] == "Over capacity: 103% of a full load."
    assert sheets["Managers who left"][1:] == [["Oleg Olegov", 3, 1, 2, 0, 0, 1]]
    assert [row[0] for row in sheets["Nobody responsible"][1:]] == [
        "Big Fish",
        "Prospect",
        "Small Fry",
        "Unknown",
    ]


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [(None, "get", 302), ("manager", "get", 403), ("director", "post", 405), ("admin_user", "get", 200)],
)
def test_export_access(who, method, status, request, browser_for):
    user = request.getfixturevalue(who) if who else None

    assert getattr(browser_for(user), method)(EXPORT_URL).status_code == status
