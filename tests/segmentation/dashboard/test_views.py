"""The dashboard page: who may open it, the period form's bad input, an empty base, the charts'
data and their tables, and a query count that does not grow with the base."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client, Refusal
from segmentation.dashboard.selectors import default_period
from segmentation.models import ClientSegment, NightlyRun, Policy, SegmentChange, Tier, TierOverride
from segmentation.segments.engine import recompute
from tests.factories import ClientFactory, RefusalFactory, SaleFactory

URL = reverse("segmentation:dashboard")
LIST_URL = reverse("accounts:client_list")


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        (None, "get", 302),
        ("manager", "get", 403),
        ("manager", "post", 403),
        ("director", "post", 405),
        ("director", "get", 200),
        ("admin_user", "get", 200),
    ],
)
def test_access(who, method, status, request, browser_for):
    user = request.getfixturevalue(who) if who else None
    response = getattr(browser_for(user), method)(URL)

    assert response.status_code == status
    if who is None:
        assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_the_dashboard_shows_in_the_navigation_for_directors_only(as_director, browser_for, manager):
    assert f'href="{URL}">Dashboard</a>' in as_director.get(LIST_URL).content.decode()
    assert f'href="{URL}"' not in browser_for(manager).get(LIST_URL).content.decode()


def test_an_empty_base_says_no_data_yet_and_draws_nothing(as_director):
    response = as_director.get(URL)

    content = response.content.decode()
    assert content.count("No data yet") == 8  # ABCD, tiers, leagues, Pareto, 2 migrations, trend, refusals
    assert "<canvas" not in content


@pytest.fixture
def base(db):
    """An A client with revenue, a C client, a gold one in the premier league, a refusal, and
    a C→B move and an at-risk client recorded ten days ago."""
    today = timezone.localdate()
    a, c, gold = ClientFactory.create_batch(3)
    ClientSegment.objects.create(client=a, category="A", revenue=Decimal(900), league="third")
    ClientSegment.objects.create(client=c, category="C", revenue=Decimal(100), tier=Tier.SILVER)
    ClientSegment.objects.create(client=gold, tier=Tier.GOLD, league="premier")
    RefusalFactory(client=c, date=today, reason=Refusal.Reason.DELIVERY)
    ten_days_ago = today - datetime.timedelta(days=10)
    run = NightlyRun.objects.create(run_on=ten_days_ago, status=NightlyRun.Status.SUCCESS)
    SegmentChange.objects.create(run=run, client=c, kind="category", old="C", new="B")
    SegmentChange.objects.create(run=run, client=a, kind="lost_status", old="active", new="at_risk")
    return today


def chart(response, name):
    return response.context["charts"][name]


def test_the_figures_and_their_tables(base, as_director, english):
    response = as_director.get(URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{LIST_URL}?category=A">1 client</a>' in content
    assert f'href="{LIST_URL}?category=none">1</a>' in content
    assert f'<a href="{LIST_URL}?tier=gold">1</a>' in content
    assert f'<a href="{LIST_URL}?league=premier">1</a>' in content
    assert chart(response, "abcd")["data"]["datasets"][1]["data"] == [90.0, 0.0, 10.0, 0.0, 0.0]
    assert chart(response, "tiers")["data"]["datasets"][0]["data"] == [1, 1, 1]
    assert chart(response, "leagues")["data"]["datasets"][0]["data"] == [1, 0, 0, 1, 0, 1]
    pareto = chart(response, "pareto")["data"]["datasets"]
    assert pareto[0]["data"] == [{"x": 0, "y": 0}, {"x": 50.0, "y": 90.0}, {"x": 100.0, "y": 100.0}]
    assert pareto[1]["data"] == [{"x": 0, "y": 80.0}, {"x": 100, "y": 80.0}]
    assert sum(chart(response, "trend")["data"]["datasets"][0]["data"]) == 1
    assert chart(response, "refusals")["data"]["datasets"][0]["label"] == "Delivery"
    category, tier = response.context["migrations"]
    assert (category.cells["C"]["B"], category.moved, tier.moved) == (1, 1, 0)
    for name in ["abcd", "tiers", "leagues", "pareto", "trend", "refusals"]:
        assert f'<canvas data-chart="chart-{name}"' in content
        assert f'<script id="chart-{name}" type="application/json">' in content
    for name in ["abcd", "tiers", "leagues", "pareto", "trend", "refusals"]:
        assert f'id="{name}-table"' in content
    assert 'id="migration-category"' in content


def test_the_charts_json_is_what_the_page_embeds(base, as_director):
    response = as_director.get(URL)

    content = response.content.decode()
    start = content.index('<script id="chart-pareto" type="application/json">') + len(
        '<script id="chart-pareto" type="application/json">'
    )
    embedded = json.loads(content[start : content.index("</script>", start)])
    assert embedded == chart(response, "pareto")


def test_a_chosen_period_moves_the_migration_matrix(base, as_director):
    today = base
    response = as_director.get(URL, {"since": today.isoformat(), "until": today.isoformat()})

    assert (response.context["since"], response.context["until"]) == (today, today)
    assert response.context["migrations"][0].moved == 0
    assert not response.context["form"].errors


def test_the_default_period_is_the_last_90_days(base, as_director):
    response = as_director.get(URL)

    assert (response.context["since"], response.context["until"]) == default_period(base)
    assert response.context["migrations"][0].moved == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-13-45"}, "Period start: Enter a valid date."),
        ({"until": "yesterday"}, "Period end: Enter a valid date."),
        ({"until": "9" * 5000}, "Period end: Enter a valid date."),
        ({"since": "1800-01-01"}, "Period start: Enter a date between 1900-01-01 and 2099-12-31."),
        (
            {"since": "2026-03-02", "until": "2026-03-01"},
            "The start date 2026-03-02 is after the end date 2026-03-01: choose a start on or before the end",
        ),
    ],
)
def test_a_bad_period_says_why_and_shows_the_default(query, message, base, as_director, english):
    response = as_director.get(URL, query)

    assert response.status_code == 200
    assert (response.context["since"], response.context["until"]) == default_period(base)
    content = response.content.decode()
    assert message in content
    assert "Showing the last 90 days instead." in content


def test_a_start_after_today_without_an_end_is_reversed(base, as_director, english):
    tomorrow = base + datetime.timedelta(days=1)

    response = as_director.get(URL, {"since": tomorrow.isoformat()})

    assert "is after the end date" in response.content.decode()
    assert response.context["until"] == base


def test_the_page_speaks_russian(base, director, browser_for):
    browser = browser_for(director)
    browser.cookies["django_language"] = "ru"

    content = browser.get(URL, headers={"accept-language": "ru"}).content.decode()

    assert "Матрица ABCD" in content
    assert "Пирамида лиг" in content


def test_query_count_does_not_grow_with_clients_counted_live(director, browser_for, assert_queries):
    # the session with the user, their groups and unread notifications, policy; the last run's figures
    # (none kept: segments made by hand); ABCD, tiers, leagues, Pareto, the period's runs and two
    # migrations, at risk and lost (the runs' figures, then the history), refusals
    queries = 13
    Policy.current()
    browser = browser_for(director)
    today = timezone.localdate()
    run = NightlyRun.objects.create(run_on=today, status=NightlyRun.Status.SUCCESS)

    def add(clients):
        for n, client in enumerate(clients):
            ClientSegment.objects.create(client=client, category="ABCD"[n % 4], revenue=Decimal(n + 1))
            SegmentChange.objects.create(run=run, client=client, kind="category", old="D", new="C")
            SegmentChange.objects.create(run=run, client=client, kind="lost_status", old="active", new="lost")
            RefusalFactory(client=client, date=today)

    add([ClientFactory()])
    response = assert_queries(queries, lambda: browser.get(URL))
    assert response.context["clients"] == 1
    add(ClientFactory.create_batch(49))

    response = assert_queries(queries, lambda: browser.get(URL))

    assert response.context["clients"] == 50
    assert response.context["migrations"][0].cells["D"]["C"] == 50


def test_the_page_reads_the_runs_figures_in_queries_that_do_not_grow(director, browser_for, assert_queries):
    # the session with the user, their groups and unread notifications, policy; the last run's
    # figures, the tier overrides, the period's runs and two migrations, at risk and lost from the
    # runs, refusals
    queries = 9
    Policy.current()
    browser = browser_for(director)
    today = timezone.localdate()

    def add(clients):
        for n, client in enumerate(clients):
            SaleFactory(client=client, date=today - datetime.timedelta(days=3), amount=Decimal(n + 1))
            RefusalFactory(client=client, date=today)
        return recompute(today=today)

    add([ClientFactory()])
    response = assert_queries(queries, lambda: browser.get(URL))
    assert response.context["clients"] == 1
    run = add(ClientFactory.create_batch(49))
    TierOverride.objects.create(client=Client.objects.first(), tier=Tier.GOLD, reason="image client")

    response = assert_queries(queries, lambda: browser.get(URL))

    assert response.context["clients"] == 50
    assert run.figures["categories"] == {"": [50, "1226.00"]}
    assert response.context["abcd"]["none"].clients == 50
    assert [(s.value, s.clients) for s in response.context["tiers"]] == [
        ("gold", 1),
        ("silver", 0),
        ("bronze", 49),
    ]
    assert (response.context["pareto"].clients, response.context["pareto"].revenue) == (50, Decimal(1226))


def main(response) -> str:
    """The page's own part: what follows the navigation, whose form carries a fresh CSRF token."""
    content = response.content.decode()
    return content[content.index("<main") :]


def test_the_figures_are_drawn_once_per_run_day_and_period(director, browser_for, assert_queries):
    Policy.current()
    browser = browser_for(director)
    today = timezone.localdate()
    client = ClientFactory()
    SaleFactory(client=client, date=today - datetime.timedelta(days=3), amount=Decimal(10))
    recompute(today=today)
    first = main(browser.get(URL))
    assert f'<a href="{LIST_URL}?tier=gold">1</a>' not in first
    TierOverride.objects.create(client=client, tier=Tier.GOLD, reason="image client")

    # the session with the user, their groups and unread notifications, policy, the last run's
    # figures: the rest is kept
    again = main(assert_queries(3, lambda: browser.get(URL)))
    assert again == first
    other_period = browser.get(URL, {"since": today.isoformat()})
    assert other_period.context["since"] == today  # another period is drawn for itself
    bad = browser.get(URL, {"since": "soon"})
    assert bad.context["form"].errors  # and a bad one each time, with its message

    recompute(today=today)

    assert f'<a href="{LIST_URL}?tier=gold">1</a>' in browser.get(URL).content.decode()
