"""The win-back list: lost silver, gold and key clients, worst first, each with why it is lost
and its refusals; directors see all, managers theirs; constant queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from segmentation.models import ClientSegment, KeyStatus, TierOverride
from tests.factories import ClientFactory, RefusalFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db
URL = reverse("plans:win_back")


def lost(name, tier, potential, manager, *, key=False, status="lost"):
    client = ClientFactory(name=name, responsible_manager=manager)
    ClientSegment.objects.create(
        client=client,
        tier=tier,
        potential=Decimal(potential),
        lost_status=status,
        last_purchase=date.today() - timedelta(days=200),
        usual_interval=Decimal(30),
    )
    if key:
        KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])
    return client


@pytest.fixture
def base(manager, outsider):
    clients = {
        "silver": lost("Silver Big", "silver", 900, manager),
        "gold": lost("Gold Small", "gold", 100, manager),
        "key": lost("Key Bronze", "bronze", 10, outsider, key=True),
        "gold2": lost("Gold Big", "gold", 500, outsider),
        "bronze": lost("Plain Bronze", "bronze", 9999, manager),
        "at_risk": lost("Gold At Risk", "gold", 999, manager, status="at_risk"),
        "overridden": lost("Overridden", "bronze", 50, manager),
    }
    TierOverride.objects.create(client=clients["overridden"], tier="silver", reason="Image client")
    RefusalFactory(client=clients["gold"], date=date.today() - timedelta(days=10))
    RefusalFactory(client=clients["gold"], date=date.today() - timedelta(days=400))
    return clients


def names(response):
    return [row.client.name for row in response.context["rows"]]


def test_directors_see_every_lost_silver_gold_or_key_client_worst_first(base, as_director):
    response = as_director.get(URL)

    assert names(response) == ["Key Bronze", "Gold Big", "Gold Small", "Silver Big", "Overridden"]
    row = response.context["rows"][2]
    assert (row.refusals, row.is_key) == (1, False)
    assert str(row.lost) == "Lost — no purchase for 200 days; usual interval 30 days"


def test_a_manager_sees_their_own(base, as_manager):
    assert names(as_manager.get(URL)) == ["Gold Small", "Silver Big", "Overridden"]


def test_a_computed_gold_overridden_to_bronze_is_not_listed_unless_key(manager, as_manager):
    demoted = lost("Demoted", "gold", 700, manager)
    TierOverride.objects.create(client=demoted, tier="bronze", reason="Not what it seemed")
    demoted_key = lost("Demoted Key", "silver", 600, manager, key=True)
    TierOverride.objects.create(client=demoted_key, tier="bronze", reason="Not what it seemed")

    assert names(as_manager.get(URL)) == ["Demoted Key"]


@pytest.mark.parametrize(
    ("persona", "on_team", "query", "expected"),
    [
        (
            "director",
            False,
            "every",
            ["Key Bronze", "Gold Big", "Gold Small", "Silver Big", "Overridden"],
        ),
        ("manager", False, "own", ["Gold Small", "Silver Big", "Overridden"]),
        ("manager", True, "manager", ["Gold Big", "Gold Small", "Silver Big", "Overridden"]),
    ],
)
def test_the_first_page_s_keys_come_from_a_prepared_query(
    persona, on_team, query, expected, base, request, monkeypatch
):
    """Where the database merges the keys (PostgreSQL), the page the list opens on reads them by a
    query kept prepared: one for those who see every client, one of a manager's id, and one of
    the own clients of a manager on no account team."""
    from plans.winback import selectors

    user = request.getfixturevalue(persona)
    if on_team:
        TeamMemberFactory(client=base["gold2"], user=user)
    prepared, asked = getattr(selectors._FIRST, query), []

    def spied(*args):
        asked.append(args)
        return prepared(*args)

    monkeypatch.setattr(selectors._FIRST, query, spied)

    assert names(request.getfixturevalue(f"as_{persona}").get(URL)) == expected
    merged_by_database = connection.features.supports_slicing_ordering_in_compound
    assert asked == ([() if persona == "director" else (user.pk,)] if merged_by_database else [])


def test_a_client_no_longer_key_is_listed_by_its_tier(base, as_director):
    """Whether a client is key is read from its segment, which follows its key status."""
    KeyStatus.objects.filter(client=base["key"]).update(is_key=False)
    KeyStatus.objects.create(client=base["silver"], is_key=True, reasons=["potential"])

    assert names(as_director.get(URL)) == ["Silver Big", "Gold Big", "Gold Small", "Overridden"]
    KeyStatus.objects.filter(client=base["silver"]).delete()

    assert names(as_director.get(URL)) == ["Gold Big", "Gold Small", "Silver Big", "Overridden"]


def test_access(client, as_manager):
    assert as_manager.post(URL).status_code == 405
    as_manager.logout()
    assert client.get(URL).url == f"/login/?next={URL}"


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("persona", ["director", "manager"])
def test_constant_queries(persona, request, assert_queries, count):
    user, browser = request.getfixturevalue(persona), request.getfixturevalue(f"as_{persona}")
    for n in range(count):
        client = lost(f"Client {n:02d}", "gold" if n % 3 else "silver", n, user, key=n % 5 == 0)
        RefusalFactory(client=client, date=date.today())
    # the session with the user, their roles, permissions and unread notifications, the page's keys
    # (one UNION of four parts, or a query a part where the database cannot order a compound:
    # SQLite), its rows, their refusals, their win-back plans
    keys = 1 if connection.features.supports_slicing_ordering_in_compound else 4
    response = assert_queries(4 + keys, lambda: browser.get(URL))
    assert len(response.context["rows"]) == count


def test_pages_forward_and_back_merge_keys_tiers_and_overrides_in_one_order(director, as_director):
    """130 lost clients over every part of the page (key clients of each tier, computed gold and
    silver, tiers overridden up and down, ties in potential): each listed once, worst first."""
    expected = []
    tiers = ["gold", "silver", "bronze"]
    overrides = {7: "gold", 11: "silver", 13: "bronze"}
    for n in range(130):
        key, tier, override = n % 9 == 0, tiers[n % 3], overrides.get(n % 17)
        client = lost(f"Client {n:03d}", tier, 1000 - n % 40 * 10, director, key=key)
        if override:
            TierOverride.objects.create(client=client, tier=override, reason="Strategic")
        effective = override or tier
        if key or effective != "bronze":
            rank = (
                -int(key),
                -{"gold": 2, "silver": 1, "bronze": 0}[effective],
                -(1000 - n % 40 * 10),
                client.pk,
            )
            expected.append((rank, client.name))
    expected = [name for _rank, name in sorted(expected)]

    pages, after = [], ""
    while True:
        response = as_director.get(URL, {"after": after} if after else {})
        pages.append(response)
        after = response.context["page"].next_cursor
        if not after:
            break
    backward = [pages[-1]]
    while before := backward[0].context["page"].previous_cursor:
        backward.insert(0, as_director.get(URL, {"before": before}))

    assert len(expected) == 88  # 42 bronze clients neither key nor overridden up are not listed
    assert [names(page) for page in pages] == [expected[:50], expected[50:]]
    assert [names(page) for page in backward] == [names(page) for page in pages]
    keys = [row.is_key for page in pages for row in page.context["rows"]]
    assert keys == [True] * 15 + [False] * 73


def test_each_row_shows_the_state_of_its_win_back_plan(base, director, manager, as_director):
    from plans.models import PlanStep
    from plans.services import plan_create

    plan = plan_create(client=base["gold"], kind="win_back", by=director)
    first = plan.steps.order_by("position").first()
    PlanStep.objects.filter(pk=first.pk).update(done_on=date.today())

    response = as_director.get(URL)

    rows = {row.client.name: row for row in response.context["rows"]}
    assert rows["Gold Small"].plan == plan
    assert rows["Gold Small"].progress == 20
    assert rows["Silver Big"].plan is None
    assert "Active, 20% done" in response.content.decode()


def _row_html(response, client):
    html = response.content.decode()
    start = html.index(f'href="/clients/{client.pk}/"')
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_a_row_shows_its_refusals_and_plan_as_they_change(base, director, as_director):
    """The rows are kept drawn by their clients' values, refusals and plans (`kam.drawn_rows`)."""
    from plans.models import PlanStep
    from plans.services import plan_create

    gold = base["gold"]
    assert ">1</a></td>" in _row_html(as_director.get(URL), gold)
    assert "No plan yet" in _row_html(as_director.get(URL), gold)

    RefusalFactory(client=gold, date=date.today() - timedelta(days=3))
    plan = plan_create(client=gold, kind="win_back", by=director)
    row = _row_html(as_director.get(URL), gold)
    assert ">2</a></td>" in row
    assert "Active, 0% done" in row

    PlanStep.objects.filter(pk=plan.steps.order_by("position").first().pk).update(done_on=date.today())
    assert "Active, 20% done" in _row_html(as_director.get(URL), gold)
    gold.responsible_manager.last_name = "Renamed"
    gold.responsible_manager.save()
    assert "<td>Anna Renamed</td>" in _row_html(as_director.get(URL), gold)


# The win-back list to Excel ------------------------------------------------------------------

EXPORT_URL = reverse("plans:win_back_export")
HEADERS = (
    "Client",
    "Key",
    "Tier",
    "Responsible manager",
    "Why lost",
    "Last purchase",
    "Potential",
    "Refusals, 12 months",
    "Win-back plan",
)


def exported(response):
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.getvalue())).worksheets[0]
    return sheet, list(sheet.iter_rows(values_only=True))


def test_the_export_has_every_row_worst_first_with_the_plan(base, director, as_director):
    from plans.models import PlanStep
    from plans.services import plan_create

    plan = plan_create(client=base["gold"], kind="win_back", by=director)
    PlanStep.objects.filter(pk=plan.steps.order_by("position").first().pk).update(done_on=date.today())

    response = as_director.get(EXPORT_URL)

    assert response["Content-Disposition"].startswith('attachment; filename="Win-back list ')
    sheet, rows = exported(response)
    last = datetime.combine(date.today() - timedelta(days=200), datetime.min.time())
    why = "no purchase for 200 days; usual interval 30 days"
    assert rows == [
        HEADERS,
        ("Key Bronze", "yes", "Bronze", "Oleg Petrov", why, last, 10, 0, "No plan yet"),
        ("Gold Big", None, "Gold", "Oleg Petrov", why, last, 500, 0, "No plan yet"),
        ("Gold Small", None, "Gold", "Anna Smirnova", why, last, 100, 1, "Active, 20% done"),
        ("Silver Big", None, "Silver", "Anna Smirnova", why, last, 900, 0, "No plan yet"),
        ("Overridden", None, "Silver", "Anna Smirnova", why, last, 50, 0, "No plan yet"),
    ]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:I6")
    assert sheet["F2"].is_date


def test_a_managers_export_has_only_their_clients(base, as_manager):
    _sheet, rows = exported(as_manager.get(EXPORT_URL))

    assert [row[0] for row in rows[1:]] == ["Gold Small", "Silver Big", "Overridden"]


def test_the_export_headers_follow_the_language(base, as_manager):
    as_manager.cookies["django_language"] = "ru"

    _sheet, rows = exported(as_manager.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="ru"))

    assert rows[0] == (
        "Клиент",
        "Ключевой",
        "Уровень",
        "Ответственный менеджер",
        "Почему потерян",
        "Последняя покупка",
        "Потенциал",
        "Отказы за 12 месяцев",
        "План возврата",
    )
    assert rows[1][2] == "Золотой"


def test_every_page_is_exported(director, as_director):
    for n in range(55):
        lost(f"Client {n:02d}", "gold", n, director)

    _sheet, rows = exported(as_director.get(EXPORT_URL))

    assert len(rows) == 56


def test_the_page_has_the_excel_button(base, as_manager):
    assert f'href="{EXPORT_URL}"' in as_manager.get(URL).content.decode()


def test_export_access(client, base, as_outsider):
    _sheet, rows = exported(as_outsider.get(EXPORT_URL))
    assert [row[0] for row in rows[1:]] == ["Key Bronze", "Gold Big"]  # Oleg's own, none of Anna's
    assert as_outsider.post(EXPORT_URL).status_code == 405
    as_outsider.logout()
    assert client.get(EXPORT_URL).url == f"/login/?next={EXPORT_URL}"


@pytest.mark.parametrize("count", [1, 50])
def test_export_constant_queries(director, as_director, assert_queries, count):
    for n in range(count):
        client = lost(f"Client {n:02d}", "gold", n, director)
        RefusalFactory(client=client, date=date.today())
    # the session with the user, their roles, permissions and unread badge, the tier overrides, the
    # rows, their refusals and win-back plans (one query each a 2,000 rows)
    _sheet, rows = exported(assert_queries(5, lambda: as_director.get(EXPORT_URL)))
    assert len(rows) == count + 1


@pytest.mark.parametrize(
    ("language", "closed", "active"),
    [
        ("en", "Closed 5 Mar 2026: Won back", "Active, 40% done"),
        ("ru", "Закрыт 05.03.2026: Клиент возвращён", "Идёт, выполнено 40%"),
    ],
)
def test_the_plan_cell_words_an_active_and_a_closed_plan(language, closed, active):
    from django.utils import translation

    from plans.models import Plan
    from plans.winback.cells import _plan

    with translation.override(language):
        closed_plan = Plan(status="closed", closed_on=date(2026, 3, 5), outcome="won_back")
        active_plan = Plan(status="active", offer_kind="gift")
        plans = "/plans/clients/7/"
        assert _plan(plans, closed_plan, 0) == closed
        offer = active_plan.get_offer_kind_display()
        assert _plan(plans, active_plan, 40) == (
            f'<a href="/plans/clients/7/">{active}</a><div class="text-muted">{offer}</div>'
        )
        assert _plan(plans, None, 0) == f'<a href="{plans}">{translation.gettext("No plan yet")}</a>'
