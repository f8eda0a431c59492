"""Every write to handover notes: making them when clients move, and editing one by hand.

A note carries a version that every save moves on with one conditional UPDATE
(`accounts.services._claim`): a save made on a version someone else has moved on is refused with
StaleVersionError, which says what they changed.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from accounts.services import StaleVersionError, _claim
from kam.users.models import User
from plans.handover import selectors
from plans.handover.words import note_text
from plans.models import HandoverNote
from segmentation.models import Policy, Reassignment

__all__ = ["EmptyNoteError", "StaleVersionError", "handover_note_save", "handover_notes_generate"]


class EmptyNoteError(Exception):
    """A note must say something: an empty text is refused."""


def handover_notes_generate(*, reassignment: Reassignment, today: date | None = None) -> list[HandoverNote]:
    """One note per key or gold client of `reassignment` that changed hands, for its new manager.

    1. Pick the items whose client is key or has the gold effective tier (one query).
    2. Read every client's facts at once (`selectors.handover_facts`: a constant number of queries).
    3. Write each note in its new manager's language (their own choice, else the site's), all in
       one bulk insert with its history. Runs inside the caller's transaction (the move's).
    """
    today = today or timezone.localdate()
    items = selectors.items_to_hand_over(reassignment)
    if not items:
        return []
    facts = selectors.handover_facts([item.client_id for item in items], today=today, policy=Policy.current())
    now = timezone.now()
    notes = []
    for item in items:
        with translation.override(item.new_manager.language or settings.LANGUAGE_CODE):
            text = note_text(facts[item.client_id])
        notes.append(
            HandoverNote(
                client=item.client,
                reassignment=reassignment,
                from_manager=item.previous_manager,
                to_manager=item.new_manager,
                text=text,
                created_at=now,
                updated_at=now,
            )
        )
    with transaction.atomic():
        return bulk_create_with_history(notes, HandoverNote, default_user=reassignment.applied_by)


def handover_note_save(
    *, note: HandoverNote, text: str, expected_version: int | None, by: User
) -> HandoverNote:
    """Replace the note's text, if nobody saved it since `expected_version`; an empty text is refused."""
    text = text.strip()
    if not text:
        raise EmptyNoteError
    with transaction.atomic():
        note.version = _claim(HandoverNote, note.pk, expected_version)
        note.text = text
        note.edited_by = by
        note.updated_at = timezone.now()
        note._history_user = by  # type: ignore[attr-defined]
        note.save(update_fields=["text", "edited_by", "updated_at", "version"])
    return note
