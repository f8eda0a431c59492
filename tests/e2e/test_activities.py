"""Development activities in a real browser, in Russian: a manager adds an activity inline on the
card's Activities tab and the ladder climbs; a director finds the client on the loyalty ladder."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from plans.models import Activity, ActivityKind, Rung
from segmentation.models import ClientSegment
from tests.e2e.conftest import log_in
from tests.factories import ClientFactory, ContactFactory, DirectorFactory, ManagerFactory

pytestmark = pytest.mark.browser


def test_a_manager_adds_an_activity_and_a_director_sees_the_ladder(page_in):
    manager = ManagerFactory(first_name="Анна", last_name="Смирнова")
    card = ClientFactory(name="Сибирская сталь", responsible_manager=manager)
    ClientSegment.objects.create(client=card, category="A", tier="gold")
    ContactFactory(client=card, name="Иван Кузьмин")
    Activity.objects.create(
        client=card,
        kind=ActivityKind.TRAINING,
        rung=Rung.PRODUCT_USE,
        date=date.today() - timedelta(days=30),
        title="Вебинар для инженеров",
    )
    page = page_in("ru")
    log_in(page, manager)
    page.goto(f"/plans/clients/{card.pk}/activities/")
    expect(page.locator("#ladder li.fw-semibold")).to_have_attribute("data-rung", "1")

    page.get_by_role("link", name="Добавить мероприятие").click()
    form = page.locator("#activity-form")
    form.get_by_label("Вид").select_option(label="Консультирование топ-менеджмента")
    form.get_by_label("Дата").fill((date.today() - timedelta(days=1)).isoformat())
    form.get_by_label("Ступень лестницы лояльности").select_option(
        label="Повышение эффективности бизнеса клиента"
    )
    form.get_by_label("Название").fill("Стратегическая сессия")
    form.get_by_label("Участники со стороны клиента").select_option(label="Иван Кузьмин")
    form.get_by_role("button", name="Сохранить").click()

    # The list and the ladder refresh in place, the form slot empties.
    expect(page.locator("#activity-list li").first).to_contain_text("Стратегическая сессия")
    expect(page.locator("#activity-form")).to_be_empty()
    expect(page.locator("#ladder li.fw-semibold")).to_have_attribute("data-rung", "4")
    expect(page.locator("#ladder li.fw-semibold")).to_contain_text("высшая достигнутая")
    assert page.url.endswith(f"/plans/clients/{card.pk}/activities/")

    director = DirectorFactory()
    page.context.clear_cookies()
    log_in(page, director)
    page.goto("/plans/ladder/")
    row = page.locator("#ladder-table tr[data-category='A']")
    row.locator("td").nth(4).get_by_role("link", name="1").click()
    expect(page.locator("#results")).to_contain_text("Сибирская сталь")
