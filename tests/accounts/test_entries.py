"""Adding, editing and deleting contacts, points, touches and refusals: plain, htmx, CSRF."""

import datetime
import re
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact, PointOfPresence, Refusal, Touch
from tests.accounts.conftest import card_state
from tests.factories import ClientFactory, ContactFactory, ProductGroupFactory, RefusalFactory, TouchFactory
from tests.helpers import messages_of

MODELS: dict[str, Any] = {
    "contacts": Contact,
    "points": PointOfPresence,
    "touches": Touch,
    "refusals": Refusal,
}
SAVED = {
    "contacts": "The contact was saved.",
    "points": "The point was saved.",
    "touches": "The touch was saved.",
    "refusals": "The refusal was saved.",
}
DELETED = {
    "contacts": "The contact was deleted.",
    "points": "The point was deleted.",
    "touches": "The touch was deleted.",
    "refusals": "The refusal was deleted.",
}
LABELS = {"contacts": "Contact", "points": "Point of presence", "touches": "Touch", "refusals": "Refusal"}


def new_url(card, kind):
    return reverse("accounts:entry_new", args=[card.client.pk, kind])


def edit_url(card, kind, entry):
    return reverse("accounts:entry_edit", args=[card.client.pk, kind, entry.pk])


def tab_url(card, kind):
    return reverse(f"accounts:client_{kind}", args=[card.client.pk])


@pytest.fixture
def cables(db):
    return ProductGroupFactory(name="Cables")


@pytest.fixture
def forms(card, manager, teammate, cables):
    """A valid submission per kind, and how to read the saved row back."""
    contact = card.entries["contacts"]
    return {
        "contacts": (
            {
                "name": "Sergey Morozov",
                "position": "CFO",
                "department": "Finance",
                "phone": "+7 391 200-00-00",
                "email": "morozov@sibsteel.example",
                "birthday": "1980-02-29",
                "decision_role": "decision_maker",
                "influence": "40",
                "attitude": "supporter",
                "known_by": [manager.pk, teammate.pk],
                "personal_notes": "Plays chess",
                "is_active": "on",
            },
            lambda c: (
                c.name,
                c.position,
                c.email,
                c.birthday,
                c.decision_role,
                c.influence,
                c.attitude,
                sorted(c.known_by.values_list("username", flat=True)),
                c.personal_notes,
                c.is_active,
            ),
            (
                "Sergey Morozov",
                "CFO",
                "morozov@sibsteel.example",
                datetime.date(1980, 2, 29),
                "decision_maker",
                40,
                "supporter",
                ["manager", "teammate"],
                "Plays chess",
                True,
            ),
            "Sergey Morozov",
        ),
        "points": (
            {
                "country": "RU",
                "region": "RU-IRK",
                "city": "Irkutsk",
                "status": "planned",
                "planned_date": "2025-03-01",
            },
            lambda p: (p.country, p.region, p.city, p.is_head_office, p.status, p.planned_date),
            ("RU", "RU-IRK", "Irkutsk", False, "planned", datetime.date(2025, 3, 1)),
            "Irkutsk",
        ),
        "touches": (
            {
                "kind": "meeting",
                "date": "2024-05-06",
                "duration_minutes": "90",
                "contacts": [contact.pk],
                "participants": [manager.pk, teammate.pk],
                "summary": "Visited the rolling mill",
                "next_step": "Send the offer",
                "next_step_date": "2024-05-10",
            },
            lambda t: (
                t.kind,
                t.date,
                t.duration_minutes,
                [c.name for c in t.contacts.all()],
                sorted(t.participants.values_list("username", flat=True)),
                t.summary,
                t.next_step,
                t.next_step_date,
                t.created_by.username,
            ),
            (
                "meeting",
                datetime.date(2024, 5, 6),
                90,
                ["Ivan Kuzmin"],
                ["manager", "teammate"],
                "Visited the rolling mill",
                "Send the offer",
                datetime.date(2024, 5, 10),
                "manager",
            ),
            "Visited the rolling mill",
        ),
        "refusals": (
            {
                "date": "2024-05-06",
                "product_group": cables.pk,
                "reason": "delivery",
                "note": "Late twice in April",
            },
            lambda r: (r.date, r.product_group.name, r.reason, r.note),
            (datetime.date(2024, 5, 6), "Cables", "delivery", "Late twice in April"),
            "Late twice in April",
        ),
    }


def history_of(entry):
    return list(
        type(entry)
        .history.filter(id=entry.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user")
    )


def only_new(card, kind):
    return MODELS[kind].objects.filter(client=card.client).exclude(pk=card.entries[kind].pk).get()


# Plain (no JavaScript) submissions


@pytest.mark.parametrize("kind", list(MODELS))
def test_plain_post_adds_an_entry(kind, card, forms, manager, as_manager):
    data, read, expected, _text = forms[kind]

    response = as_manager.post(new_url(card, kind), data)

    entry = only_new(card, kind)
    assert response.status_code == 302
    assert response.url == tab_url(card, kind)
    assert messages_of(response) == [SAVED[kind]]
    assert entry.client == card.client
    assert read(entry) == expected
    assert history_of(entry) == [("+", manager.pk)]


@pytest.mark.parametrize("kind", list(MODELS))
def test_plain_post_edits_an_entry(kind, card, forms, teammate, browser_for):
    data, read, expected, _text = forms[kind]
    entry = card.entries[kind]

    response = browser_for(teammate).post(edit_url(card, kind, entry), {**data, "version": entry.version})

    entry.refresh_from_db()
    assert response.status_code == 302
    assert response.url == tab_url(card, kind)
    assert read(entry)[:-1] == expected[:-1]
    assert history_of(entry) == [("+", None), ("~", teammate.pk)]
    assert MODELS[kind].objects.filter(client=card.client).count() == 1


def test_editing_a_touch_keeps_its_author(card, forms, manager, teammate, browser_for):
    touch = card.entries["touches"]
    Touch.objects.filter(pk=touch.pk).update(created_by=manager)

    browser_for(teammate).post(edit_url(card, "touches", touch), {**forms["touches"][0], "version": 1})

    touch.refresh_from_db()
    assert (touch.summary, touch.created_by) == ("Visited the rolling mill", manager)


def test_saving_an_entry_touches_the_card(card, forms, as_manager):
    before = card.client.updated_at

    as_manager.post(new_url(card, "refusals"), forms["refusals"][0])

    card.client.refresh_from_db()
    assert card.client.updated_at > before


# htmx submissions


@pytest.mark.parametrize("kind", list(MODELS))
def test_htmx_post_returns_the_refreshed_list_out_of_band(kind, card, forms, manager, as_manager):
    data, read, expected, text = forms[kind]

    response = as_manager.post(new_url(card, kind), data, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    entry = only_new(card, kind)
    assert response.status_code == 200
    assert re.match(r'\s*<div id="entries"[^>]* hx-swap-oob="true">', html)
    assert text in html
    assert "<html" not in html
    assert read(entry) == expected
    assert history_of(entry) == [("+", manager.pk)]
    assert messages_of(response) == []


def test_htmx_get_returns_only_the_form(card, as_manager):
    response = as_manager.get(new_url(card, "contacts"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.strip().startswith('<div class="card shadow-sm mb-3" id="entry-form-card">')
    assert "<html" not in html
    assert '<h2 class="h5">New contact</h2>' in html
    assert f'hx-post="{new_url(card, "contacts")}"' in html


@pytest.mark.parametrize(
    ("kind", "field"),
    [("contacts", "name"), ("points", "status"), ("touches", "summary"), ("refusals", "reason")],
)
def test_invalid_htmx_post_returns_the_form_with_errors_and_writes_nothing(
    kind, field, card, forms, as_manager
):
    data = {**forms[kind][0], field: ""}
    before = card_state(card.client)

    response = as_manager.post(new_url(card, kind), data, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {field: ["This field is required."]}
    assert html.strip().startswith('<div class="card shadow-sm mb-3" id="entry-form-card">')
    assert "This field is required." in html
    assert "hx-swap-oob" not in html
    assert "<html" not in html
    assert card_state(card.client) == before


# Bad input is refused with a clear message and writes nothing


def _refused(as_manager, card, kind, data, url=None):
    before = card_state(card.client)
    response = as_manager.post(url or new_url(card, kind), data)
    assert response.status_code == 200
    assert card_state(card.client) == before
    return response.context["form"].errors


@pytest.mark.parametrize(
    ("influence", "message"),
    [
        ("101", "Ensure this value is less than or equal to 100."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("ten", "Enter a whole number."),
    ],
)
def test_contact_influence_outside_0_100_is_refused(influence, message, card, forms, as_manager):
    data = {**forms["contacts"][0], "influence": influence}

    assert _refused(as_manager, card, "contacts", data) == {"influence": [message]}


def test_contact_edit_with_influence_101_keeps_the_old_value(card, forms, as_manager):
    contact = card.entries["contacts"]
    data = {**forms["contacts"][0], "influence": "101"}

    errors = _refused(as_manager, card, "contacts", data, url=edit_url(card, "contacts", contact))

    contact.refresh_from_db()
    assert errors == {"influence": ["Ensure this value is less than or equal to 100."]}
    assert (contact.name, contact.influence) == ("Ivan Kuzmin", 60)


def test_planned_point_without_date_is_refused(card, forms, as_manager):
    data = {**forms["points"][0], "planned_date": ""}

    errors = _refused(as_manager, card, "points", data)

    assert errors == {"planned_date": ["A planned point needs its planned opening date."]}


def test_region_outside_the_country_is_refused(card, forms, as_manager):
    data = {**forms["points"][0], "country": "KZ", "region": "RU-MOW"}

    errors = _refused(as_manager, card, "points", data)

    assert errors == {"region": ["Select a valid choice. RU-MOW is not one of the available choices."]}


def test_open_point_drops_a_planned_date(card, forms, as_manager):
    data = {**forms["points"][0], "status": "open"}

    as_manager.post(new_url(card, "points"), data)

    point = only_new(card, "points")
    assert (point.status, point.planned_date) == ("open", None)


# Dates in a sane range: today is allowed, tomorrow is not, for what has already happened

FUTURE = "This date is in the future: enter the day it happened."
OUT_OF_RANGE = "Enter a date between 1900-01-01 and 2099-12-31."
NOT_BORN = "A birthday must be in the past."


def _day(offset: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


@pytest.mark.parametrize("kind", ["touches", "refusals"])
def test_a_touch_or_refusal_dated_today_is_saved(kind, card, forms, as_manager):
    data = {**forms[kind][0], "date": _day(), "next_step_date": ""}

    response = as_manager.post(new_url(card, kind), data)

    assert response.status_code == 302
    assert only_new(card, kind).date == timezone.localdate()


@pytest.mark.parametrize("kind", ["touches", "refusals"])
@pytest.mark.parametrize(
    ("day", "message"),
    [
        (_day(1), FUTURE),
        ("9999-12-31", FUTURE),
        ("2100-01-01", FUTURE),
        ("1899-12-31", OUT_OF_RANGE),
    ],
    ids=["tomorrow", "9999-12-31", "past-the-upper-bound", "before-1900"],
)
def test_a_touch_or_refusal_outside_its_range_is_refused(kind, day, message, card, forms, as_manager):
    data = {**forms[kind][0], "date": day, "next_step_date": ""}

    assert _refused(as_manager, card, kind, data) == {"date": [message]}


def test_editing_a_touch_into_the_future_keeps_the_old_date(card, forms, as_manager):
    touch = card.entries["touches"]
    old = touch.date
    data = {**forms["touches"][0], "date": _day(1), "next_step_date": ""}

    errors = _refused(as_manager, card, "touches", data, url=edit_url(card, "touches", touch))

    touch.refresh_from_db()
    assert errors == {"date": [FUTURE]}
    assert touch.date == old


@pytest.mark.parametrize(
    ("day", "saved"), [("2099-12-31", True), ("2100-01-01", False), ("9999-12-31", False)]
)
def test_a_next_step_may_be_ahead_but_within_the_range(day, saved, card, forms, as_manager):
    data = {**forms["touches"][0], "next_step_date": day}

    if saved:
        as_manager.post(new_url(card, "touches"), data)
        assert only_new(card, "touches").next_step_date == datetime.date.fromisoformat(day)
    else:
        assert _refused(as_manager, card, "touches", data) == {"next_step_date": [OUT_OF_RANGE]}


@pytest.mark.parametrize("day", ["1900-01-01", _day(-1)], ids=["1900-01-01", "yesterday"])
def test_a_birthday_from_1900_to_yesterday_is_saved(day, card, forms, as_manager):
    as_manager.post(new_url(card, "contacts"), {**forms["contacts"][0], "birthday": day})

    assert only_new(card, "contacts").birthday == datetime.date.fromisoformat(day)


@pytest.mark.parametrize(
    ("day", "message"),
    [(_day(), NOT_BORN), (_day(1), NOT_BORN), ("9999-12-31", NOT_BORN), ("1899-12-31", OUT_OF_RANGE)],
    ids=["today", "tomorrow", "9999-12-31", "1899-12-31"],
)
def test_a_birthday_outside_its_range_is_refused(day, message, card, forms, as_manager):
    data = {**forms["contacts"][0], "birthday": day}

    assert _refused(as_manager, card, "contacts", data) == {"birthday": [message]}


@pytest.mark.parametrize(
    ("day", "errors"),
    [
        ("2099-12-31", None),
        ("2020-01-01", None),  # a plan not yet carried out stays a plan
        ("2100-01-01", {"planned_date": [OUT_OF_RANGE]}),
        ("9999-12-31", {"planned_date": [OUT_OF_RANGE]}),
        ("1899-12-31", {"planned_date": [OUT_OF_RANGE]}),
    ],
)
def test_a_planned_point_date_is_within_the_range(day, errors, card, forms, as_manager):
    data = {**forms["points"][0], "planned_date": day}

    if errors is None:
        as_manager.post(new_url(card, "points"), data)
        assert only_new(card, "points").planned_date == datetime.date.fromisoformat(day)
    else:
        assert _refused(as_manager, card, "points", data) == errors


def test_an_open_point_keeps_no_date_even_a_wild_one(card, forms, as_manager):
    as_manager.post(
        new_url(card, "points"), {**forms["points"][0], "status": "open", "planned_date": "9999-12-31"}
    )

    point = only_new(card, "points")
    assert (point.status, point.planned_date) == ("open", None)


# Phones: parsed, stored in E.164, shown in the international format


@pytest.mark.parametrize(
    "typed", ["8 912 345-67-89", "+7 912 345 67 89", "8(912)3456789", "9123456789", " +79123456789 "]
)
def test_a_phone_is_stored_in_e164(typed, card, forms, as_manager):
    as_manager.post(new_url(card, "contacts"), {**forms["contacts"][0], "phone": typed})

    assert only_new(card, "contacts").phone == "+79123456789"


def test_the_contact_form_asks_for_a_phone_with_its_format(card, as_manager):
    html = as_manager.get(new_url(card, "contacts")).content.decode()

    assert '<input type="tel" name="phone" maxlength="40" class="telinput form-control"' in html
    assert "A Russian number may start with 8 or +7; others need their country code." in html


@pytest.mark.parametrize("typed", ["12345", "8 912 345", "call the office", "+7 000 000-00-00"])
def test_an_invalid_phone_is_refused(typed, card, forms, as_manager):
    data = {**forms["contacts"][0], "phone": typed}

    assert _refused(as_manager, card, "contacts", data) == {
        "phone": ["This is not a valid phone number. Type it with the country code, like +7 912 345-67-89."]
    }


def test_editing_a_contact_with_a_bad_phone_keeps_the_old_one(card, forms, as_manager):
    contact = card.entries["contacts"]
    Contact.objects.filter(pk=contact.pk).update(phone="+73912000000")
    data = {**forms["contacts"][0], "phone": "8 912"}

    _refused(as_manager, card, "contacts", data, url=edit_url(card, "contacts", contact))

    contact.refresh_from_db()
    assert (contact.name, contact.phone) == ("Ivan Kuzmin", "+73912000000")


def test_the_contacts_tab_shows_phones_in_the_international_format(card, as_manager):
    ContactFactory(client=card.client, name="Olga Belova", phone="+79123456789")
    ContactFactory(client=card.client, name="John Smith", phone="+442079460958")
    ContactFactory(client=card.client, name="Legacy Entry", phone="ext. 12")

    html = as_manager.get(tab_url(card, "contacts")).content.decode()

    assert '<a href="tel:+79123456789" class="text-nowrap">+7 912 345-67-89</a>' in html
    assert '<a href="tel:+442079460958" class="text-nowrap">+44 20 7946 0958</a>' in html
    assert ">ext. 12</a>" in html


# Product groups: only active ones may be chosen


def test_a_refusal_under_an_inactive_group_is_refused(card, forms, as_manager):
    retired = ProductGroupFactory(name="Retired", is_active=False)
    data = {**forms["refusals"][0], "product_group": retired.pk}

    errors = _refused(as_manager, card, "refusals", data)

    assert errors == {
        "product_group": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_the_refusal_form_offers_only_active_groups(card, cables, as_manager):
    ProductGroupFactory(name="Retired", is_active=False)

    page = as_manager.get(new_url(card, "refusals")).content.decode()

    assert ">Cables</option>" in page
    assert ">Retired</option>" not in page


def test_editing_a_refusal_keeps_its_group_after_the_group_is_retired(card, forms, as_manager):
    retired = ProductGroupFactory(name="Retired")
    refusal = RefusalFactory(client=card.client, product_group=retired)
    retired.is_active = False
    retired.save()
    other = ProductGroupFactory(name="Also retired", is_active=False)

    kept = as_manager.post(
        edit_url(card, "refusals", refusal),
        {**forms["refusals"][0], "product_group": retired.pk, "note": "Kept", "version": refusal.version},
    )
    moved = _refused(
        as_manager,
        card,
        "refusals",
        {**forms["refusals"][0], "product_group": other.pk, "version": refusal.version + 1},
        url=edit_url(card, "refusals", refusal),
    )

    refusal.refresh_from_db()
    assert kept.status_code == 302
    assert moved == {
        "product_group": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert (refusal.product_group, refusal.note) == (retired, "Kept")


def test_touch_next_step_before_the_touch_is_refused(card, forms, as_manager):
    data = {**forms["touches"][0], "next_step_date": "2024-05-05"}

    errors = _refused(as_manager, card, "touches", data)

    assert errors == {"next_step_date": ["The next step cannot come before the touch itself."]}


def test_touch_next_step_date_without_a_next_step_is_refused(card, forms, as_manager):
    data = {**forms["touches"][0], "next_step": ""}

    errors = _refused(as_manager, card, "touches", data)

    assert errors == {"next_step": ["Say what the next step is."]}


def test_touch_with_another_clients_contact_is_refused(card, forms, as_manager, outsider):
    foreign = ContactFactory.create(client=ClientFactory(responsible_manager=outsider), name="Foreign Buyer")
    data = {**forms["touches"][0], "contacts": [card.entries["contacts"].pk, foreign.pk]}

    errors = _refused(as_manager, card, "touches", data)

    assert errors == {
        "contacts": [f"Select a valid choice. {foreign.pk} is not one of the available choices."]
    }
    assert list(foreign.touches.all()) == []


def test_touch_with_an_inactive_contact_is_refused(card, forms, as_manager):
    gone = ContactFactory.create(client=card.client, name="Retired Buyer", is_active=False)
    data = {**forms["touches"][0], "contacts": [gone.pk]}

    errors = _refused(as_manager, card, "touches", data)

    assert errors == {"contacts": [f"Select a valid choice. {gone.pk} is not one of the available choices."]}


def test_touch_longer_than_a_day_is_refused(card, forms, as_manager):
    data = {**forms["touches"][0], "duration_minutes": "100000"}

    errors = _refused(as_manager, card, "touches", data)

    assert list(errors) == ["duration_minutes"]


def _selected_options(html, field):
    """What a browser submits for a multi-select: its options that are selected."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {field} select on the page"
    return re.findall(r'<option value="(\d+)"[^>]*selected', select.group(1))


@pytest.mark.parametrize("who", ["contact", "participant"])
def test_editing_an_old_touch_keeps_people_who_have_left(who, card, forms, teammate, as_manager):
    touch = card.entries["touches"]
    contact = card.entries["contacts"]
    touch.contacts.set([contact])
    touch.participants.set([teammate])
    if who == "contact":
        Contact.objects.filter(pk=contact.pk).update(is_active=False)
    else:
        type(teammate).objects.filter(pk=teammate.pk).update(is_active=False)
    page = as_manager.get(edit_url(card, "touches", touch)).content.decode()
    data = {
        **forms["touches"][0],
        "summary": "Corrected summary",
        "version": touch.version,
        "contacts": _selected_options(page, "contacts"),
        "participants": _selected_options(page, "participants"),
    }

    as_manager.post(edit_url(card, "touches", touch), data)

    touch.refresh_from_db()
    assert touch.summary == "Corrected summary"
    assert (list(touch.contacts.all()), list(touch.participants.all())) == ([contact], [teammate])


def test_editing_a_contact_keeps_a_departed_colleague_who_knows_them(card, manager, teammate, as_manager):
    contact = card.entries["contacts"]
    contact.known_by.set([manager, teammate])
    type(teammate).objects.filter(pk=teammate.pk).update(is_active=False)
    page = as_manager.get(edit_url(card, "contacts", contact)).content.decode()
    data = {
        "name": "Ivan Kuzmin",
        "decision_role": "other",
        "influence": "60",
        "attitude": "supporter",
        "is_active": "on",
        "version": contact.version,
        "known_by": _selected_options(page, "known_by"),
    }

    as_manager.post(edit_url(card, "contacts", contact), data)

    contact.refresh_from_db()
    assert contact.attitude == "supporter"
    assert sorted(contact.known_by.values_list("username", flat=True)) == ["manager", "teammate"]


def test_refusal_with_an_unknown_reason_is_refused(card, forms, as_manager):
    data = {**forms["refusals"][0], "reason": "weather"}

    errors = _refused(as_manager, card, "refusals", data)

    assert errors == {"reason": ["Select a valid choice. weather is not one of the available choices."]}


# Deleting


@pytest.mark.parametrize("kind", list(MODELS))
def test_delete_removes_the_row_and_history_keeps_it(kind, card, manager, as_manager):
    entry = card.entries[kind]
    url = reverse("accounts:entry_delete", args=[card.client.pk, kind, entry.pk])

    response = as_manager.post(url, {"version": entry.version})

    assert response.status_code == 302
    assert response.url == tab_url(card, kind)
    assert messages_of(response) == [DELETED[kind]]
    assert not MODELS[kind].objects.filter(pk=entry.pk).exists()
    assert history_of(entry) == [("+", None), ("-", manager.pk)]
    history = as_manager.get(reverse("accounts:client_history", args=[card.client.pk]))
    latest = history.context["entries"][0]
    assert (latest.subject.split(":")[0], latest.action, latest.user) == (LABELS[kind], "deleted", manager)


def test_htmx_delete_refreshes_the_list_without_the_row(card, as_manager):
    touch = card.entries["touches"]
    url = reverse("accounts:entry_delete", args=[card.client.pk, "touches", touch.pk])

    response = as_manager.post(url, {"version": touch.version}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html
    assert "Agreed on a trial batch" not in html
    assert "No touches yet." in html
    assert not Touch.objects.filter(pk=touch.pk).exists()


def test_deleting_a_contact_keeps_the_touches_it_took_part_in(card, as_manager):
    contact = card.entries["contacts"]
    touch = TouchFactory.create(client=card.client, summary="Tasting")
    touch.contacts.set([contact])

    as_manager.post(
        reverse("accounts:entry_delete", args=[card.client.pk, "contacts", contact.pk]), {"version": 1}
    )

    touch.refresh_from_db()
    assert (touch.summary, list(touch.contacts.all())) == ("Tasting", [])


# CSRF is enforced on htmx posts too


@pytest.fixture
def strict_browser(manager):
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(manager)
    return browser


def test_htmx_post_without_csrf_token_is_refused(card, forms, strict_browser):
    before = card_state(card.client)

    response = strict_browser.post(new_url(card, "contacts"), forms["contacts"][0], HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert card_state(card.client) == before


def test_htmx_post_with_a_wrong_csrf_token_is_refused(card, forms, strict_browser):
    strict_browser.get(tab_url(card, "contacts"))
    before = card_state(card.client)

    response = strict_browser.post(
        new_url(card, "contacts"), forms["contacts"][0], HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN="x" * 32
    )

    assert response.status_code == 403
    assert card_state(card.client) == before


@pytest.mark.parametrize("source", ["cookie", "page"])
def test_htmx_post_with_the_csrf_header_succeeds(source, card, forms, strict_browser):
    page = strict_browser.get(tab_url(card, "contacts"))
    if source == "cookie":
        token = strict_browser.cookies["csrftoken"].value
    else:
        match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"(\w+)\"\}'", page.content.decode())
        assert match, "the page carries no X-CSRFToken for htmx"
        token = match.group(1)

    response = strict_browser.post(
        new_url(card, "contacts"), forms["contacts"][0], HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.content.decode()
    assert only_new(card, "contacts").name == "Sergey Morozov"


def test_the_full_page_form_posts_as_a_page_and_only_the_htmx_fragment_swaps(card, as_manager):
    """Opened as a page (a link, a new tab), the form has no #entry-form to swap into: it must
    post plainly; inside the tab (htmx) it swaps in place."""
    entry = card.entries["contacts"]
    url = reverse("accounts:entry_edit", args=[card.client.pk, "contacts", entry.pk])

    page = as_manager.get(url).content.decode()
    fragment = as_manager.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert "hx-post" not in page
    assert page.count(f'action="{url}"') == 1
    assert fragment.count(f'hx-post="{url}"') == 1
    assert 'hx-target="#entry-form"' in fragment
