"""A sales import, in Russian, in a real browser: an admin uploads a Windows-1251 file as 1C
writes it with one bad row, sees that row named and nothing written, uploads the fixed file,
imports it, and sees the card's sales and, after the nightly run, its segments. It runs without
a broker, as the embedded default does, whatever the environment says."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Sale
from kam.imports.models import ImportRun
from tests.e2e.conftest import log_in
from tests.factories import AdminFactory, ClientFactory, ProductGroupFactory

pytestmark = pytest.mark.browser

HEADER = "ИНН;Товарная группа;Дата;Документ;Сумма\r\n"


def sales_file(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes((HEADER + "".join(f"{row}\r\n" for row in rows)).encode("cp1251"))
    return path


def test_an_admin_imports_a_1c_sales_file_after_fixing_its_bad_row(page_in, tmp_path, db, settings):
    # The embedded default: no broker, so the check and the import run in the request (with a
    # broker they run on the worker: tests/imports/test_worker.py).
    settings.CELERY_BROKER_URL = ""
    client = ClientFactory(name="Северная сталь", inn="7707083893")
    ProductGroupFactory(name="Кабели")
    admin = AdminFactory(first_name="Алла", last_name="Кузнецова")
    today = date.today()
    rows = [
        f"7707083893;Кабели;{today:%d.%m}.{today.year - 1};РН-1;1 250 000,00",
        f"7707083893;Кабели;01.{today:%m}.{today.year};РН-2;-500,00",
        f"7707083893;Кабели;02.{today:%m}.{today.year};РН-3;730 000,50",
    ]
    bad = sales_file(tmp_path, "продажи.csv", rows)
    fixed = sales_file(
        tmp_path, "продажи-исправлено.csv", [*rows[:1], rows[1].replace("-500,00", "500,00"), rows[2]]
    )
    page = page_in("ru")
    log_in(page, admin)

    page.goto("/imports/")
    page.get_by_label("Что в файле").select_option(label="Продажи")
    page.locator("#id_file").set_input_files(str(bad))
    page.get_by_role("button", name="Проверить файл").click()

    expect(page.locator("#run-facts")).to_contain_text("cp1251")
    expect(page.locator("#run-facts code").first).to_have_text(";")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("3")
    expect(problems.first).to_contain_text("Сумма")
    expect(problems.first).to_contain_text("Сумма отрицательная: -500,00.")
    expect(page.locator("#commit-form")).to_have_count(0)
    assert Sale.objects.count() == 0

    page.goto("/imports/")
    page.get_by_label("Что в файле").select_option(label="Продажи")
    page.locator("#id_file").set_input_files(str(fixed))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator("#problems")).to_have_count(0)
    page.get_by_role("button", name="Загрузить 3 строки").click()

    expect(page.locator("#counts")).to_contain_text("создано 3, обновлено 0, без изменений 0")
    assert sorted(Sale.objects.values_list("document", "amount")) == [
        ("РН-1", Decimal("1250000.00")),
        ("РН-2", Decimal("500.00")),
        ("РН-3", Decimal("730000.50")),
    ]
    assert ImportRun.objects.filter(status="committed").count() == 1

    page.goto(f"/clients/{client.pk}/sales/")
    expect(page.get_by_role("cell", name="Кабели")).to_be_visible()

    call_command("run_nightly")
    page.goto(f"/clients/{client.pk}/")
    panel = page.locator("#segment-panel")
    expect(panel).not_to_contain_text("Ещё не рассчитано")
    expect(panel.get_by_text("Категория ABCD")).to_be_visible()
