"""Celery tasks: an export built on the worker, and the clean-up of old ones (retries live here)."""

import logging

from celery import Task
from django.db import InterfaceError, OperationalError

from kam.celery import app
from kam.exports import services

logger = logging.getLogger(__name__)

# A lost database connection is worth another try (30 s, 60 s, 120 s); anything else fails the run.
TRANSIENT = (OperationalError, InterfaceError)
RETRIES = 3


@app.task(bind=True, acks_late=True, max_retries=RETRIES)
def build_export(self: Task, run_id: int) -> str:
    """Build a queued export; returns its status. When it cannot be built the run is marked failed,
    so its page does not wait for ever."""
    try:
        status = services.export_build(run_id=run_id)
    except TRANSIENT as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
        services.export_failed(run_id=run_id)
        raise
    except Exception:  # Celery logs it with its traceback
        services.export_failed(run_id=run_id)
        raise
    logger.info("build_export: run %s %s", run_id, status)
    return status


@app.task
def clean_up_exports() -> tuple[int, int]:
    """The daily clean-up of exports (services.clean_up): stale runs and old files."""
    abandoned, expired = services.clean_up()
    logger.info("clean_up_exports: %s runs failed, %s files deleted", abandoned, expired)
    return abandoned, expired
