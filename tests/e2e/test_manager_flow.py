"""The account manager's main flows, in a real browser: the decision group, editing
the card, what an outsider gets, two tabs saving the same card or the same contact, and all
of it in Russian."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import Contact
from tests.e2e.conftest import log_in
from tests.factories import ClientFactory

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Texts:
    """What the pages say, in one language (the Russian ones are the catalogue's msgstr)."""

    log_in: str
    my_clients: str
    tabs: list[str]
    add_contact: str
    decision_maker: str
    save: str
    influence_60: str
    influence_warning: str
    edit_card: str
    card_saved: str
    name_field: str
    full_name_field: str


ENGLISH = Texts(
    log_in="Log in",
    my_clients="My clients",
    tabs=[
        "Overview",
        "Decision group",
        "Points of presence",
        "Touches",
        "Sales",
        "Refusals",
        "Potential",
        "Plans",
        "Questionnaires",
        "Activities",
        "Handover",
        "History",
    ],
    add_contact="Add a contact",
    decision_maker="Decision maker",
    save="Save",
    influence_60="Influence: 60%",
    influence_warning="The influence of active contacts should add up to 100%.",
    edit_card="Edit card",
    card_saved="The card was saved.",
    name_field="Name",
    full_name_field="Full name",
)

RUSSIAN = Texts(
    log_in="Войти",
    my_clients="Мои клиенты",
    tabs=[
        "Обзор",
        "Группа принятия решений",
        "Точки присутствия",
        "Касания",
        "Продажи",
        "Отказы",
        "Потенциал",
        "Планы",
        "Анкеты",
        "Мероприятия",
        "Передача",
        "История",
    ],
    add_contact="Добавить контакт",
    decision_maker="ЛПР",
    save="Сохранить",
    influence_60="Влияние: 60%",
    influence_warning="Сумма влияния активных контактов должна составлять 100%.",
    edit_card="Редактировать карточку",
    card_saved="Карточка сохранена.",
    name_field="Название",
    full_name_field="ФИО",
)


def tab(page: Page, name: str) -> Locator:
    return page.locator(".card-tabs").get_by_role("link", name=name, exact=True)


def history_values(page: Page, field: str) -> Locator:
    """The before and after values of every change to `field` on the History tab, newest first."""
    rows = page.locator("#history tbody tr").filter(has=page.get_by_role("cell", name=field, exact=True))
    return rows.locator(".history-value")


def manager_flow(page: Page, manager, account, texts: Texts) -> None:
    """Log in, open the card, add a contact inline, rename the card, read the history."""
    card = f"/clients/{account.pk}/"
    log_in(page, manager)
    expect(page).to_have_url("/plans/day/")
    page.locator("#main-nav").get_by_role("link", name=texts.my_clients, exact=True).click()
    expect(page).to_have_url("/clients/")
    expect(page.get_by_role("heading", level=1)).to_have_text(texts.my_clients)
    expect(page.locator("#results tbody td:first-child a")).to_have_text(["Siberian Steel"])

    page.locator("#results").get_by_role("link", name="Siberian Steel", exact=True).click()
    expect(page).to_have_url(card)
    expect(page.locator(".card-tabs .nav-link")).to_have_text(texts.tabs)

    tab(page, texts.tabs[1]).click()
    expect(page).to_have_url(f"{card}contacts/")
    add_contact(page, texts)
    contact = Contact.objects.get(client=account)
    assert (contact.name, contact.position, contact.decision_role, contact.influence) == (
        "Irina Volkova",
        "Chief buyer",
        Contact.DecisionRole.DECISION_MAKER,
        60,
    )

    page.get_by_role("link", name=texts.edit_card, exact=True).click()
    expect(page).to_have_url(f"{card}edit/")
    page.locator("form [name=name]").fill("Siberian Steel Works")
    page.get_by_role("button", name=texts.save, exact=True).click()
    expect(page).to_have_url(card)
    expect(page.get_by_role("alert")).to_have_text(texts.card_saved)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Siberian Steel Works")
    account.refresh_from_db()
    assert (account.name, account.version) == ("Siberian Steel Works", 2)

    tab(page, texts.tabs[-1]).click()
    expect(page).to_have_url(f"{card}history/")
    # The rename, then the card as it was created; the new contact is there by its full name.
    expect(history_values(page, texts.name_field)).to_have_text(
        ["Siberian Steel", "Siberian Steel Works", "—", "Siberian Steel"]
    )
    expect(history_values(page, texts.full_name_field)).to_have_text(["—", "Irina Volkova"])


def add_contact(page: Page, texts: Texts) -> None:
    """The inline form opens in #entry-form by htmx and the saved contact lands in #entries."""
    url = page.url
    page.evaluate("window.sameDocument = true")  # a full page load would forget it
    page.get_by_role("link", name=texts.add_contact, exact=True).click()
    form = page.locator("#entry-form form")
    expect(form.locator("[name=name]")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    assert page.url == url

    form.locator("[name=name]").fill("Irina Volkova")
    form.locator("[name=position]").fill("Chief buyer")
    form.locator("[name=decision_role]").select_option(label=texts.decision_maker)
    form.locator("[name=influence]").fill("60")
    form.get_by_role("button", name=texts.save, exact=True).click()

    expect(page.locator("#entry-form")).to_be_empty()
    rows = page.locator("#entries tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    for index, text in enumerate(["Irina Volkova", "Chief buyer", texts.decision_maker, "60%"]):
        expect(cells.nth(index)).to_have_text(text)
    expect(page.locator("#influence-total")).to_have_text(texts.influence_60)
    expect(page.get_by_text(texts.influence_warning, exact=True)).to_be_visible()
    expect(page.locator("#no-decision-maker")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True


def test_manager_adds_a_contact_and_renames_the_card(page, manager, account):
    manager_flow(page, manager, account, ENGLISH)


def test_outsider_gets_404_for_someone_elses_card(page, outsider, account):
    ClientFactory(name="Oleg's Own Client", responsible_manager=outsider)
    log_in(page, outsider)
    card = f"/clients/{account.pk}/"

    for url in [card, f"{card}contacts/", f"{card}history/", f"{card}edit/"]:
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.locator("body")).not_to_contain_text("Siberian Steel")

    page.goto("/clients/")
    expect(page.locator("#results tbody td:first-child a")).to_have_text(["Oleg's Own Client"])


def test_two_tabs_saving_one_card_lose_nothing(context, manager, account):
    card = f"/clients/{account.pk}/"
    edit = f"{card}edit/"
    tab_a, tab_b = context.new_page(), context.new_page()
    log_in(tab_a, manager)
    tab_a.goto(edit)
    tab_b.goto(edit)

    tab_a.locator("form [name=website]").fill("https://new.example.com")
    tab_a.get_by_role("button", name="Save", exact=True).click()
    expect(tab_a).to_have_url(card)
    expect(tab_a.get_by_role("alert")).to_have_text("The card was saved.")

    notes = "Call the chief buyer before the spring tender."
    tab_b.locator("form [name=notes]").fill(notes)
    with tab_b.expect_response(lambda r: r.url.endswith(edit) and r.request.method == "POST") as refused:
        tab_b.get_by_role("button", name="Save", exact=True).click()
    assert refused.value.status == 409
    expect(tab_b).to_have_url(edit)
    conflict = tab_b.locator("#conflict")
    expect(conflict.get_by_role("heading")).to_have_text(
        "Not saved: someone else saved this card while you were editing"
    )
    expect(conflict).to_contain_text("Anna Smirnova saved it at")
    expect(conflict.locator("tbody td")).to_have_text(
        ["Website", "https://old.example.com", "https://new.example.com"]
    )
    expect(tab_b.locator("form [name=notes]")).to_have_value(notes)
    account.refresh_from_db()
    assert (account.website, account.notes, account.version) == ("https://new.example.com", "", 2)

    tab_b.get_by_role("button", name="Save", exact=True).click()
    expect(tab_b).to_have_url(card)
    expect(tab_b.get_by_role("alert")).to_have_text("The card was saved.")
    tab(tab_b, "History").click()
    expect(history_values(tab_b, "Notes")).to_have_text(["—", notes])
    # Tab A's change and the card's creation; B's second save must not put the old website back.
    expect(history_values(tab_b, "Website")).to_have_text(
        ["https://old.example.com", "https://new.example.com", "—", "https://old.example.com"]
    )
    account.refresh_from_db()
    assert (account.website, account.notes, account.version) == ("https://new.example.com", notes, 3)


def test_two_tabs_editing_one_contact_lose_nothing(context, manager, account):
    contact = Contact.objects.create(client=account, name="Ivan Kuzmin", position="Buyer", influence=60)
    contacts = f"/clients/{account.pk}/contacts/"
    edit = f"/clients/{account.pk}/contacts/{contact.pk}/edit/"
    tab_a, tab_b = context.new_page(), context.new_page()
    log_in(tab_a, manager)
    for tab in (tab_a, tab_b):
        tab.goto(contacts)
        tab.locator("#entries").get_by_role("link", name="Edit").click()
        expect(tab.locator("#entry-form [name=position]")).to_have_value("Buyer")

    tab_a.locator("#entry-form [name=position]").fill("Chief buyer")
    tab_a.locator("#entry-form").get_by_role("button", name="Save", exact=True).click()
    expect(tab_a.locator("#entries")).to_contain_text("Chief buyer")

    tab_b.locator("#entry-form [name=phone]").fill("+7 391 000-00-01")
    with tab_b.expect_response(lambda r: r.url.endswith(edit) and r.request.method == "POST") as refused:
        tab_b.locator("#entry-form").get_by_role("button", name="Save", exact=True).click()
    assert refused.value.status == 409
    conflict = tab_b.locator("#entry-form #conflict")
    expect(conflict.get_by_role("heading")).to_have_text(
        "Not saved: someone else saved this entry while you were editing"
    )
    expect(conflict).to_contain_text("Anna Smirnova saved it at")
    expect(conflict.locator("tbody td")).to_have_text(["Position", "Buyer", "Chief buyer"])
    expect(tab_b.locator("#entry-form [name=phone]")).to_have_value("+7 391 000-00-01")
    expect(tab_b.locator("#entry-form [name=position]")).to_have_value("Chief buyer")
    contact.refresh_from_db()
    assert (contact.position, contact.phone, contact.version) == ("Chief buyer", "", 2)

    tab_b.locator("#entry-form").get_by_role("button", name="Save", exact=True).click()
    expect(tab_b.locator("#entries")).to_contain_text("+7 391 000-00-01")
    expect(tab_b.locator("#entry-form #conflict")).to_have_count(0)
    contact.refresh_from_db()
    assert (contact.position, contact.phone, contact.version) == (
        "Chief buyer",
        "+73910000001",
        3,
    )  # stored in E.164


def test_manager_flow_in_russian(page_in, manager, account):
    page = page_in("ru")
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(RUSSIAN.log_in)
    expect(
        page.locator("form").filter(has=page.locator("[name=password]")).get_by_role("button")
    ).to_have_text(RUSSIAN.log_in)
    manager_flow(page, manager, account, RUSSIAN)
