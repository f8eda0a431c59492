"""The calculator page: who may open it, the policy's norms by default, a director's "what if"
numbers that override them without saving, bad numbers that compute nothing, the figures as
the page shows them, and a query count that does not grow with the managers."""

import re
from html import unescape

import pytest
from django.urls import reverse

from segmentation.models import Policy
from tests.factories import ManagerFactory
from tests.segmentation.calculator.conftest import URL, clients

POLICY_URL = reverse("segmentation:policy")


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        (None, "get", 302),
        ("manager", "get", 403),
        ("manager", "post", 403),
        ("director", "post", 405),
        ("director", "put", 405),
        ("director", "get", 200),
        ("director", "head", 200),
        ("admin_user", "get", 200),
    ],
)
def test_access(who, method, status, request, browser_for):
    user = request.getfixturevalue(who) if who else None
    response = getattr(browser_for(user), method)(URL)

    assert response.status_code == status
    if who is None:
        assert response["Location"] == f"{reverse('login')}?next={URL}"


def text(response, element_id):
    """The text of the element with `element_id`, tags dropped and spaces squeezed."""
    content = response.content.decode()
    start = content.index(f'id="{element_id}"')
    start = content.index(">", start) + 1
    tag = re.search(r"<(\w+)[^<]*$", content[:start]).group(1)
    end = content.index(f"</{tag}>", start)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", content[start:end])).split())


def rows(response, table_id):
    """Each row of a table's body and foot, as its cells' texts."""
    content = response.content.decode()
    start = content.index(f'id="{table_id}"')
    table = content[start : content.index("</table>", start)]
    table = table[table.index("<tbody>") :]
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return found


def test_the_policy_norms_fill_the_form_and_the_figures(base, as_director, english):
    response = as_director.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="touches_a" id="id_touches_a" min="0" max="365"' in content
    assert 'value="24"' in content
    assert 'value="1970"' in content
    assert text(response, "id_touches_a_help") == "The policy: 24"
    assert 'id="what-if"' not in content
    assert rows(response, "categories-table") == [
        ["A", "3", "24", "60", "24", "72"],
        ["B", "5", "12", "45", "9", "45"],
        ["C", "10", "4", "30", "2", "20"],
        ["D", "2", "1", "15", "0.25", "0.5"],
        [
            "No category",
            "2",
            "Not counted: the nightly run has not categorised them yet (their potential table is not "
            "filled in, or they are new since the last run).",
        ],
        ["Total", "20", "", "137.5"],
    ]


def test_the_managers_worst_first_then_nobody(base, as_director, english):
    response = as_director.get(URL)

    assert rows(response, "managers-table") == [
        ["Anna Antonova", "2", "3", "4", "1", "1", "83.3", "788", "11"],
        ["Boris Borisov", "1", "1", "5", "0", "1", "43", "788", "5"],
        [
            "Nobody responsible, or a manager who has left",
            "0",
            "1",
            "1",
            "1",
            "0",
            "11.3",
            "Counted in the department’s total",
        ],
    ]


def test_a_manager_s_name_is_escaped_and_a_load_within_capacity_not_marked(base, as_director, english):
    base.anna.first_name = "<Anna>"
    base.anna.save()

    content = as_director.get(URL).content.decode()

    assert f'manager={base.anna.pk}">&lt;Anna&gt; Antonova</a>' in content
    assert '<td class="text-end">11</td></tr>' in content
    assert "text-danger fw-bold" not in content


def test_the_department_and_the_formula_in_words(base, as_director, english):
    response = as_director.get(URL)

    assert text(response, "total-hours") == "137.5"
    assert text(response, "managers-needed") == "1"
    assert text(response, "managers-now") == "2"
    assert text(response, "difference") == "The department has 1 manager more than the touches need."
    assert rows(response, "buckets-table") == [
        ["A and B clients", "117", "30", "591", "1"],
        ["C and D clients (D counted with C)", "20.5", "10", "197", "1"],
        ["All touches together", "137.5", "40", "788", "1"],
    ]
    formula = text(response, "formula")
    assert "Together the 20 active clients with a category need 137.5 hours a year." in formula
    assert (
        "A manager works 1,970 hours a year; the time split gives touches 30% (A and B clients) + 10% "
        "(servicing C clients) = 40% of them: 788 hours a year." in formula
    )
    assert "Managers needed = 137.5 ÷ 788, rounded up to a whole manager." in formula


def test_what_if_numbers_override_the_policy_and_save_nothing(base, as_director, english):
    response = as_director.get(URL, {"working_hours": "200", "touches_c": "8"})

    assert response.status_code == 200
    assert text(response, "what-if") == (
        "What if: these figures use your numbers, not the policy’s (the policy is unchanged): "
        "Touches a year, C client: 8 instead of 4 Working hours a year: 200 instead of 1,970"
    )
    assert text(response, "managers-needed") == "3"
    assert text(response, "difference") == "The department is 1 manager short."
    assert rows(response, "buckets-table")[1] == [
        "C and D clients (D counted with C)",
        "40.5",
        "10",
        "20",
        "3",
    ]
    assert rows(response, "managers-table")[0][-3:] == ["91.3", "80", "114"]
    assert '<td class="text-end text-danger fw-bold">114</td>' in response.content.decode()
    assert 'value="8"' in response.content.decode()
    policy = Policy.current()
    assert (policy.touches_c, policy.working_hours) == (4, 1970)


def test_the_same_numbers_as_the_policy_are_no_what_if(base, as_director):
    response = as_director.get(URL, {"touches_a": "24"})

    assert response.status_code == 200
    assert 'id="what-if"' not in response.content.decode()


def test_reset_links_to_the_page_without_numbers(as_director, english):
    response = as_director.get(URL, {"touches_a": "30"})

    assert f'href="{URL}" id="reset-link">Reset to the policy</a>' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("touches_a", "-1", "Enter a whole number of touches from 0 to 365 (one a day)."),
        ("touches_b", "many", "Enter a whole number of touches from 0 to 365 (one a day)."),
        ("touches_c", "2.5", "Enter a whole number of touches from 0 to 365 (one a day)."),
        ("touches_d", "366", "Enter a whole number of touches from 0 to 365 (one a day)."),
        ("touch_minutes_a", "1441", "Enter a whole number of minutes from 0 to 1440 (a whole day)."),
        ("touch_minutes_b", "9" * 40, "Enter a whole number of minutes from 0 to 1440 (a whole day)."),
        ("touch_minutes_c", "9" * 5000, "Enter a whole number of minutes from 0 to 1440 (a whole day)."),
        ("working_hours", "0", "Enter a whole number of hours from 1 to 8784 (every hour of a leap year)."),
        (
            "working_hours",
            "8785",
            "Enter a whole number of hours from 1 to 8784 (every hour of a leap year).",
        ),
        ("working_hours", "", "Enter a number: “Reset to the policy” brings back the policy’s values."),
    ],
)
def test_bad_numbers_say_why_and_compute_nothing(field, value, message, base, as_director, english):
    response = as_director.get(URL, {field: value})

    assert response.status_code == 400
    assert (
        text(response, "calculator-errors") == "Nothing is computed: correct the numbers marked in red below."
    )
    assert text(response, f"id_{field}_error") == message
    assert response.context["workload"] is None
    content = response.content.decode()
    assert 'id="department"' not in content
    assert 'id="managers-table"' not in content


def test_the_kept_norms_follow_the_policy_and_the_numbers_asked(base, as_director, english):
    """The norms' part is drawn once per process for what it shows: the policy's values (its help
    texts and the time split note) and the numbers in the fields; a form with errors every time."""
    as_director.get(URL)
    as_director.get(URL, {"touches_a": "7"})
    bad = as_director.get(URL, {"touches_a": "-1"})
    policy = Policy.current()
    policy.touches_a, policy.split_c_share = 30, 25
    policy.save()

    changed = as_director.get(URL)
    asked = as_director.get(URL, {"touches_a": "7"})

    assert text(bad, "id_touches_a_error") == "Enter a whole number of touches from 0 to 365 (one a day)."
    assert text(changed, "id_touches_a_help") == "The policy: 30"
    assert 'id="id_touches_a" min="0" max="365" step="1" class="form-control form-control-sm" value="30"' in (
        changed.content.decode()
    )
    assert 'id="id_touches_a_error"' not in changed.content.decode()
    # The same number asked again, under the changed policy: its help and split note are new.
    assert text(asked, "id_touches_a_help") == "The policy: 30"
    assert "servicing C clients 25%" in text(asked, "split-note")
    assert 'id="id_touches_a" min="0" max="365" step="1" class="form-control form-control-sm" value="7"' in (
        asked.content.decode()
    )


def test_each_bad_number_has_its_own_message(as_director, english):
    response = as_director.get(URL, {"touches_a": "-1", "working_hours": "x", "touch_minutes_d": "15"})

    assert sorted(response.context["form"].errors) == ["touches_a", "working_hours"]


def test_no_time_for_touches_says_so_instead_of_a_number(base, as_director, english):
    Policy.objects.filter(pk=1).update(split_ab_share=0, split_c_share=0)

    response = as_director.get(URL)

    assert text(response, "managers-needed") == "—"
    assert text(response, "difference") == (
        "The number of managers cannot be computed: the policy’s time split gives touches no time. "
        "Set the split on the policy page."
    )


def test_the_policy_link_is_for_admins_only(as_director, as_admin_too, english):
    assert 'id="policy-link"' not in as_director.get(URL).content.decode()
    assert f'href="{POLICY_URL}" id="policy-link"' in as_admin_too.get(URL).content.decode()


@pytest.fixture
def as_admin_too(admin_user, browser_for):
    return browser_for(admin_user)


@pytest.mark.parametrize("managers", [1, 20])
def test_the_page_takes_the_same_queries_for_1_and_20_managers(managers, policy, as_director, assert_queries):
    for manager in ManagerFactory.create_batch(managers):
        clients(manager, "B")
        clients(manager, "")
    response = assert_queries(4, lambda: as_director.get(URL, {"touches_b": "10"}))

    assert len(response.context["workload"].managers) == managers


def test_the_page_in_russian(base, as_director):
    as_director.cookies["django_language"] = "ru"

    response = as_director.get(URL)

    content = response.content.decode()
    assert "<title>Калькулятор нагрузки" in content
    assert ">Доля времени менеджера, %</th>" in content  # a {% translate %} with "%"
    assert ">Загрузка, %</th>" in content
    assert text(response, "difference") == "В отделе на 1 менеджера больше, чем нужно для касаний."


def test_a_manager_numbered_past_a_thousand_links_to_their_whole_list(db, policy, as_director):
    """Numbers are grouped on the pages (1,234 or 1 234), not in the list's filter."""
    clients(ManagerFactory(pk=1234, username="kira"), "A")

    response = as_director.get(URL)

    assert f"{reverse('accounts:client_list')}?status=active&amp;manager=1234" in response.content.decode()
