"""A manager leaves, in Russian, in a real browser: an admin opens the handover page, splits the
manager's active clients by size class across two managers, previews both loads before and
after, applies with the reason, and sees the move's page; the manager is deactivated after."""

import pytest
from playwright.sync_api import expect

from accounts.models import Client
from segmentation.models import ClientSegment, KeyStatus, Reassignment
from tests.e2e.conftest import log_in
from tests.factories import AdminFactory, ClientFactory, ManagerFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def departing(db):
    """Анна leaves with two small, one medium, one large (key) and one very large client;
    Борис holds one very large key client, Вера nothing."""
    anna = ManagerFactory(first_name="Анна", last_name="Смирнова")
    for name, size, key in [
        ("Альфа", "small", False),
        ("Бета", "small", False),
        ("Гамма", "medium", False),
        ("Дельта", "large", True),
        ("Эпсилон", "largest", False),
    ]:
        client = ClientFactory(name=name, responsible_manager=anna)
        ClientSegment.objects.create(client=client, size_class=size)
        if key:
            KeyStatus.objects.create(client=client, is_key=True)
    boris = ManagerFactory(first_name="Борис", last_name="Орлов")
    omega = ClientFactory(name="Омега", responsible_manager=boris)
    ClientSegment.objects.create(client=omega, size_class="largest")
    KeyStatus.objects.create(client=omega, is_key=True)
    vera = ManagerFactory(first_name="Вера", last_name="Лис")
    return anna, boris, vera


def test_an_admin_hands_a_leaving_managers_clients_to_two_managers(page_in, departing):
    anna, boris, vera = departing
    admin = AdminFactory(first_name="Алла", last_name="Кузнецова")
    page = page_in("ru")
    log_in(page, admin)

    page.goto(f"/segments/workload/managers/{anna.pk}/leave/")
    expect(page.get_by_role("heading", name="Анна Смирнова уходит: передача клиентов")).to_be_visible()
    expect(page.get_by_role("heading", name="5 активных клиентов")).to_be_visible()
    page.get_by_label("Мелкий").select_option(label="Вера Лис")
    page.get_by_label("Средний").select_option(label="Вера Лис")
    page.get_by_label("Крупный", exact=True).select_option(label="Борис Орлов")
    page.get_by_label("Крупнейший").select_option(label="Борис Орлов")
    page.get_by_role("button", name="Предпросмотр передачи").click()

    loads = page.locator("#preview-loads tbody tr")
    expect(loads).to_have_count(3)
    expect(page.locator(f'#preview-loads tr[data-manager="{anna.pk}"] .load')).to_have_text("48% → 0%")
    expect(page.locator(f'#preview-loads tr[data-manager="{vera.pk}"] .load')).to_have_text("0% → 5%")
    expect(page.locator(f'#preview-loads tr[data-manager="{boris.pk}"] .load')).to_have_text("33% → 77%")
    expect(page.locator("#preview-warnings, #preview-refusals")).to_have_count(0)
    expect(page.get_by_label("Причина")).to_have_value("Анна Смирнова уходит")
    page.get_by_label("Причина").fill("Анна Смирнова уходит из компании")
    page.get_by_label("Деактивировать пользователя Анна Смирнова после передачи").check()
    page.get_by_role("button", name="Передать 5 клиентов").click()

    expect(page.get_by_text("5 клиентов передано: Вера Лис, Борис Орлов.")).to_be_visible()
    expect(page.get_by_text("Пользователь Анна Смирнова деактивирован.")).to_be_visible()
    expect(page.get_by_role("heading", name="Передано 5 клиентов")).to_be_visible()
    expect(page.locator("#reassignment-reason")).to_have_text("Анна Смирнова уходит из компании")
    summary = page.locator("#reassignment-summary tbody tr")
    expect(summary).to_have_count(2)
    expect(summary.nth(0)).to_contain_text("Анна Смирнова")
    expect(summary.nth(0)).to_contain_text("Вера Лис")
    expect(summary.nth(0)).to_contain_text("3")
    expect(summary.nth(1)).to_contain_text("Борис Орлов")
    expect(summary.nth(1)).to_contain_text("2")

    moved = Reassignment.objects.get()
    assert (moved.departing, moved.clients) == (anna, 5)
    assert dict(
        Client.objects.filter(responsible_manager=vera).values_list("name", "responsible_manager")
    ) == {
        "Альфа": vera.pk,
        "Бета": vera.pk,
        "Гамма": vera.pk,
    }
    assert sorted(Client.objects.filter(responsible_manager=boris).values_list("name", flat=True)) == [
        "Дельта",
        "Омега",
        "Эпсилон",
    ]
    anna.refresh_from_db()
    assert anna.is_active is False
