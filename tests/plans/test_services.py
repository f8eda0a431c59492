"""Starting, running and closing plans; the templates they start from."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Sale
from plans import selectors, services
from plans.models import Plan, PlanKind, PlanStep, PlanTemplate, TemplateStep
from segmentation.models import LostStatus, Tier
from segmentation.segments.engine import recompute
from tests.factories import ClientFactory, RefusalFactory, SaleFactory, TouchFactory
from tests.plans.conftest import TODAY, segment

pytestmark = pytest.mark.django_db


def template(kind):
    return PlanTemplate.objects.get(kind=kind)


def test_the_templates_hold_the_texts_steps_in_both_languages():
    counts = {t.kind: t.steps.filter(is_active=True).count() for t in PlanTemplate.objects.all()}
    first = template(PlanKind.RETENTION).steps.order_by("position").first()

    assert counts == {PlanKind.RETENTION: 9, PlanKind.DEVELOPMENT: 6, PlanKind.WIN_BACK: 5}
    assert first.text_en == "Fill in the client card as fully as possible"
    assert first.text_ru == "Заполнить карточку клиента максимально подробно"


def test_a_plan_copies_its_templates_steps_due_by_their_offsets(plan, manager, client_card):
    steps = list(plan.steps.order_by("position"))

    assert plan.owner == manager
    assert plan.started_on == TODAY
    assert [s.position for s in steps] == [1, 2, 3, 4, 5, 6]
    assert steps[0].text_en == "Run the “Ideal supplier” and “Ideal service” questionnaires"
    assert steps[0].due == TODAY + datetime.timedelta(days=14)
    assert steps[-1].due == TODAY + datetime.timedelta(days=90)
    assert {s.assignee for s in steps} == {manager}


def test_the_owner_is_the_responsible_manager_whoever_clicks(client_card, manager, director):
    started = services.plan_create(client=client_card, kind=PlanKind.RETENTION, by=director, today=TODAY)

    assert started.owner == manager
    assert started.history.first().history_user == director


def test_a_client_without_a_responsible_manager_gets_no_plan(director):
    orphan = ClientFactory(responsible_manager=None)

    with pytest.raises(services.NoOwnerError):
        services.plan_create(client=orphan, kind=PlanKind.RETENTION, by=director)
    assert not Plan.objects.exists()


def test_one_active_plan_per_client_and_kind(plan, client_card, manager):
    with pytest.raises(services.ActivePlanExistsError):
        services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)

    other = services.plan_create(client=client_card, kind=PlanKind.RETENTION, by=manager)
    assert other.pk != plan.pk
    assert Plan.objects.filter(client=client_card, kind=PlanKind.DEVELOPMENT).count() == 1


def test_the_database_refuses_a_second_active_plan_of_a_kind(plan, client_card, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(client=client_card, kind=PlanKind.DEVELOPMENT, owner=manager, started_on=TODAY)


def test_a_closed_plan_makes_room_for_a_new_one(plan, client_card, manager):
    services.plan_close(plan=plan, outcome="achieved", note="", expected_version=plan.version, by=manager)

    again = services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)

    assert again.is_active
    plan.refresh_from_db()
    assert (plan.status, plan.outcome, plan.closed_on is not None) == ("closed", "achieved", True)


def test_template_changes_do_not_change_running_plans(plan, admin_user):
    dev = template(PlanKind.DEVELOPMENT)
    first = dev.steps.order_by("position").first()
    services.template_step_update(
        step=first,
        values={"text_en": "Reworded", "text_ru": "Иначе", "offset_days": 1},
        expected_version=first.version,
        by=admin_user,
    )
    services.template_step_retire(
        step=dev.steps.order_by("position").last(), retire=True, expected_version=1, by=admin_user
    )
    services.template_step_add(
        template=dev, values={"text_en": "New", "text_ru": "", "offset_days": 5}, by=admin_user
    )

    running = list(plan.steps.order_by("position").values_list("text_en", flat=True))
    assert len(running) == 6
    assert running[0] == "Run the “Ideal supplier” and “Ideal service” questionnaires"
    new = services.plan_create(client=ClientFactory(), kind=PlanKind.DEVELOPMENT, by=admin_user, today=TODAY)
    texts = list(new.steps.order_by("position").values_list("text_en", "due"))
    assert texts[0] == ("Reworded", TODAY + datetime.timedelta(days=1))
    assert len(texts) == 6  # five left in use, plus the new one
    assert texts[-1] == ("New", TODAY + datetime.timedelta(days=5))


def test_moving_a_step_swaps_it_with_its_neighbour_in_use(admin_user):
    win = template(PlanKind.WIN_BACK)
    steps = list(win.steps.order_by("position"))
    services.template_step_retire(step=steps[1], retire=True, expected_version=1, by=admin_user)

    assert services.template_step_move(step=steps[2], up=True, by=admin_user)
    assert not services.template_step_move(step=steps[2], up=True, by=admin_user)  # first now

    in_use = [s.pk for s in selectors.template_steps(win) if s.is_active]
    assert in_use == [steps[2].pk, steps[0].pk, steps[3].pk, steps[4].pk]


def test_a_stale_template_step_save_is_refused(admin_user, director):
    step = template(PlanKind.RETENTION).steps.first()
    services.template_step_update(step=step, values={"offset_days": 3}, expected_version=1, by=admin_user)

    with pytest.raises(services.StaleVersionError) as refused:
        services.template_step_update(
            step=TemplateStep.objects.get(pk=step.pk),
            values={"offset_days": 9},
            expected_version=1,
            by=director,
        )
    assert refused.value.conflict.changed_by == admin_user
    assert TemplateStep.objects.get(pk=step.pk).offset_days == 3


def test_a_stale_step_save_is_refused_with_who_changed_it(plan, manager, director):
    step = plan.steps.first()
    services.plan_step_save(step=step, values={"note": "Called"}, expected_version=1, by=manager)

    with pytest.raises(services.StaleVersionError) as refused:
        services.plan_step_save(
            step=PlanStep.objects.get(pk=step.pk), values={"note": "Mine"}, expected_version=1, by=director
        )
    conflict = refused.value.conflict
    assert conflict.changed_by == manager
    assert [(c.field, c.new) for c in conflict.changes] == [("Note", "Called")]
    assert PlanStep.objects.get(pk=step.pk).note == "Called"


def test_a_stale_close_is_refused(plan, manager):
    services.plan_offer_save(plan=plan, kind="gift", text="", expected_version=1, by=manager)

    with pytest.raises(services.StaleVersionError):
        services.plan_close(
            plan=Plan.objects.get(pk=plan.pk), outcome="abandoned", note="", expected_version=1, by=manager
        )
    assert Plan.objects.get(pk=plan.pk).is_active


def test_steps_of_a_closed_plan_stay_as_they_were(plan, manager):
    step = plan.steps.first()
    services.plan_close(plan=plan, outcome="not_achieved", note="", expected_version=1, by=manager)

    with pytest.raises(services.PlanClosedError):
        services.plan_step_save(step=step, values={"done_on": TODAY}, expected_version=1, by=manager)
    assert PlanStep.objects.get(pk=step.pk).done_on is None


def test_a_step_records_the_touch_that_did_it(plan, manager, client_card):
    touch = TouchFactory(client=client_card, date=TODAY)
    step = plan.steps.first()

    services.plan_step_save(
        step=step, values={"touch": touch, "done_on": TODAY}, expected_version=1, by=manager
    )

    step.refresh_from_db()
    assert (step.touch, step.done_on, step.version) == (touch, TODAY, 2)


# Win-back


def lost_client(manager, **figures):
    client = ClientFactory(responsible_manager=manager)
    defaults = {
        "tier": Tier.GOLD,
        "lost_status": LostStatus.LOST,
        "last_purchase": TODAY - datetime.timedelta(days=200),
        "usual_interval": Decimal("30.0"),
        "purchase_dates": 9,
    }
    segment(client, category="B", **(defaults | figures))
    return client


def test_a_win_back_plan_keeps_the_lost_criteria(manager, english):
    client = lost_client(manager)

    started = services.plan_create(client=client, kind=PlanKind.WIN_BACK, by=manager, today=TODAY)

    assert started.lost_criteria["days_since"] == 200
    assert selectors.lost_sentences(started.lost_criteria) == [
        "Last purchase on 27 Nov 2025: no purchase for 200 days.",
        "Usual interval 30 days: lost after more than 3 usual intervals and at least 60 days.",
    ]


def test_the_lost_criteria_without_a_rhythm(manager, english):
    client = lost_client(manager, usual_interval=None, purchase_dates=1)

    started = services.plan_create(client=client, kind=PlanKind.WIN_BACK, by=manager, today=TODAY)

    assert selectors.lost_sentences(started.lost_criteria)[1] == (
        "No regular rhythm (fewer than three purchase dates): lost after 180 days without buying."
    )


def test_the_refusals_summary_counts_by_quarter_and_reason(client_card):
    RefusalFactory(client=client_card, date=datetime.date(2026, 2, 1), reason="price")
    RefusalFactory(client=client_card, date=datetime.date(2026, 2, 9), reason="price")
    RefusalFactory(client=client_card, date=datetime.date(2026, 5, 1), reason="delivery")

    summary = selectors.refusals_summary(client_card)

    assert summary["count"] == 3
    assert [(q["year"], q["quarter"], q["counts"]) for q in summary["quarters"]] == [
        (2026, 2, [0, 1]),
        (2026, 1, [2, 0]),
    ]


def test_a_client_won_back_closes_its_win_back_plan_as_won_on_that_day(manager):
    client = lost_client(manager)
    started = services.plan_create(client=client, kind=PlanKind.WIN_BACK, by=manager, today=TODAY)
    other = services.plan_create(client=client, kind=PlanKind.RETENTION, by=manager, today=TODAY)
    won_on = TODAY + datetime.timedelta(days=10)
    segment(client, category="B", lost_status=LostStatus.WON_BACK, won_back_on=won_on)

    assert services.close_won_back_plans() == 1
    assert services.close_won_back_plans() == 0

    started.refresh_from_db()
    assert (started.status, started.outcome, started.closed_on) == ("closed", "won_back", won_on)
    assert started.history.first().history_type == "~"
    assert started.history.count() == 2
    assert Plan.objects.get(pk=other.pk).is_active


def test_a_win_back_started_after_the_win_back_day_stays_open(manager):
    client = lost_client(
        manager, lost_status=LostStatus.WON_BACK, won_back_on=TODAY - datetime.timedelta(days=1)
    )
    started = services.plan_create(client=client, kind=PlanKind.WIN_BACK, by=manager, today=TODAY)

    assert services.close_won_back_plans() == 0
    assert Plan.objects.get(pk=started.pk).is_active


def test_the_nightly_run_closes_won_back_plans(manager):
    client = lost_client(manager)
    started = services.plan_create(client=client, kind=PlanKind.WIN_BACK, by=manager, today=TODAY)
    for months in (12, 11, 10):
        SaleFactory(client=client, date=TODAY - datetime.timedelta(days=30 * months))
    recompute(today=TODAY)  # lost: nothing bought for 300 days
    assert Plan.objects.get(pk=started.pk).is_active
    SaleFactory(client=client, date=TODAY + datetime.timedelta(days=3))

    recompute(today=TODAY + datetime.timedelta(days=4))

    started.refresh_from_db()
    assert (started.outcome, started.closed_on) == ("won_back", TODAY + datetime.timedelta(days=4))
    assert Sale.objects.filter(client=client).count() == 4
