"""Two people editing the same part of a card: the stale save or delete is refused (409) with
what the other person did, the user's input is kept, and saving again works. The same
guard for contacts, points of presence, touches, refusals and the account team."""

import threading
from typing import Any

import pytest
from django.db import connection
from django.db import connections as db_connections
from django.urls import reverse

from accounts import services
from accounts.models import Contact, PointOfPresence, Refusal, TeamMember, Touch
from tests.accounts.conftest import card_state
from tests.factories import ClientFactory, ContactFactory, ManagerFactory
from tests.helpers import messages_of, second_session

MODELS: dict[str, Any] = {
    "contacts": Contact,
    "points": PointOfPresence,
    "touches": Touch,
    "refusals": Refusal,
}
# Per kind: the first person's change (field, value, as the history names it: label, old, new),
# and the second person's change to another field (field, value, the value the form shows).
FIRST: dict[str, tuple[str, str, tuple[str, str, str]]] = {
    "contacts": ("position", "Chief buyer", ("Position", "Buyer", "Chief buyer")),
    "points": ("city", "Norilsk", ("City", "Krasnoyarsk", "Norilsk")),
    "touches": (
        "summary",
        "Agreed on two trial batches",
        ("Summary", "Agreed on a trial batch", "Agreed on two trial batches"),
    ),
    "refusals": ("reason", "quality", ("Reason", "Price", "Quality")),
}
SECOND: dict[str, tuple[str, str, Any]] = {
    "contacts": ("phone", "+73910000001", "+73910000001"),  # typed as stored (E.164)
    "points": ("is_head_office", "on", True),
    "touches": ("next_step", "Call back on Monday", "Call back on Monday"),
    "refusals": ("note", "Twice the price of the others", "Twice the price of the others"),
}
HTMX = {"plain": {}, "htmx": {"HTTP_HX_REQUEST": "true"}}


def edit_url(card, kind, entry):
    return reverse("accounts:entry_edit", args=[card.client.pk, kind, entry.pk])


def delete_url(card, kind, entry):
    return reverse("accounts:entry_delete", args=[card.client.pk, kind, entry.pk])


def as_submitted(form) -> dict[str, Any]:
    """What a browser submits for a form as it is shown: every field's current value."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value not in (None, False, ""):
            data[name] = str(value)
    return data


def opened(browser, url, variant) -> dict[str, Any]:
    """Open the edit form (as a page or an htmx fragment) and return what it would submit."""
    response = browser.get(url, **HTMX[variant])
    assert response.status_code == 200
    return as_submitted(response.context["form"])


@pytest.fixture
def first(browser_for, manager):
    return browser_for(manager)


@pytest.fixture
def second(browser_for, teammate):
    return browser_for(teammate)


# Saving


@pytest.mark.parametrize("variant", list(HTMX))
@pytest.mark.parametrize("kind", list(MODELS))
def test_second_save_of_one_entry_is_refused_naming_the_first_and_keeping_its_input(
    kind, variant, card, manager, first, second
):
    entry = card.entries[kind]
    url = edit_url(card, kind, entry)
    mine, theirs = opened(first, url, variant), opened(second, url, variant)
    field, value, named = FIRST[kind]
    other_field, other_value, shown = SECOND[kind]
    assert first.post(url, {**mine, field: value}, **HTMX[variant]).status_code in (200, 302)

    response = second.post(url, {**theirs, other_field: other_value}, **HTMX[variant])

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert (conflict.changed_by, conflict.deleted) == (manager, False)
    assert [(c.field, c.old, c.new) for c in conflict.changes] == [named]
    html = response.content.decode()
    assert "Not saved: someone else saved this entry while you were editing" in html
    assert "Anna Smirnova saved it at" in html
    assert ("<html" in html) is (variant == "plain")
    form = response.context["form"]
    assert form[other_field].value() == shown  # the second person's own input stays
    assert form[field].value() == value  # the field they did not touch takes the first person's value
    assert form["version"].value() == "2"
    entry.refresh_from_db()
    assert (getattr(entry, field), entry.version) == (value, 2)
    assert getattr(entry, other_field) != shown


@pytest.mark.parametrize("variant", list(HTMX))
@pytest.mark.parametrize("kind", list(MODELS))
def test_saving_again_after_the_refusal_keeps_both_changes(kind, variant, card, first, second):
    entry = card.entries[kind]
    url = edit_url(card, kind, entry)
    mine, theirs = opened(first, url, variant), opened(second, url, variant)
    field, value, _named = FIRST[kind]
    other_field, other_value, shown = SECOND[kind]
    first.post(url, {**mine, field: value}, **HTMX[variant])
    refused = second.post(url, {**theirs, other_field: other_value}, **HTMX[variant])

    response = second.post(url, as_submitted(refused.context["form"]), **HTMX[variant])

    assert response.status_code == (200 if variant == "htmx" else 302)
    entry.refresh_from_db()
    assert (getattr(entry, field), getattr(entry, other_field), entry.version) == (value, shown, 3)


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_save_without_the_version_it_was_opened_at_is_refused(kind, card, first):
    entry = card.entries[kind]
    data = opened(first, edit_url(card, kind, entry), "plain")
    del data["version"]
    before = card_state(card.client)

    response = first.post(edit_url(card, kind, entry), data)

    assert response.status_code == 409
    assert card_state(card.client) == before


@pytest.mark.parametrize("variant", list(HTMX))
@pytest.mark.parametrize("kind", list(MODELS))
def test_saving_an_entry_someone_deleted_says_so_and_keeps_the_input_as_a_new_entry(
    kind, variant, card, manager, first, second
):
    entry = card.entries[kind]
    url = edit_url(card, kind, entry)
    theirs = opened(second, url, variant)
    first.post(delete_url(card, kind, entry), {"version": 1}, **HTMX[variant])
    other_field, other_value, shown = SECOND[kind]

    response = second.post(url, {**theirs, other_field: other_value}, **HTMX[variant])

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert (conflict.changed_by, conflict.deleted) == (manager, True)
    html = response.content.decode()
    assert "Someone else deleted this entry while you were editing" in html
    assert "Anna Smirnova deleted it at" in html
    form = response.context["form"]
    assert (form.instance.pk, form[other_field].value()) == (None, shown)
    new_url = reverse("accounts:entry_new", args=[card.client.pk, kind])
    assert f'action="{new_url}"' in html
    second.post(new_url, as_submitted(form), **HTMX[variant])
    assert list(MODELS[kind].objects.filter(client=card.client).values_list(other_field, flat=True)) == [
        True if other_value == "on" else other_value
    ]


def test_the_service_refuses_a_stale_entry_save_and_writes_nothing(card, manager):
    contact = card.entries["contacts"]
    Contact.objects.filter(pk=contact.pk).update(version=2)
    contact.name = "Somebody else's idea"

    with pytest.raises(services.StaleVersionError):
        services.card_entry_save(
            entry=contact, client=card.client, author=manager, many_to_many={}, expected_version=1
        )

    contact.refresh_from_db()
    assert (contact.name, contact.version) == ("Ivan Kuzmin", 2)


def test_each_save_moves_the_version_on_and_the_history_keeps_it(card, first):
    contact = card.entries["contacts"]
    url = edit_url(card, "contacts", contact)

    for name in ["Ivan Kuzmin Jr.", "Ivan P. Kuzmin"]:
        response = first.post(url, {**opened(first, url, "plain"), "name": name})
        assert response.status_code == 302

    contact.refresh_from_db()
    assert (contact.name, contact.version) == ("Ivan P. Kuzmin", 3)
    assert list(Contact.history.filter(id=contact.pk).order_by("history_date").values_list("version")) == [
        (1,),
        (2,),
        (3,),
    ]


# Deleting


@pytest.mark.parametrize("variant", list(HTMX))
@pytest.mark.parametrize("kind", list(MODELS))
def test_deleting_an_entry_someone_changed_since_is_refused_naming_the_change(
    kind, variant, card, manager, first, second
):
    entry = card.entries[kind]
    url = edit_url(card, kind, entry)
    mine = opened(first, url, variant)
    field, value, named = FIRST[kind]
    first.post(url, {**mine, field: value}, **HTMX[variant])

    response = second.post(delete_url(card, kind, entry), {"version": 1}, **HTMX[variant])

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert (conflict.changed_by, [(c.field, c.old, c.new) for c in conflict.changes]) == (manager, [named])
    html = response.content.decode()
    assert "Not deleted: someone else changed this entry after you opened it" in html
    assert '<input type="hidden" name="version" value="2">' in html
    entry.refresh_from_db()
    assert (getattr(entry, field), entry.version) == (value, 2)
    again = second.post(delete_url(card, kind, entry), {"version": 2}, **HTMX[variant])
    assert again.status_code == (200 if variant == "htmx" else 302)
    assert not MODELS[kind].objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("variant", list(HTMX))
@pytest.mark.parametrize("kind", list(MODELS))
def test_deleting_an_entry_someone_already_deleted_says_who_instead_of_404(
    kind, variant, card, manager, first, second
):
    entry = card.entries[kind]
    assert first.post(delete_url(card, kind, entry), {"version": 1}).status_code == 302

    response = second.post(delete_url(card, kind, entry), {"version": 1}, **HTMX[variant])

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert (conflict.changed_by, conflict.deleted) == (manager, True)
    html = response.content.decode()
    assert "Already deleted: someone else deleted this entry" in html
    assert "Anna Smirnova deleted it at" in html
    assert ('hx-swap-oob="true"' in html) is (variant == "htmx")
    assert MODELS[kind].history.filter(id=entry.pk, history_type="-").count() == 1


def test_an_entry_of_another_client_that_was_deleted_is_still_404(card, first, outsider):
    foreign = ContactFactory(client=ClientFactory(responsible_manager=outsider))
    foreign_pk = foreign.pk
    foreign.delete()

    response = first.post(
        reverse("accounts:entry_delete", args=[card.client.pk, "contacts", foreign_pk]), {"version": 1}
    )

    assert response.status_code == 404


# The account team


@pytest.fixture
def director_a(browser_for, director):
    return browser_for(director)


@pytest.fixture
def director_b(browser_for, admin_user):
    return browser_for(admin_user)


def team_url(card, name, *args):
    return reverse(f"accounts:{name}", args=[card.client.pk, *args])


def test_removing_a_member_whose_role_changed_since_is_refused_naming_the_change(
    card, director, director_a, director_b
):
    member = card.member
    changed = director_a.post(
        team_url(card, "team_add"), {"user": member.user_id, "role": "logistics", "version": 1}
    )
    assert changed.status_code == 302

    response = director_b.post(team_url(card, "team_remove", member.pk), {"version": 1})

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert (conflict.changed_by, [(c.field, c.old, c.new) for c in conflict.changes]) == (
        director,
        [("Role", "Technical specialist", "Logistics")],
    )
    html = response.content.decode()
    assert "Not removed: someone else changed this member after you opened the page" in html
    assert '<input type="hidden" name="version" value="2">' in html
    member.refresh_from_db()
    assert (member.role, member.version) == ("logistics", 2)
    again = director_b.post(team_url(card, "team_remove", member.pk), {"version": 2})
    assert (again.status_code, messages_of(again)) == (302, ["Tanya Orlova left the account team."])
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_removing_a_member_someone_already_removed_says_who_instead_of_404(
    card, director, director_a, director_b
):
    member = card.member
    director_a.post(team_url(card, "team_remove", member.pk), {"version": 1})

    response = director_b.post(team_url(card, "team_remove", member.pk), {"version": 1})

    assert response.status_code == 409
    assert (response.context["conflict"].changed_by, response.context["conflict"].deleted) == (director, True)
    assert "Already removed: someone else removed this member from the team" in response.content.decode()


def test_adding_a_colleague_someone_added_meanwhile_is_refused_then_changes_the_role_on_purpose(
    card, director, director_a, director_b
):
    colleague = ManagerFactory(username="colleague", first_name="Ivan", last_name="Orlov")
    director_a.post(team_url(card, "team_add"), {"user": colleague.pk, "role": "technical"})

    response = director_b.post(team_url(card, "team_add"), {"user": colleague.pk, "role": "logistics"})

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert (conflict.changed_by, [(c.field, c.old, c.new) for c in conflict.changes]) == (
        director,
        [("Employee", "—", "Ivan Orlov"), ("Role", "—", "Technical specialist")],
    )
    member = TeamMember.objects.get(client=card.client, user=colleague)
    assert (member.role, member.version) == ("technical", 1)
    form = response.context["team_form"]
    assert (form["user"].value(), form["role"].value(), form["version"].value()) == (
        str(colleague.pk),
        "logistics",
        "1",
    )
    again = director_b.post(team_url(card, "team_add"), as_submitted(form))
    assert again.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.version) == ("logistics", 2)


# Two saves at the same moment, on PostgreSQL


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second session's row lock needs PostgreSQL")
def test_a_save_waiting_on_a_concurrent_one_is_refused_once_it_commits(card, manager):
    """The other save holds the row (not committed yet); ours waits, then finds the version moved on."""
    contact = card.entries["contacts"]
    other = second_session()
    outcome: list[str] = []

    def ours() -> None:
        try:
            entry = Contact.objects.get(pk=contact.pk)
            entry.phone = "+7 391 000-00-01"
            services.card_entry_save(
                entry=entry, client=card.client, author=manager, many_to_many={}, expected_version=1
            )
            outcome.append("saved")
        except services.StaleVersionError:
            outcome.append("refused")
        finally:
            db_connections.close_all()

    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_contact SET version = version + 1, position = 'Chief buyer' WHERE id = %s",
                [contact.pk],
            )
        thread = threading.Thread(target=ours)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "our save did not wait for the other one's row lock"
        other.commit()
        thread.join(timeout=10)
    finally:
        other.close()

    contact.refresh_from_db()
    assert outcome == ["refused"]
    assert (contact.position, contact.phone, contact.version) == ("Chief buyer", "", 2)


@pytest.mark.parametrize("variant", list(HTMX))
def test_opening_an_entry_someone_deleted_says_who_instead_of_404(variant, card, manager, first, second):
    touch = card.entries["touches"]
    first.post(delete_url(card, "touches", touch), {"version": 1})

    response = second.get(edit_url(card, "touches", touch), **HTMX[variant])

    assert response.status_code == 409
    assert (response.context["conflict"].changed_by, response.context["form"]) == (manager, None)
    html = response.content.decode()
    assert "Anna Smirnova deleted it at" in html
    assert "Back to the list" in html
