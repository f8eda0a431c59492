"""How far a run in the background has got: its phase and the rows read so far.

The commit holds the run's row locked in one transaction until it ends, so its progress cannot
be written on the run: it is kept in the cache under a key per run, one write per chunk. With
Redis (the only set-up with a worker) the cache is shared by the worker and the web. Progress
is best effort: a cache that fails is logged and the import goes on. Each report is also the
run's heartbeat: the time it was made is kept with it (services.abandon_if_stale reads it).
"""

import logging
import time
from dataclasses import dataclass, field

from django.core.cache import cache

logger = logging.getLogger(__name__)

CHECKING = "checking"
IMPORTING = "importing"
SAVING = "saving"  # every row read; the set-based merge is running
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Progress:
    phase: str
    rows: int
    total: int = 0  # 0 when unknown: a file is counted by its check
    # When it was reported (seconds since the epoch; 0 when not kept): the heartbeat, not a part
    # of what the progress says.
    at: float = field(default=0.0, compare=False)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.rows * 100 // self.total)


def _key(run_id: int) -> str:
    return f"imports:progress:{run_id}"


def report(run_id: int, progress: Progress) -> None:
    try:
        cache.set(_key(run_id), [progress.phase, progress.rows, progress.total, time.time()], KEEP_SECONDS)
    except Exception:  # a cache outage must not stop an import
        logger.warning("could not keep the progress of import %s", run_id, exc_info=True)


def read(run_id: int) -> Progress | None:
    try:
        kept = cache.get(_key(run_id))
    except Exception:  # the page still shows the run's status
        logger.warning("could not read the progress of import %s", run_id, exc_info=True)
        return None
    if not kept:
        return None
    phase, rows, total, *at = kept
    return Progress(phase, rows, total, at[0] if at else 0.0)
