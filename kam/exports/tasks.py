"""Celery tasks: an export built on the worker (`kam.queue.with_retries`), and the clean-up."""

import logging

from celery import Task

from kam.celery import app
from kam.exports import services
from kam.queue import RETRIES, with_retries

logger = logging.getLogger(__name__)


@app.task(bind=True, acks_late=True, max_retries=RETRIES)
def build_export(self: Task, run_id: int) -> str:
    """Build a queued export; returns its status. When it cannot be built the run is marked failed,
    so its page does not wait for ever."""
    status = with_retries(
        self, lambda: services.export_build(run_id=run_id), lambda: services.export_failed(run_id=run_id)
    )
    logger.info("build_export: run %s %s", run_id, status)
    return status


@app.task
def clean_up_exports() -> tuple[int, int]:
    """The hourly clean-up of exports (services.clean_up): stale runs and old files."""
    abandoned, expired = services.clean_up()
    logger.info("clean_up_exports: %s runs failed, %s files deleted", abandoned, expired)
    return abandoned, expired
