"""A whole key-list review in Russian, in a real browser: a director opens it, decides on three
clients (a grant the cap refuses says why and is not recorded), gives an action item, closes it
with the minutes, opens the print view and downloads the Excel file."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from openpyxl import load_workbook
from playwright.sync_api import expect

from segmentation.keys.selectors import key_cap
from segmentation.models import ClientSegment, KeyStatus, Policy, Review
from tests.e2e.conftest import log_in
from tests.factories import ClientFactory, DirectorFactory, ManagerFactory

pytestmark = pytest.mark.browser


def ru(message: str) -> str:
    with translation.override("ru"):
        return gettext(message)


@pytest.fixture
def key_list(db):
    """Ten active clients, two of them key: the 20% cap is full."""
    anna = ManagerFactory(first_name="Анна", last_name="Смирнова")
    for name, potential in [("Альфа", 9000), ("Бета", 5000)]:
        client = ClientFactory(name=name, responsible_manager=anna)
        ClientSegment.objects.create(client=client, tier="gold", potential=potential)
        KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])
    candidate = ClientFactory(name="Гамма", responsible_manager=anna)
    ClientSegment.objects.create(client=candidate, tier="silver", potential=4000)
    ClientFactory.create_batch(7, responsible_manager=anna)
    return anna


def test_a_whole_review_meeting_in_russian(page_in, key_list, tmp_path):
    director = DirectorFactory(first_name="Дмитрий", last_name="Волков")
    cap = key_cap(Policy.current())
    assert (cap.count, cap.limit) == (2, 2)
    page = page_in("ru")
    log_in(page, director)

    page.goto("/segments/reviews/")
    page.get_by_role("button", name="Открыть обзор").click()
    expect(page.get_by_text("Обзор открыт, клиентов: 3.")).to_be_visible()
    review = Review.objects.get()
    page.get_by_role("link", name="Начать с первого клиента").click()

    # 1. Keep the first key client; the meeting moves on to the second.
    expect(page.get_by_text("Клиент 1 из 3")).to_be_visible()
    expect(page.locator("#review-shortcuts")).to_contain_text("вперёд")
    page.get_by_label("Оставить", exact=True).check()
    page.get_by_label("Примечание").fill("Ключевой, всё в порядке")
    page.get_by_role("button", name="Записать и перейти к следующему").click()
    expect(page.get_by_text("Альфа: Оставить.")).to_be_visible()
    expect(page.get_by_text("Клиент 2 из 3")).to_be_visible()

    # The keyboard: back and forth.
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text("Клиент 1 из 3")).to_be_visible()
    page.keyboard.press("n")
    expect(page.get_by_text("Клиент 2 из 3")).to_be_visible()

    # 2. Watch the second.
    page.get_by_label("Наблюдать", exact=True).check()
    page.get_by_role("button", name="Записать и перейти к следующему").click()
    expect(page.get_by_text("Бета: Наблюдать.")).to_be_visible()

    # 3. A grant to the candidate: the cap refuses it, with its rule, and nothing is recorded.
    expect(page.get_by_text("Клиент 3 из 3")).to_be_visible()
    page.get_by_label("Присвоить ключевой статус", exact=True).check()
    page.get_by_label(ru("Strategic importance"), exact=True).check()
    page.get_by_role("button", name="Записать решение").click()
    with translation.override("ru"):
        refusal = ngettext(
            "Refused: key clients may not exceed %(cap)s%% of the %(base)s active client (%(limit)s).",
            "Refused: key clients may not exceed %(cap)s%% of the %(base)s active clients (%(limit)s).",
            10,
        ) % {"cap": "20", "base": 10, "limit": 2}
    expect(page.get_by_text(refusal)).to_be_visible()
    assert review.items.get(position=3).decision == ""
    assert not KeyStatus.objects.filter(client__name="Гамма").exists()

    # An action item for the responsible manager.
    due = date.today() + timedelta(days=14)
    page.get_by_label("Что").fill("Встретиться с ЛПР в Париже")
    page.get_by_label("Исполнитель").select_option(label=str(key_list))
    page.get_by_label("Срок").fill(due.isoformat())
    page.get_by_role("button", name="Добавить поручение").click()
    expect(page.get_by_text("Поручение для Анна Смирнова добавлено.")).to_be_visible()
    expect(page.locator("#review-actions")).to_contain_text("Встретиться с ЛПР в Париже")

    # Close with the minutes.
    page.keyboard.press("u")
    page.get_by_role("link", name="Закрыть обзор").click()
    expect(page.get_by_role("heading", name="Закрыть обзор")).to_be_visible()
    page.get_by_label("Другие участники").fill("Генеральный директор")
    page.get_by_label("Протокол").fill("Список согласован, Гамма ждёт места под лимитом.")
    page.get_by_role("button", name="Закрыть обзор").click()
    expect(page.get_by_text("Обзор закрыт, протокол сохранён.")).to_be_visible()
    expect(page.get_by_text("Список согласован, Гамма ждёт места под лимитом.")).to_be_visible()

    # The print view.
    page.get_by_role("link", name="Печать").click()
    expect(page.locator("#print-items")).to_contain_text("Гамма")
    expect(page.locator("#print-actions")).to_contain_text("Встретиться с ЛПР в Париже")
    expect(page.locator(".minutes")).to_contain_text("Дмитрий Волков, Генеральный директор")
    pdf = tmp_path / "review.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), landscape=True, format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")

    # The Excel file.
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    book = load_workbook(BytesIO(download.value.path().read_bytes()))
    assert book.sheetnames == ["Клиенты", "Поручения", "Протокол"]
    clients = list(book["Клиенты"].iter_rows(values_only=True))
    headers = clients[0]
    rows = {row[1]: dict(zip(headers, row, strict=True)) for row in clients[1:]}
    assert list(rows) == ["Альфа", "Бета", "Гамма"]
    assert [rows[name]["Решение"] for name in rows] == ["Оставить", "Наблюдать", None]
    assert rows["Альфа"]["Примечание"] == "Ключевой, всё в порядке"
    assert rows["Гамма"]["Ключевой статус"] == "Кандидат"
    actions = list(book["Поручения"].iter_rows(values_only=True))
    assert actions[1][:3] == ("Гамма", "Встретиться с ЛПР в Париже", "Анна Смирнова")
    assert actions[1][3].date() == due
    minutes = list(book["Протокол"].iter_rows(values_only=True))
    assert minutes[1][-1] == "Список согласован, Гамма ждёт места под лимитом."
