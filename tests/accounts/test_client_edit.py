"""Editing a card: the optimistic lock, the conflict message, the audit history, reassignment."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.audit import client_history
from accounts.models import Client, TeamMember
from tests.factories import ClientFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def form_data(client: Client, **changes: object) -> dict[str, object]:
    data = {
        "name": client.name,
        "legal_name": client.legal_name,
        "inn": client.inn,
        "kpp": client.kpp,
        "industry": client.industry_id or "",
        "website": client.website,
        "status": client.status,
        "notes": client.notes,
        "version": client.version,
    }
    data.update(changes)
    return data


def test_edit_saves_the_card_and_bumps_the_version(as_manager, client_card):
    url = reverse("accounts:client_edit", args=[client_card.pk])

    response = as_manager.post(url, form_data(client_card, name="Siberian Steel Group"))

    assert response.status_code == 302
    assert response.url == client_card.get_absolute_url()
    client_card.refresh_from_db()
    assert (client_card.name, client_card.version) == ("Siberian Steel Group", 2)


def test_stale_save_is_refused_and_shows_what_the_other_person_changed(as_manager, client_card, manager):
    url = reverse("accounts:client_edit", args=[client_card.pk])
    stale = form_data(client_card, notes="Call the chief engineer in March")
    as_manager.post(url, form_data(client_card, website="https://sibsteel.example"))

    response = as_manager.post(url, stale)

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert [(c.field, c.old, c.new) for c in conflict.changes] == [
        ("Website", "—", "https://sibsteel.example"),
    ]
    assert conflict.changed_by == manager
    client_card.refresh_from_db()
    assert (client_card.notes, client_card.website, client_card.version) == (
        "",
        "https://sibsteel.example",
        2,
    )
    form = response.context["form"]
    assert form["notes"].value() == "Call the chief engineer in March"
    assert form["website"].value() == "https://sibsteel.example"
    assert form["version"].value() == "2"
    assert "someone else saved this card" in response.content.decode()


def test_saving_again_after_a_conflict_keeps_both_changes_without_retyping(as_manager, client_card):
    url = reverse("accounts:client_edit", args=[client_card.pk])
    stale = form_data(client_card, notes="Call the chief engineer in March")
    as_manager.post(url, form_data(client_card, website="https://sibsteel.example"))
    retry = as_manager.post(url, stale).context["form"].data

    response = as_manager.post(url, retry)

    assert response.status_code == 302
    client_card.refresh_from_db()
    assert (client_card.notes, client_card.website, client_card.version) == (
        "Call the chief engineer in March",
        "https://sibsteel.example",
        3,
    )


def test_service_refuses_a_stale_version_without_writing(client_card):
    client_card.name = "Somebody else's idea"
    with pytest.raises(services.StaleVersionError):
        services.client_update(client=client_card, expected_version=7)
    client_card.refresh_from_db()
    assert (client_card.name, client_card.version) == ("Siberian Steel", 1)


def test_card_edit_is_in_the_history_with_old_and_new_values(as_manager, client_card, manager):
    url = reverse("accounts:client_edit", args=[client_card.pk])
    as_manager.post(url, form_data(client_card, name="Siberian Steel Group", status="inactive"))

    response = as_manager.get(reverse("accounts:client_history", args=[client_card.pk]))

    latest = response.context["entries"][0]
    assert (latest.user, latest.subject, latest.action) == (manager, "Card", "changed")
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("Name", "Siberian Steel", "Siberian Steel Group"),
        ("Status", "Active", "Inactive"),
    ]
    assert "Siberian Steel Group" in response.content.decode()


def move_on_the_move_page(browser, client: Client, manager, *, reason: str) -> None:
    """Change the responsible manager as the card does: through the move page, with a reason."""
    chosen = browser.post(
        reverse("accounts:client_assign", args=[client.pk]), {"responsible_manager": manager.pk}
    )
    preview = browser.get(chosen.url)
    data = {
        "client": client.pk,
        "to": manager.pk,
        "token": preview.context["preview"].token,
        "reason": reason,
    }
    assert browser.post(reverse("segmentation:reassign"), data).status_code == 302


def test_history_records_team_and_responsible_manager_changes(as_director, client_card, manager, director):
    colleague = ManagerFactory(username="colleague", first_name="Ivan", last_name="Orlov")
    as_director.post(
        reverse("accounts:team_add", args=[client_card.pk]), {"user": colleague.pk, "role": "technical"}
    )
    move_on_the_move_page(as_director, client_card, colleague, reason="Anna is overloaded")

    entries = client_history(client_card).entries

    assert [(e.subject, e.action, e.user) for e in entries[:2]] == [
        ("Card", "changed", director),
        ("Account team: Ivan Orlov", "created", director),
    ]
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [
        ("Responsible manager", "Anna Smirnova", "Ivan Orlov"),
        ("Why", "—", "Anna is overloaded"),
    ]
    assert TeamMember.objects.get(client=client_card).role == "technical"


def test_reassignment_makes_an_open_edit_form_stale(as_director, client_card, manager, client):
    colleague = ManagerFactory(username="colleague")
    stale = form_data(client_card, notes="My note")
    services.client_assign(client=client_card, manager=colleague)  # as a key-list review reassigns
    TeamMember.objects.create(client=client_card, user=manager)
    client.force_login(manager)

    response = client.post(reverse("accounts:client_edit", args=[client_card.pk]), stale)

    assert response.status_code == 409
    assert [c.field for c in response.context["conflict"].changes] == ["Responsible manager"]
    client_card.refresh_from_db()
    assert (client_card.notes, client_card.responsible_manager) == ("", colleague)


def test_an_active_client_cannot_be_left_without_a_responsible_manager(as_director, client_card, manager):
    response = as_director.post(
        reverse("accounts:client_assign", args=[client_card.pk]), {"responsible_manager": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "responsible_manager": ["An active client needs exactly one responsible manager."]
    }
    client_card.refresh_from_db()
    assert client_card.responsible_manager == manager


def test_only_account_managers_can_be_made_responsible(as_director, client_card, manager, director):
    response = as_director.post(
        reverse("accounts:client_assign", args=[client_card.pk]), {"responsible_manager": director.pk}
    )

    assert "responsible_manager" in response.context["form"].errors
    client_card.refresh_from_db()
    assert client_card.responsible_manager == manager


def test_team_member_removal_is_recorded(as_admin, client_card, admin_user):
    member = TeamMember.objects.create(
        client=client_card, user=ManagerFactory(first_name="Ivan", last_name="Orlov")
    )

    response = as_admin.post(
        reverse("accounts:team_remove", args=[client_card.pk, member.pk]), {"version": member.version}
    )

    assert response.status_code == 302
    assert not TeamMember.objects.filter(pk=member.pk).exists()
    removal = client_history(client_card).entries[0]
    assert (removal.subject, removal.action, removal.user) == (
        "Account team: Ivan Orlov",
        "deleted",
        admin_user,
    )


def test_a_field_both_people_changed_keeps_my_value_in_the_form(as_manager, client_card):
    url = reverse("accounts:client_edit", args=[client_card.pk])
    stale = form_data(client_card, name="Mine")
    as_manager.post(url, form_data(client_card, name="Theirs"))

    response = as_manager.post(url, stale)

    assert [(c.field, c.old, c.new) for c in response.context["conflict"].changes] == [
        ("Name", "Siberian Steel", "Theirs")
    ]
    assert response.context["form"]["name"].value() == "Mine"
    client_card.refresh_from_db()
    assert client_card.name == "Theirs"


def test_edit_to_another_cards_inn_and_kpp_is_refused(as_manager, client_card):
    ClientFactory(name="Head office", inn=client_card.inn, kpp="246601001")
    url = reverse("accounts:client_edit", args=[client_card.pk])

    response = as_manager.post(url, form_data(client_card, kpp="246601001", notes="Changed"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"kpp": ["A client with this INN and KPP already exists."]}
    client_card.refresh_from_db()
    assert (client_card.kpp, client_card.notes, client_card.version) == ("", "", 1)


def test_edit_keeps_a_cards_own_inn_and_kpp(as_manager, client_card):
    Client.objects.filter(pk=client_card.pk).update(kpp="246601001")
    client_card.refresh_from_db()
    ClientFactory(name="Branch", inn=client_card.inn, kpp="246602001")
    url = reverse("accounts:client_edit", args=[client_card.pk])

    response = as_manager.post(url, form_data(client_card, notes="Changed"))

    assert response.status_code == 302
    client_card.refresh_from_db()
    assert (client_card.kpp, client_card.notes, client_card.version) == ("246601001", "Changed", 2)


def test_a_card_with_the_same_inn_and_kpp_saved_meanwhile_is_refused_by_the_service(client_card, manager):
    """The form checked before another save took the INN + KPP: the constraint's clash is reported."""
    ClientFactory(name="Head office", inn=client_card.inn, kpp="246601001")
    late = Client(name="Late twin", inn=client_card.inn, kpp="246601001", status=Client.Status.PROSPECT)
    client_card.kpp = "246601001"
    before = (Client.objects.count(), Client.history.count())

    with pytest.raises(services.DuplicateInnKppError):
        services.client_create(client=late, author=manager)
    with pytest.raises(services.DuplicateInnKppError):
        services.client_update(client=client_card, expected_version=1)

    client_card.refresh_from_db()
    assert (client_card.kpp, client_card.version) == ("", 1)
    assert (Client.objects.count(), Client.history.count()) == before
