"""Plans' answers to what happens below them: after a nightly run, close the win-back plans of
clients it found won back."""

import logging
from typing import Any

from plans.services import close_won_back_plans
from segmentation.signals import run_finished

logger = logging.getLogger(__name__)


def close_won_back(sender: Any, **kwargs: Any) -> None:
    closed = close_won_back_plans()
    if closed:
        logger.info("closed %s win-back plans as won back", closed)


def connect() -> None:
    run_finished.connect(close_won_back, dispatch_uid="plans.close_won_back")
