"""Celery tasks: the check and the import of an uploaded file on the worker (retries live here)."""

import logging

from celery import Task
from django.db import InterfaceError, OperationalError

from kam.celery import app
from kam.imports import services

logger = logging.getLogger(__name__)

# A lost database connection is worth another try (30 s, 60 s, 120 s); anything else fails the run.
TRANSIENT = (OperationalError, InterfaceError)
RETRIES = 3


@app.task(bind=True, acks_late=True, max_retries=RETRIES)
def process_import(self: Task, run_id: int, commit: bool) -> str:
    """Check (commit=False) or import a queued run; returns its status. When it cannot be done
    the run is marked failed with a message, so its page does not wait for ever."""
    try:
        status = services.import_background(run_id=run_id, commit=commit)
    except TRANSIENT as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
        services.import_failed(run_id=run_id)
        raise
    except Exception:  # Celery logs it with its traceback
        services.import_failed(run_id=run_id)
        raise
    logger.info("process_import: run %s %s", run_id, status)
    return status


@app.task
def clean_up_imports() -> tuple[int, int]:
    """The daily clean-up of imports (services.clean_up): abandoned runs and old uploads."""
    abandoned, deleted = services.clean_up()
    logger.info("clean_up_imports: %s runs abandoned, %s uploads deleted", abandoned, deleted)
    return abandoned, deleted
