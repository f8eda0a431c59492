"""The plan the strategy suggests, progress and overdue steps, against fixed dates."""

import datetime

import pytest

from plans import selectors, services
from plans.models import PlanKind
from segmentation.models import KeyStatus, LostStatus, Tier, TierOverride
from tests.plans.conftest import TODAY, segment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "tier", "key", "lost", "expected"),
    [
        ("A", Tier.BRONZE, False, LostStatus.ACTIVE, PlanKind.DEVELOPMENT),
        ("C", Tier.GOLD, False, LostStatus.AT_RISK, PlanKind.DEVELOPMENT),
        ("B", Tier.SILVER, False, LostStatus.ACTIVE, PlanKind.RETENTION),
        ("D", Tier.GOLD, False, LostStatus.ACTIVE, None),
        ("", Tier.GOLD, False, LostStatus.ACTIVE, None),
        ("B", Tier.SILVER, False, LostStatus.LOST, PlanKind.WIN_BACK),
        ("D", Tier.GOLD, False, LostStatus.LOST, PlanKind.WIN_BACK),
        ("A", Tier.BRONZE, True, LostStatus.LOST, PlanKind.WIN_BACK),
        ("A", Tier.BRONZE, False, LostStatus.LOST, PlanKind.DEVELOPMENT),
        ("D", Tier.BRONZE, False, LostStatus.LOST, None),
        ("B", Tier.GOLD, False, LostStatus.WON_BACK, PlanKind.RETENTION),
    ],
)
def test_the_strategy_calls_for_a_plan(category, tier, key, lost, expected):
    found = selectors.strategy_kind(category, tier, key, lost)

    assert (found[0] if found else None) == expected


def test_the_suggestion_reads_the_effective_tier_and_key_status(client_card, director):
    segment(client_card, category="B", tier=Tier.BRONZE, lost_status=LostStatus.LOST)
    assert selectors.suggestion(client_card).kind == PlanKind.RETENTION

    TierOverride.objects.create(client=client_card, tier=Tier.SILVER, reason="Image client")
    assert selectors.suggestion(client_card).kind == PlanKind.WIN_BACK

    TierOverride.objects.all().delete()
    KeyStatus.objects.create(client=client_card, is_key=True)
    assert selectors.suggestion(client_card).kind == PlanKind.WIN_BACK


def test_no_suggestion_before_the_nightly_run_or_when_the_plan_is_running(client_card, manager):
    assert selectors.suggestion(client_card) is None

    segment(client_card, category="A")
    assert selectors.suggestion(client_card).kind == PlanKind.DEVELOPMENT

    services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)
    assert selectors.suggestion(client_card) is None


def test_the_card_s_plans_panel_reads_the_active_kinds_from_its_own_plans(
    client_card, manager, django_assert_num_queries
):
    """The panel lists the active plans and gives their kinds to the suggestion: one query for
    both (the client's segments and decisions are read once for every panel)."""
    from django.test import RequestFactory

    from plans.extensions import plans_panel
    from segmentation.extensions import card_decisions

    segment(client_card, category="A")
    services.plan_create(client=client_card, kind=PlanKind.RETENTION, by=manager)
    request = RequestFactory().get("/")
    card_decisions(request, client_card)

    with django_assert_num_queries(1):
        panel = plans_panel(request, client_card)["plans_panel"]
    assert [summary["plan"].kind for summary in panel["active"]] == [PlanKind.RETENTION]
    assert panel["suggestion"].kind == PlanKind.DEVELOPMENT

    services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)
    assert plans_panel(request, client_card)["plans_panel"]["suggestion"] is None


@pytest.mark.parametrize(
    ("done", "total", "expected"), [(0, 0, 0), (0, 6, 0), (1, 6, 17), (3, 6, 50), (2, 3, 67), (9, 9, 100)]
)
def test_progress_is_done_steps_over_steps(done, total, expected):
    assert selectors.progress(done, total) == expected


def test_overdue_is_due_before_today_and_not_done(plan, manager):
    steps = list(plan.steps.order_by("position"))  # due TODAY + 14, 30, 45, 60, 75, 90
    day_31 = TODAY + datetime.timedelta(days=31)
    services.plan_step_save(step=steps[0], values={"done_on": TODAY}, expected_version=1, by=manager)

    card = selectors.plan_cards(plan.client, today=day_31)[0]

    assert [row.overdue for row in card.rows] == [False, True, False, False, False, False]
    assert (card.progress, card.done, card.overdue, card.total) == (17, 1, 1, 6)
    assert not selectors.plan_cards(plan.client, today=TODAY + datetime.timedelta(days=30))[0].overdue


def test_a_closed_plan_flags_nothing_and_comes_after_the_active_ones(plan, manager, client_card):
    services.plan_close(plan=plan, outcome="abandoned", note="", expected_version=1, by=manager)
    running = services.plan_create(client=client_card, kind=PlanKind.RETENTION, by=manager, today=TODAY)

    cards = selectors.plan_cards(client_card, today=TODAY + datetime.timedelta(days=365))

    assert [c.plan.pk for c in cards] == [running.pk, plan.pk]
    assert cards[1].overdue == 0
    assert cards[0].overdue == 9


def test_the_panel_summarises_active_plans_in_one_query(plan, manager, assert_queries):
    services.plan_step_save(
        step=plan.steps.first(), values={"done_on": TODAY}, expected_version=1, by=manager
    )

    rows = assert_queries(
        1, lambda: selectors.plan_summaries(plan.client, today=TODAY + datetime.timedelta(days=31))
    )

    assert [(r["plan"].pk, r["progress"], r["overdue"]) for r in rows] == [(plan.pk, 17, 1)]
