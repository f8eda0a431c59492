"""Plans' answers to what happens below them: after a nightly run, close the win-back plans of
clients it found won back; when clients move between managers, write the handover notes of the
key and gold ones for their new managers."""

import logging
from typing import Any

from plans.handover.services import handover_notes_generate
from plans.services import close_won_back_plans
from segmentation.models import Reassignment
from segmentation.signals import clients_reassigned, run_finished

logger = logging.getLogger(__name__)


def close_won_back(sender: Any, **kwargs: Any) -> None:
    closed = close_won_back_plans()
    if closed:
        logger.info("closed %s win-back plans as won back", closed)


def write_handover_notes(sender: Any, *, reassignment: Reassignment, **kwargs: Any) -> None:
    """Runs inside the move's transaction, so the notes are written with the move or not at all."""
    notes = handover_notes_generate(reassignment=reassignment)
    logger.info("wrote %s handover notes for reassignment %s", len(notes), reassignment.pk)


def connect() -> None:
    run_finished.connect(close_won_back, dispatch_uid="plans.close_won_back")
    clients_reassigned.connect(write_handover_notes, dispatch_uid="plans.write_handover_notes")
