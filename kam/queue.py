"""Queueing a Celery task from a request, and knowing at once whether the broker took it."""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


@dataclass
class Enqueued:
    failed: bool = False


def enqueue_after_commit(task: Any, what: str, **kwargs: Any) -> Enqueued:
    """Queue `task` with `kwargs` once the request's writes are committed, and say whether the
    broker took it (`what` names it in the log).

    Requests run outside a transaction (ATOMIC_REQUESTS is off), so on_commit calls `enqueue`
    at once and the outcome is known before the user is told anything.
    """
    outcome = Enqueued()

    def enqueue() -> None:
        try:
            task.delay(**kwargs)
        except BrokerError:
            outcome.failed = True
            logger.exception("could not queue %s: the broker is unreachable", what)

    transaction.on_commit(enqueue)
    return outcome
