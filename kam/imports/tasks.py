"""Celery tasks: the check and the import of an uploaded file on the worker (`kam.queue.with_retries`)."""

import logging

from celery import Task

from kam.celery import app
from kam.imports import services
from kam.queue import RETRIES, with_retries

logger = logging.getLogger(__name__)


@app.task(bind=True, acks_late=True, max_retries=RETRIES)
def process_import(self: Task, run_id: int, commit: bool) -> str:
    """Check (commit=False) or import a queued run; returns its status. When it cannot be done
    the run is marked failed with a message, so its page does not wait for ever."""
    status = with_retries(
        self,
        lambda: services.import_background(run_id=run_id, commit=commit),
        lambda: services.import_failed(run_id=run_id),
    )
    logger.info("process_import: run %s %s", run_id, status)
    return status


@app.task
def clean_up_imports() -> tuple[int, int]:
    """The daily clean-up of imports (services.clean_up): abandoned runs and old uploads."""
    abandoned, deleted = services.clean_up()
    logger.info("clean_up_imports: %s runs abandoned, %s uploads deleted", abandoned, deleted)
    return abandoned, deleted
