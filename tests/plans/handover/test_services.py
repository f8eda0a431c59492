"""Handover notes (issue 10): made when key or gold clients move, one per client for its new
manager, in their language, in a constant number of queries; edited with a version."""

from decimal import Decimal

import pytest

from plans.handover import services
from plans.models import HandoverNote
from segmentation.models import Policy, PotentialEstimate, Tier, TierOverride
from segmentation.signals import clients_reassigned
from tests.factories import ClientFactory, ContactFactory, ProductGroupFactory, TouchFactory
from tests.plans.handover.conftest import TODAY, fill_card, make_key, make_tier, move

pytestmark = pytest.mark.django_db

NBSP = "\xa0"

ENGLISH = f"""Decision group
- Ivan Kuzmin, Chief engineer: Decision maker, influence 60%, supporter; known by Anna Smirnova, Dmitry Volkov
- Olga Lebedeva: Other, influence 10%, neutral; known by nobody on our side

Open plan steps
- Call the buyer (Retention plan), due 1 Jul 2026

Open action items
- Visit the plant, owner Anna Smirnova, due 15 Jul 2026

Last touches
- 10 Jun 2026, e-mail: Sent the offer
- 1 Jun 2026, meeting: Agreed on a trial batch. They want it in July.
- 10 May 2026, call: Asked about prices

Next steps
- Send the price list, by 20 Jun 2026

Whitespace
- Cables: estimate 500,000{NBSP}RUB, bought 25,000{NBSP}RUB, headroom 475,000{NBSP}RUB"""

EMPTY_ENGLISH = """Decision group
- none

Open plan steps
- none

Open action items
- none

Last touches
- none

Next steps
- none

Whitespace
- none"""


def test_the_note_of_a_key_client_says_everything_in_exact_words(client_card, manager, director, successor):
    make_key(client_card)
    fill_card(client_card, manager, director)
    reassignment = move([client_card], successor, by=director)

    notes = services.handover_notes_generate(reassignment=reassignment, today=TODAY)

    note = HandoverNote.objects.get()
    assert notes == [note]
    assert note.text == ENGLISH
    assert (note.client, note.reassignment, note.from_manager, note.to_manager) == (
        client_card,
        reassignment,
        manager,
        successor,
    )
    assert (note.version, note.edited_by) == (1, None)
    assert note.history.get().history_user == director


def test_a_russian_manager_gets_the_note_in_russian(client_card, manager, director, successor):
    successor.language = "ru"
    successor.save()
    make_key(client_card)
    fill_card(client_card, manager, director)

    services.handover_notes_generate(reassignment=move([client_card], successor, by=director), today=TODAY)

    lines = HandoverNote.objects.get().text.splitlines()
    assert lines[0] == "Группа принятия решений"
    assert "Открытые шаги планов" in lines
    assert "- Позвонить закупщику (План удержания), до 01.07.2026" in lines
    assert "Белые пятна" in lines
    assert (
        f"- Cables: оценка 500{NBSP}000{NBSP}RUB, куплено 25{NBSP}000{NBSP}RUB, запас 475{NBSP}000{NBSP}RUB"
        in lines
    )


def test_an_empty_card_says_none_in_every_section(client_card, director, successor):
    make_key(client_card)

    services.handover_notes_generate(reassignment=move([client_card], successor, by=director), today=TODAY)

    assert HandoverNote.objects.get().text == EMPTY_ENGLISH


def test_only_key_and_gold_clients_get_notes(manager, director, successor):
    key = ClientFactory(name="Key", responsible_manager=manager)
    make_key(key)
    gold = ClientFactory(name="Gold", responsible_manager=manager)
    make_tier(gold, Tier.GOLD)
    silver = ClientFactory(name="Silver", responsible_manager=manager)
    make_tier(silver, Tier.SILVER)
    overridden_gold = ClientFactory(name="Made gold", responsible_manager=manager)
    make_tier(overridden_gold, Tier.BRONZE)
    TierOverride.objects.create(client=overridden_gold, tier=Tier.GOLD, reason="Opens doors")
    overridden_down = ClientFactory(name="Made silver", responsible_manager=manager)
    make_tier(overridden_down, Tier.GOLD)
    TierOverride.objects.create(client=overridden_down, tier=Tier.SILVER, reason="Small now")
    unseen = ClientFactory(name="Not run yet", responsible_manager=manager)
    clients = [key, gold, silver, overridden_gold, overridden_down, unseen]

    services.handover_notes_generate(reassignment=move(clients, successor, by=director), today=TODAY)

    assert sorted(HandoverNote.objects.values_list("client__name", flat=True)) == ["Gold", "Key", "Made gold"]


def test_a_client_that_stays_with_its_manager_gets_no_note(client_card, manager, director):
    make_key(client_card)

    assert services.handover_notes_generate(reassignment=move([client_card], manager, by=director)) == []
    assert not HandoverNote.objects.exists()


def test_a_client_nobody_had_gets_a_note_from_nobody(director, successor):
    orphan = ClientFactory(name="Orphan", responsible_manager=None)
    make_key(orphan)

    services.handover_notes_generate(reassignment=move([orphan], successor, by=director), today=TODAY)

    assert HandoverNote.objects.get().from_manager is None


def test_the_signal_writes_the_notes(client_card, director, successor):
    make_key(client_card)
    reassignment = move([client_card], successor, by=director)

    clients_reassigned.send(sender=None, reassignment=reassignment)

    assert list(HandoverNote.objects.values_list("client", "to_manager")) == [(client_card.pk, successor.pk)]


def busy_key_clients(count, manager, director):
    clients = []
    for number in range(count):
        client = ClientFactory(name=f"Busy {number:02d}", responsible_manager=manager)
        make_key(client)
        if number == 0:
            fill_card(client, manager, director)
        else:
            _some_of_everything(client, manager)
        clients.append(client)
    return clients


def _some_of_everything(client, manager):
    contact = ContactFactory(client=client, name=f"Contact of {client.name}")
    contact.known_by.add(manager)
    TouchFactory(client=client, date=TODAY, next_step="Call back")


@pytest.mark.parametrize("count", [1, 20])
def test_the_queries_do_not_grow_with_the_clients(count, manager, director, successor, assert_queries):
    """Items (1), policy (1), contacts and who knows them (2), steps (1), action items (1),
    touches (1), sales (1), estimates (1), the notes and their history (2) in a savepoint (2)."""
    reassignment = move(busy_key_clients(count, manager, director), successor, by=director)
    Policy.current()

    notes = assert_queries(
        13, lambda: services.handover_notes_generate(reassignment=reassignment, today=TODAY)
    )

    assert len(notes) == count
    assert HandoverNote.objects.count() == count


# Editing


def test_a_save_replaces_the_text_and_moves_the_version_on(note, successor):
    services.handover_note_save(note=note, text="  Call Ivan first.  ", expected_version=1, by=successor)

    note.refresh_from_db()
    assert (note.text, note.version, note.edited_by) == ("Call Ivan first.", 2, successor)
    assert note.history.order_by("-history_id").first().history_user == successor


def test_a_stale_save_is_refused_and_writes_nothing(note, successor, director):
    services.handover_note_save(note=note, text="Director's words", expected_version=1, by=director)

    with pytest.raises(services.StaleVersionError) as refused:
        services.handover_note_save(note=note, text="Mine", expected_version=1, by=successor)

    note.refresh_from_db()
    assert (note.text, note.version) == ("Director's words", 2)
    assert refused.value.conflict.changed_by == director


def test_an_empty_text_is_refused(note, successor):
    before = note.text

    with pytest.raises(services.EmptyNoteError):
        services.handover_note_save(note=note, text=" \n ", expected_version=1, by=successor)

    note.refresh_from_db()
    assert (note.text, note.version) == (before, 1)


def test_the_whitespace_shows_the_five_biggest_headrooms_and_counts_the_rest(
    client_card, director, successor
):
    make_key(client_card)
    for number in range(1, 8):
        PotentialEstimate.objects.create(
            client=client_card,
            product_group=ProductGroupFactory(name=f"Group {number}"),
            amount=Decimal(number * 1000),
            source=PotentialEstimate.Source.SURVEY,
            estimated_on=TODAY,
        )

    services.handover_notes_generate(reassignment=move([client_card], successor, by=director), today=TODAY)

    whitespace = HandoverNote.objects.get().text.split("Whitespace\n")[1].splitlines()
    assert whitespace == [
        f"- Group {number}: estimate {number},000{NBSP}RUB, bought 0{NBSP}RUB, headroom {number},000{NBSP}RUB"
        for number in range(7, 2, -1)
    ] + ["- 2 more product groups: see the Potential tab"]
