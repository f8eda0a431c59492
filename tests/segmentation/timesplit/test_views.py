"""The time split page: who may open it and whose split they see, the table and the chart on the
hand-made month (see conftest), the default period, bad input, and a query count that does not
grow with the managers."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from segmentation.models import Policy
from tests.factories import ManagerFactory, UserFactory
from tests.segmentation.timesplit.conftest import SINCE, TODAY, UNTIL, activity, touch

URL = reverse("segmentation:time_split")
JANUARY = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def rows(response):
    return [(label, row.minutes) for label, row, _cells in response.context["rows"]]


def embedded(content, name):
    start = content.index(f'<script id="{name}" type="application/json">') + len(
        f'<script id="{name}" type="application/json">'
    )
    return json.loads(content[start : content.index("</script>", start)])


# Access


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        ("director", "post", 405),
        ("director", "put", 405),
        ("anna", "post", 405),
        ("nobody", "get", 403),
        ("nobody", "post", 403),
        ("director", "get", 200),
        ("admin_user", "get", 200),
        ("anna", "get", 200),
    ],
)
def test_access(who, method, status, month, request, browser_for):
    users = {"director": month.director, "anna": month.anna, "nobody": UserFactory(username="nobody")}
    user = users.get(who) or request.getfixturevalue(who)

    response = getattr(browser_for(user), method)(URL)

    assert response.status_code == status


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL, JANUARY)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next={URL}")


def test_a_director_sees_every_manager_and_the_department(month, browser_for):
    response = browser_for(month.director).get(URL, JANUARY)

    assert rows(response) == [("Boris Belov", 140), ("Anna Smirnova", 250)]
    assert [(label, row.minutes) for label, row, _cells in response.context["department"]] == [
        ("Whole department", 390)
    ]
    content = response.content.decode()
    assert '<option value="" selected>All managers (the department)</option>' in content
    assert "Whole department" in content


def test_a_director_picks_one_manager(month, browser_for):
    response = browser_for(month.director).get(URL, JANUARY | {"manager": month.boris.pk})

    assert rows(response) == [("Boris Belov", 140)]
    assert response.context["department"] == []
    assert "Whole department" not in response.content.decode()


def test_a_manager_sees_only_their_own_split(month, browser_for):
    response = browser_for(month.anna).get(URL, JANUARY)

    assert rows(response) == [("Anna Smirnova", 250)]
    assert response.context["department"] == []
    content = response.content.decode()
    assert f'<option value="{month.anna.pk}" selected>Anna Smirnova</option>' in content
    assert 'class="form-select form-select-sm" disabled>' in content
    assert "Boris" not in content
    assert "All managers" not in content


@pytest.mark.parametrize("other", ["boris", "all", "junk"])
def test_a_manager_asking_for_another_managers_split_gets_an_error_and_no_figures(other, month, browser_for):
    asked = {"boris": month.boris.pk, "all": "0", "junk": "x" * 300}[other]

    response = browser_for(month.anna).get(URL, JANUARY | {"manager": asked})

    assert response.status_code == 200
    assert response.context["split"] is None
    content = response.content.decode()
    assert "Manager: You may see only your own time split." in content
    assert "Boris" not in content
    assert "<canvas" not in content


def test_a_manager_asking_for_their_own_id_sees_it(month, browser_for):
    response = browser_for(month.anna).get(URL, JANUARY | {"manager": month.anna.pk})

    assert rows(response) == [("Anna Smirnova", 250)]


# The table and the chart


def test_the_table_shows_hours_shares_targets_and_marks(month, browser_for):
    response = browser_for(month.director).get(URL, JANUARY | {"manager": month.anna.pk})

    content = response.content.decode()
    table = content[content.index('id="time-split-table"') :]
    assert 'Communication: A and B clients<div class="fw-normal text-muted">target 30%</div>' in table
    assert (
        'Other touches: D and uncategorised clients<div class="fw-normal text-muted">no target</div>' in table
    )
    headers = re.findall(r'<th scope="col" class="text-end">([^<]+)<div', table)
    assert headers == [
        "Communication: A and B clients",
        "Service: C clients",
        "Development activities",
        "Other touches: D and uncategorised clients",
    ]
    cells = re.findall(r"([\d.]+ h)\s*<div>([^<]*)", table)
    assert cells == [("1.5 h", "36.0% "), ("0.3 h", "8.0%"), ("2.0 h", "48.0% "), ("0.3 h", "8.0%")]
    assert '36.0% <span class="badge text-bg-warning"' in table
    assert "8.0%</div>" in table  # service: 2 points under its 10%, no mark
    assert table.count(">off target</span>") == 2  # communication and development
    assert ">4.2</td>" in table
    assert ">1 touch, 1 development activity</td>" in table
    assert (
        "Without a duration, so not in the hours: 1 touch, 1 development activity. "
        "The figures are incomplete." in content
    )
    assert (
        "Whose time: a touch or a development activity counts for each of our people who took part in it, "
        "or for its author when nobody is named." in content
    )


def test_the_chart_draws_the_targets_the_department_and_each_manager(month, browser_for):
    response = browser_for(month.director).get(URL, JANUARY)

    chart = response.context["chart"]
    assert chart["data"]["labels"] == ["Target (policy)", "Whole department", "Boris Belov", "Anna Smirnova"]
    data = {dataset["label"]: dataset["data"] for dataset in chart["data"]["datasets"]}
    assert data == {
        "Communication: A and B clients": [30.0, 30.8, 21.4, 36.0],
        "Service: C clients": [10.0, 15.4, 28.6, 8.0],
        "Development activities": [40.0, 46.2, 42.9, 48.0],
        "Other touches: D and uncategorised clients": [None, 7.7, 7.1, 8.0],
        "No target in the policy": [20.0, None, None, None],
    }
    content = response.content.decode()
    assert '<canvas data-chart="chart-time-split" data-chart-rows="4"' in content
    assert embedded(content, "chart-time-split") == chart


def test_a_change_of_policy_moves_the_targets(month, browser_for):
    policy = Policy.current()
    policy.split_ab_share, policy.split_c_share, policy.split_development_share = 36, 8, 48
    policy.save()

    response = browser_for(month.director).get(URL, JANUARY | {"manager": month.anna.pk})

    content = response.content.decode()
    for target in ["target 36%", "target 8%", "target 48%"]:
        assert target in content
    assert ">off target</span>" not in content
    datasets = response.context["chart"]["data"]["datasets"]
    assert [dataset["data"][0] for dataset in datasets] == [36.0, 8.0, 48.0, None, 8.0]


def test_a_manager_without_logged_time_says_so(month, browser_for):
    ManagerFactory(username="idle", first_name="Ivan", last_name="Zhukov")

    response = browser_for(month.director).get(URL, JANUARY)

    assert rows(response)[-1] == ("Ivan Zhukov", 0)
    assert response.content.decode().count("no logged time") == 1


def test_without_managers_the_page_says_so(db, director, browser_for):
    response = browser_for(director).get(URL)

    content = response.content.decode()
    assert "No data yet: there are no active account managers." in content
    assert "<canvas" not in content


# The period


def test_the_default_period_is_the_last_full_calendar_month(month, browser_for):
    response = browser_for(month.director).get(URL)

    split = response.context["split"]
    assert (split.since, split.until) == (SINCE, UNTIL)
    assert rows(response) == [("Boris Belov", 140), ("Anna Smirnova", 250)]
    content = response.content.decode()
    assert 'name="since" id="id_since" class="form-control form-control-sm" value="2026-01-01"' in content
    assert 'name="until" id="id_until" class="form-control form-control-sm" value="2026-01-31"' in content


def test_a_missing_date_takes_its_default(month, browser_for):
    response = browser_for(month.director).get(URL, {"since": "2026-01-31", "manager": ""})

    split = response.context["split"]
    assert (split.since, split.until) == (UNTIL, UNTIL)
    assert rows(response) == [("Boris Belov", 30), ("Anna Smirnova", 30)]


def test_a_year_long_period_is_allowed(month, browser_for):
    response = browser_for(month.director).get(
        URL, {"since": "2025-02-10", "until": "2026-02-10"}
    )  # 366 days

    assert rows(response) == [("Boris Belov", 140), ("Anna Smirnova", 250 + 100 + 100 + 45)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-13-45"}, "Period start: Enter a valid date."),
        ({"until": "yesterday"}, "Period end: Enter a valid date."),
        ({"until": "9" * 5000}, "Period end: Enter a valid date."),
        ({"since": "1899-12-31"}, "Period start: Enter a date between 1900-01-01 and 2099-12-31."),
        ({"until": "2100-01-01"}, "Period end: Enter a date between 1900-01-01 and 2099-12-31."),
        (
            {"since": "2026-01-31", "until": "2026-01-30"},
            "The start date 2026-01-31 is after the end date 2026-01-30: "
            "choose a start on or before the end.",
        ),
        (
            {"since": "2025-01-01", "until": "2026-01-02"},
            "The period is 367 days long: choose at most 366 days.",
        ),
        ({"manager": "anna"}, "Manager: Choose one of the active account managers."),
        ({"manager": "999999"}, "Manager: Choose one of the active account managers."),
        ({"manager": "1" * 300}, "Manager: Choose one of the active account managers."),
    ],
)
def test_bad_input_says_why_and_computes_nothing(query, message, month, browser_for):
    response = browser_for(month.director).get(URL, query)

    assert response.status_code == 200
    assert response.context["split"] is None
    content = response.content.decode()
    assert message in content
    assert "Nothing is shown until the choice is corrected." in content
    assert 'id="time-split-table"' not in content


@pytest.mark.parametrize("who", ["director", "inactive"])
def test_someone_who_is_not_an_active_manager_cannot_be_chosen(who, month, browser_for):
    gone = ManagerFactory(username="gone", is_active=False)
    chosen = {"director": month.director, "inactive": gone}[who]

    response = browser_for(month.director).get(URL, JANUARY | {"manager": chosen.pk})

    assert response.context["split"] is None
    assert "Manager: Choose one of the active account managers." in response.content.decode()


# Queries


@pytest.mark.parametrize("count", [1, 20])
def test_the_query_count_does_not_grow_with_the_managers(month, count, browser_for, assert_queries):
    for manager in ManagerFactory.create_batch(count - 1):
        touch(month.clients["A"], SINCE, 10, people=[manager], author=manager)
        activity(month.clients["C"], SINCE, 10, people=[manager], author=manager)
    month.boris.groups.clear()  # 1 manager: Anna alone
    browser = browser_for(month.director)
    Policy.current()

    response = assert_queries(5, lambda: browser.get(URL, JANUARY))

    assert len(rows(response)) == count


def test_a_manager_s_own_split_reads_the_managers_once(month, browser_for, assert_queries):
    """Their own split fixes the select to them (no empty choice): the select reads its one
    choice once, not once to ask whether it may be required and again to write it."""
    browser = browser_for(month.anna)
    Policy.current()

    response = assert_queries(6, lambda: browser.get(URL, JANUARY))

    assert response.status_code == 200
    assert len(rows(response)) == 1
