"""Whether a worker is there at all, queueing a Celery task from a request and knowing at once
whether the broker took it, and running a task's work on the worker with retries."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

RETRIES = 3
# A lost database connection is worth another try (30 s, 60 s, 120 s); anything else fails the run.
TRANSIENT = (OperationalError, InterfaceError)


def has_worker() -> bool:
    """Whether background work (imports, large exports) goes to the Celery worker: when a broker
    is configured. Without one (the embedded default) it runs in the request."""
    return bool(settings.CELERY_BROKER_URL)


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


def with_retries(task: Task, work: Callable[[], str], failed: Callable[[], None]) -> str:
    """Run a task's `work` (bound task `task`, declared with `max_retries=RETRIES`): a lost
    database connection is retried with a growing wait; on the last one, or any other error,
    `failed` marks the run failed before the error is raised (Celery logs it), so the run's page
    does not wait for ever."""
    try:
        return work()
    except TRANSIENT as error:
        if task.request.retries < RETRIES:
            raise task.retry(exc=error, countdown=30 * 2**task.request.retries) from error
        failed()
        raise
    except Exception:
        failed()
        raise
