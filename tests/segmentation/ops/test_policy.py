"""The policy page: admins only, every field explained, validated, kept in history, used by the next run."""

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import escape

from segmentation.models import ClientSegment, Policy
from segmentation.ops.forms import PolicyForm
from segmentation.ops.services import policy_version
from segmentation.segments.engine import recompute
from tests.factories import ClientFactory, SaleFactory
from tests.helpers import messages_of

URL = reverse("segmentation:policy")
TODAY = datetime.date(2025, 6, 30)


def policy_data(**changes: Any) -> dict[str, Any]:
    """The policy form as the page sends it, with `changes` typed in."""
    policy = Policy.current()
    form = PolicyForm(instance=policy, initial={"version": policy_version(policy)})
    data = {name: form[name].value() for name in form.fields}
    data["nightly_run_at"] = policy.nightly_run_at.strftime("%H:%M")
    return {**{k: "" if v is None else v for k, v in data.items()}, **changes}


def policy_state() -> dict[str, Any]:
    return {**model_to_dict(Policy.current()), "history": Policy.history.count()}


@pytest.mark.django_db
def test_policy_anonymous_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


@pytest.mark.parametrize("persona", ["as_manager", "as_director"])
def test_policy_is_forbidden_to_managers_and_directors(request, persona):
    browser = request.getfixturevalue(persona)
    before = policy_state()

    get = browser.get(URL)
    post = browser.post(URL, policy_data(pareto_share="50"))

    assert (get.status_code, post.status_code) == (403, 403)
    assert policy_state() == before


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_policy_refuses_other_methods(as_admin, method):
    assert getattr(as_admin, method)(URL).status_code == 405


def test_policy_page_shows_every_field_with_its_explanation_and_default(as_admin):
    response = as_admin.get(URL)

    content = response.content.decode()
    form = response.context["form"]
    assert response.status_code == 200
    editable = {f.name for f in Policy._meta.fields if f.editable and f.name != "id"}
    assert set(form.fields) == {*editable, "version"}
    assert len(editable) == 40
    for name, field in form.fields.items():
        if name != "version":
            assert f">{field.help_text}<" in content, name
    for legend in [
        "ABCD analysis",
        "Priority tiers",
        "Key clients",
        "Lost clients",
        "Size classes and capacities",
        "Time split and touch norms",
        "Estimates and the nightly run",
        "D clients",
    ]:
        assert f"<legend>{legend}</legend>" in content, legend
    assert 'name="pareto_share" value="80"' in content
    assert 'name="at_risk_factor" value="2"' in content
    assert 'name="capacity_medium" value="40"' in content
    assert 'name="nightly_run_at" value="02:00"' in content
    assert 'name="split_development_share" value="40"' in content
    assert 'name="touches_a" value="24"' in content
    assert 'name="working_hours" value="1970"' in content
    assert "Changes take effect at the next recomputation" in content
    assert f'action="{reverse("segmentation:run_start")}"' in content


SHARE = "Enter a share from 0 to 100%."
AMOUNT = "Enter an amount of zero or more."
FACTOR = "Enter a factor of at least 1."
COUNT = "Enter a whole number of at least 1."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pareto_share": "100.01"}, "pareto_share", SHARE),
        ({"wallet_share_limit": "-1"}, "wallet_share_limit", SHARE),
        ({"key_cap_share": "250"}, "key_cap_share", SHARE),
        ({"pareto_share": ""}, "pareto_share", "This field is required."),
        ({"pareto_share": "eighty"}, "pareto_share", "Enter a number."),
        ({"min_headroom": "-5"}, "min_headroom", AMOUNT),
        ({"at_risk_factor": "0.5"}, "at_risk_factor", FACTOR),
        ({"capacity_medium": "0"}, "capacity_medium", COUNT),
        ({"capacity_largest": "-3"}, "capacity_largest", COUNT),
        ({"key_per_manager": "1.5"}, "key_per_manager", "Enter a whole number."),
        ({"estimate_stale_months": "0"}, "estimate_stale_months", COUNT),
        (
            {"gold_share": "60", "silver_share": "50"},
            "silver_share",
            "Gold and silver together cannot exceed 100% of potential (now 110%).",
        ),
        (
            {"lost_factor": "1.5"},
            "lost_factor",
            "Lost cannot come before at risk: the lost factor must be at least the at-risk factor (2).",
        ),
        (
            {"lost_min_days": "20"},
            "lost_min_days",
            "Lost cannot come before at risk: the lost minimum must be at least the at-risk minimum "
            "(30 days).",
        ),
        (
            {"no_rhythm_lost_days": "89"},
            "no_rhythm_lost_days",
            "Lost cannot come before at risk: without a rhythm, lost must take at least as many days "
            "as at risk (90).",
        ),
        (
            {"large_from": "1000000"},
            "large_from",
            "Size classes must grow: a large client must start above a medium one (1,000,000\xa0RUB).",
        ),
        (
            {"largest_from": "5000000"},
            "largest_from",
            "Size classes must grow: a very large client must start above a large one (10,000,000\xa0RUB).",
        ),
        ({"nightly_run_at": "25:00"}, "nightly_run_at", "Enter a valid time."),
        (
            {"kam_small_clients": "maybe"},
            "kam_small_clients",
            "Select a valid choice. maybe is not one of the available choices.",
        ),
    ],
)
def test_policy_bad_input_is_refused_with_the_rule_and_writes_nothing(as_admin, changes, field, message):
    before = policy_state()

    response = as_admin.post(URL, policy_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert escape(message) in response.content.decode()
    assert "Not saved: correct the values marked in red below." in response.content.decode()
    assert policy_state() == before


def test_policy_lost_thresholds_may_equal_the_at_risk_ones(as_admin):
    data = policy_data(lost_factor="2", lost_min_days="30", no_rhythm_lost_days="90")

    response = as_admin.post(URL, data)

    policy = Policy.current()
    assert response.status_code == 302
    assert (policy.lost_factor, policy.lost_min_days, policy.no_rhythm_lost_days) == (Decimal(2), 30, 90)


def test_policy_valid_change_is_saved_and_recorded_in_history(as_admin, admin_user):
    response = as_admin.post(
        URL, policy_data(pareto_share="75", capacity_small="120", nightly_run_at="03:30")
    )

    policy = Policy.current()
    latest = Policy.history.latest("history_date")
    assert response.status_code == 302
    assert response.url == URL
    assert messages_of(response) == ["3 values were changed. They take effect at the next recomputation."]
    assert (policy.pareto_share, policy.capacity_small) == (Decimal(75), 120)
    assert policy.nightly_run_at == datetime.time(3, 30)
    assert latest.history_user == admin_user
    assert sorted(latest.diff_against(latest.prev_record).changed_fields) == [
        "capacity_small",
        "nightly_run_at",
        "pareto_share",
    ]


def test_policy_page_lists_the_last_changes_with_old_and_new_values(as_admin):
    as_admin.post(URL, policy_data(pareto_share="75"))
    as_admin.post(URL, policy_data(medium_from="1500000", capacity_medium="45", kam_small_clients="forbid"))

    response = as_admin.get(URL)

    changes = [(c.user.username, c.field, c.old, c.new) for c in response.context["changes"]]
    assert changes == [
        ("admin", "Medium client from", "1,000,000\xa0RUB", "1,500,000\xa0RUB"),
        ("admin", "Medium clients per manager", "40", "45"),
        ("admin", "A KAM with small clients", "Warn", "Forbid"),
        ("admin", "“buys a lot” share, %", "80", "75"),
    ]
    content = response.content.decode()
    assert "Alla Kuznetsova" in content
    assert "Medium clients per manager" in content


def test_policy_amount_inputs_carry_the_currency(as_admin):
    response = as_admin.get(URL)

    html = response.content.decode()
    for name in ["min_headroom", "medium_from", "large_from", "largest_from"]:
        suffix = r'>\s*<span class="input-group-text">([^<]*)</span>'
        field = re.search(rf'<div class="input-group">\s*<input[^>]*name="{name}"[^>]*{suffix}', html)
        assert field is not None, name
        assert field.group(1) == "RUB"


def test_policy_unchanged_form_writes_no_history(as_admin):
    as_admin.get(URL)
    before = policy_state()

    response = as_admin.post(URL, policy_data())

    assert response.status_code == 302
    assert messages_of(response) == ["Nothing changed."]
    assert policy_state() == before


def test_policy_stale_form_is_refused_and_keeps_the_other_save(as_admin):
    stale = policy_data(pareto_share="75")
    policy = Policy.current()
    policy.capacity_small = 120
    policy.save()

    response = as_admin.post(URL, stale)

    refreshed = Policy.current()
    assert response.status_code == 409
    assert (refreshed.pareto_share, refreshed.capacity_small) == (Decimal(80), 120)
    assert response.context["form"].non_field_errors() == [
        "Not saved: someone else saved the policy while you were editing. Their change is in the list of "
        "changes below; your values are still in the form. Check them and save again."
    ]
    assert response.context["form"]["version"].value() == policy_version(refreshed)


def test_policy_change_takes_effect_at_the_next_recompute(as_admin):
    clients = {name: ClientFactory(name=name) for name in ["Big", "Middle", "Small"]}
    for name, amount in [("Big", 50), ("Middle", 30), ("Small", 20)]:
        SaleFactory(client=clients[name], date=TODAY - datetime.timedelta(days=10), amount=amount)
    recompute(today=TODAY)

    def buys_a_lot() -> dict[str, bool]:
        rows = ClientSegment.objects.filter(client__in=clients.values()).values_list(
            "client__name", "buys_a_lot"
        )
        return dict(rows)

    assert buys_a_lot() == {"Big": True, "Middle": True, "Small": False}

    as_admin.post(URL, policy_data(pareto_share="50"))

    assert buys_a_lot() == {"Big": True, "Middle": True, "Small": False}
    recompute(today=TODAY)
    assert buys_a_lot() == {"Big": True, "Middle": False, "Small": False}


def test_time_split_over_100_percent_is_refused_and_nothing_saved(as_admin):
    before = policy_state()

    response = as_admin.post(
        URL, policy_data(split_ab_share="50", split_c_share="20", split_development_share="40")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["split_development_share"] == [
        "The time split cannot exceed 100% of a manager's time (now 110%)."
    ]
    assert policy_state() == before
