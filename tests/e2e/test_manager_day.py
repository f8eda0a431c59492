"""A manager's plans and day in Russian, in a real browser: start the development plan the
card suggests, tick two steps and see the progress, then find an overdue step and a coming
birthday on the day view, and log the congratulation."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import Contact, Touch
from plans.models import Plan
from plans.services import plan_create
from segmentation.models import ClientSegment
from tests.e2e.conftest import log_in
from tests.factories import ClientFactory, ContactFactory, ManagerFactory

pytestmark = pytest.mark.browser


def test_a_manager_s_plan_and_day_in_russian(page_in, plan_templates):
    manager = ManagerFactory(first_name="Анна", last_name="Смирнова")
    card = ClientFactory(name="Сибирская сталь", responsible_manager=manager)
    ClientSegment.objects.create(client=card, category="C", tier="silver")
    soon = date.today() + timedelta(days=3)
    ContactFactory(
        client=card,
        name="Иван Кузьмин",
        birthday=soon.replace(year=1975),
        decision_role=Contact.DecisionRole.DECISION_MAKER,
    )
    other = ClientFactory(name="Уральские трубы", responsible_manager=manager)
    ClientSegment.objects.create(client=other, category="B", tier="gold")
    late = plan_create(client=other, kind="retention", by=manager, today=date.today() - timedelta(days=60))
    overdue_step = late.steps.order_by("position").first()
    page = page_in("ru")
    log_in(page, manager)

    # Managers land on their day.
    expect(page).to_have_url("/plans/day/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Мой день")

    # The card suggests the development plan (category C) and starts it in one click.
    page.goto(f"/clients/{card.pk}/")
    page.locator(".card-tabs").get_by_role("link", name="Планы", exact=True).click()
    expect(page.locator("#plan-suggestion")).to_contain_text("План развития")
    page.locator("#plan-suggestion").get_by_role("button").click()
    plan = Plan.objects.get(client=card)
    card_box = page.locator(f"#plan-{plan.pk}")
    expect(card_box.locator("progress")).to_have_attribute("value", "0")

    # Tick two steps: the progress follows.
    for progress in ["17", "33"]:
        card_box.get_by_role("button", name="Отметить выполненным").first.click()
        expect(card_box.locator("progress")).to_have_attribute("value", progress)
    assert plan.steps.filter(done_on=date.today()).count() == 2

    # The day shows the other plan's overdue step and the coming birthday.
    page.locator("#main-nav").get_by_role("link", name="Мой день").click()
    steps = page.locator("#day-plan-step-list")
    expect(steps).to_contain_text("Уральские трубы")
    expect(steps).to_contain_text(overdue_step.text_ru)
    expect(steps).to_contain_text("просрочен")
    birthdays = page.locator("#day-birthday-list")
    expect(birthdays).to_contain_text("Иван Кузьмин")
    birthdays.get_by_role("button", name="Записать поздравление").click()
    expect(page.get_by_text("Поздравление для Иван Кузьмин записано как касание.")).to_be_visible()
    expect(birthdays).to_contain_text("поздравлен")
    assert Touch.objects.filter(client=card, kind="congratulation").count() == 1
