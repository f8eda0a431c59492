"""The card's Handover tab and editing a note: who reads, who edits, stale and bad input, query
counts, both languages."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import TeamMember
from plans.handover import services
from plans.handover.forms import MAX_TEXT
from plans.models import HandoverNote
from tests.factories import ClientFactory, ManagerFactory, TeamMemberFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

EMPTY = "The note cannot be empty: write what the new manager needs."
STALE = "Not saved: someone else saved this note while you were editing"


@pytest.fixture
def handed(client_card, successor):
    """The card after the move: the successor is responsible, the old manager stays on the team."""
    client_card.responsible_manager = successor
    client_card.save()
    return client_card


@pytest.fixture
def old_manager_on_team(handed, manager):
    return TeamMemberFactory(client=handed, user=manager, role=TeamMember.Role.TECHNICAL)


def tab(client):
    return reverse("plans:client_handover", args=[client.pk])


def edit(note):
    return reverse("plans:handover_edit", args=[note.client_id, note.pk])


@pytest.fixture
def as_successor(client, successor):
    client.force_login(successor)
    return client


# The tab


def test_the_tab_lists_the_notes_newest_first_with_who_when_and_why(
    handed, note, director, successor, as_successor
):
    later = HandoverNote.objects.create(
        client=handed, reassignment=None, from_manager=successor, to_manager=director, text="Second move"
    )

    with translation.override("en"):
        response = as_successor.get(tab(handed))

    assert response.status_code == 200
    assert [n.pk for n, _editable in response.context["notes"]] == [later.pk, note.pk]
    assert [editable for _n, editable in response.context["notes"]] == [False, True]
    html = response.content.decode()
    assert "Anna Smirnova → Boris Orlov" in html
    assert "Boris Orlov → Dmitry Volkov" in html
    assert "Anna leaves the company" in html
    assert "Open plan steps" in html
    assert html.count(">Edit</a>") == 1
    assert edit(note) in html
    assert edit(later) not in html


def test_the_tab_without_notes_says_so(as_manager, client_card):
    response = as_manager.get(tab(client_card), HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["notes"] == []
    assert (
        "No handover notes: none is written until the client, key or gold, moves" in response.content.decode()
    )


def test_the_tab_speaks_russian(as_manager, client_card, note):
    as_manager.cookies["django_language"] = "ru"

    html = as_manager.get(tab(client_card)).content.decode()

    assert "Записки о передаче" in html
    assert ">Передача</a>" in html


def test_a_teammate_reads_the_notes_without_an_edit_link(old_manager_on_team, note, as_manager):
    response = as_manager.get(tab(note.client))

    assert response.status_code == 200
    assert [editable for _n, editable in response.context["notes"]] == [False]
    assert edit(note) not in response.content.decode()


def test_directors_and_admins_may_edit_every_note(note, as_director, browser_for, admin_user):
    for browser in [as_director, browser_for(admin_user)]:
        response = browser.get(tab(note.client))
        assert [editable for _n, editable in response.context["notes"]] == [True]


def test_anonymous_users_are_sent_to_log_in(client, note):
    for url, method in [(tab(note.client), "get"), (edit(note), "get"), (edit(note), "post")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_an_outsider_finds_no_notes_of_another_managers_client(as_outsider, note):
    assert as_outsider.get(tab(note.client)).status_code == 404
    assert as_outsider.get(edit(note)).status_code == 404
    assert as_outsider.post(edit(note), {"text": "Mine", "version": 1}).status_code == 404
    assert HandoverNote.objects.get().version == 1


def test_a_note_is_only_found_under_its_own_client(as_successor, note, successor):
    other = HandoverNote.objects.create(
        client=ClientFactory(name="Other", responsible_manager=successor),
        to_manager=successor,
        text="Other's",
    )
    wrong = reverse("plans:handover_edit", args=[note.client_id, other.pk])

    assert as_successor.get(wrong).status_code == 404
    assert as_successor.post(wrong, {"text": "Mine", "version": 1}).status_code == 404
    other.refresh_from_db()
    assert other.text == "Other's"


def test_a_teammate_who_is_not_the_new_manager_may_not_edit(old_manager_on_team, note, as_manager):
    assert as_manager.get(edit(note)).status_code == 403
    assert as_manager.post(edit(note), {"text": "Mine", "version": 1}).status_code == 403
    assert HandoverNote.objects.get().version == 1


def test_wrong_methods_are_refused(as_successor, handed, note):
    assert as_successor.post(tab(handed)).status_code == 405
    assert as_successor.put(edit(note)).status_code == 405
    assert as_successor.delete(edit(note)).status_code == 405


def test_the_tab_query_count_does_not_grow_with_the_notes(
    as_successor, handed, note, successor, assert_queries
):
    # the session with the user, their roles, permissions and unread notifications, the card and its
    # gate, the notes with their people and move
    queries = 3
    response = assert_queries(queries, lambda: as_successor.get(tab(handed)))
    assert len(response.context["notes"]) == 1
    for number in range(49):
        HandoverNote.objects.create(
            client=handed,
            reassignment=note.reassignment,
            from_manager=ManagerFactory(),
            to_manager=successor,
            edited_by=ManagerFactory(),
            text=f"Note {number}",
        )

    response = assert_queries(queries, lambda: as_successor.get(tab(handed)))

    assert len(response.context["notes"]) == 50


# Editing


@pytest.mark.parametrize("who", ["successor", "director", "admin_user"])
def test_a_save_keeps_the_exact_text_and_moves_the_version_on(who, request, handed, note, browser_for):
    user = request.getfixturevalue(who)
    browser = browser_for(user)

    response = browser.post(
        edit(note), {"text": "Call Ivan first.\r\nHe decides.", "version": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert response.url == f"{tab(handed)}#note-{note.pk}"
    note.refresh_from_db()
    assert (note.text, note.version, note.edited_by) == ("Call Ivan first.\r\nHe decides.", 2, user)
    assert messages_of(response) == ["The handover note was saved."]


def test_the_form_shows_the_text_and_its_version(as_successor, handed, note):
    response = as_successor.get(edit(note))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["text"].value(), form["version"].value()) == (note.text, 1)


def test_a_stale_save_is_refused_and_keeps_the_users_text(as_successor, handed, note, director):
    services.handover_note_save(
        note=HandoverNote.objects.get(pk=note.pk), text="Director's words", expected_version=1, by=director
    )

    response = as_successor.post(edit(note), {"text": "My words", "version": 1}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html
    assert "Dmitry Volkov saved it at" in html
    assert response.context["form"]["text"].value() == "My words"
    assert response.context["form"]["version"].value() == "2"
    note.refresh_from_db()
    assert (note.text, note.version, note.edited_by) == ("Director's words", 2, director)


@pytest.mark.parametrize("text", ["", "   \r\n  "])
def test_an_empty_note_is_refused(as_successor, handed, note, text):
    before = note.text

    response = as_successor.post(edit(note), {"text": text, "version": 1}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors == {"text": [EMPTY]}
    note.refresh_from_db()
    assert (note.text, note.version) == (before, 1)


def test_a_note_too_long_is_refused(as_successor, handed, note):
    response = as_successor.post(
        edit(note), {"text": "x" * (MAX_TEXT + 1), "version": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "text": [f"Ensure this value has at most {MAX_TEXT} characters (it has {MAX_TEXT + 1})."]
    }
    assert HandoverNote.objects.get().version == 1


def test_a_wrong_version_is_refused(as_successor, handed, note):
    response = as_successor.post(edit(note), {"text": "Mine", "version": "abc"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    assert HandoverNote.objects.get().version == 1
