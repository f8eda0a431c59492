"""PostgreSQL as Django's backend has it, with a health check that costs no round trip.

With `CONN_HEALTH_CHECKS`, Django checks a reused connection at the start of every request that
touches the database (`is_usable`), by running `SELECT 1` on it: a round trip to the server
before the page's first query, on every page. An idle connection needs no query to tell: the
server sends nothing on it unless it is going away (a restart or `pg_terminate_backend` sends a
FATAL message and closes the socket), so a socket with something to read, an error or a hang-up
is one to drop. That is what this backend checks, with a poll that does not wait. A connection
after a database error (`close_if_unusable_or_obsolete`) is still asked with `SELECT 1`.

`ENGINE = "kam.postgresql"` (kam/settings/base.py sets it for every PostgreSQL URL).
"""

import select

from django.db.backends.postgresql import base
from psycopg2 import extensions


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.errors_occurred:
            return super().is_usable()
        return self.connection is not None and idle_and_quiet(self.connection)


def idle_and_quiet(connection: extensions.connection) -> bool:
    """The connection is open, in no transaction, and the server has sent nothing on it."""
    if connection.closed or connection.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE:
        return False
    poll = select.poll()
    poll.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poll.poll(0)  # (errors and hang-ups are reported unasked)
