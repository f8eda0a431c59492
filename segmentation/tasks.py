"""Celery tasks: thin wrappers that call one service, log and return (retries live here)."""

import logging

from django.db import InterfaceError, OperationalError

from kam.celery import app
from segmentation.notifications import services as notifications
from segmentation.ops.services import nightly_run_due
from segmentation.segments.engine import recompute

logger = logging.getLogger(__name__)

# A lost database connection is worth another try (30 s, 60 s, 120 s); a wrong rule is not.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=3)
def recompute_segments(trigger: str = "schedule") -> int:
    """Recompute every client's segments now; returns the run's id."""
    run = recompute(trigger=trigger)
    logger.info("recompute_segments (%s): run %s %s", trigger, run.pk, run.status)
    return run.pk


@app.task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=3)
def run_nightly_if_due() -> int | None:
    """Recompute once a day after the policy's nightly time (beat checks every 15 minutes)."""
    if not nightly_run_due():
        return None
    run = recompute(trigger="schedule")
    logger.info("run_nightly_if_due: run %s %s", run.pk, run.status)
    return run.pk


@app.task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=3)
def send_notification_digests() -> int:
    """E-mail each manager the day's segment changes of their clients; returns the e-mails sent."""
    sent = notifications.send_digests()
    logger.info("send_notification_digests: %s e-mails", sent)
    return sent
