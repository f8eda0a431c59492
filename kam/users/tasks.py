"""Celery tasks of the staff users: the daily clearing of expired sessions."""

import logging

from django.utils import timezone

from kam.celery import app
from kam.users.models import Session

logger = logging.getLogger(__name__)


@app.task
def clear_expired_sessions() -> int:
    """Delete the sessions that have expired, as Django's `clearsessions` does: an expired
    session is never read again, and nothing else deletes one its user did not sign out of."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("clear_expired_sessions: %s sessions deleted", deleted)
    return deleted
