"""The PostgreSQL backend's health check (kam/postgresql/base.py): a healthy idle connection is
reused without a round trip; one the server has dropped is replaced before the request's first
query, so a restarted database costs no failed page."""

import contextlib
import select
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from tests.factories import ManagerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's own check"),
]


@contextlib.contextmanager
def another_session() -> Iterator[Any]:
    """A cursor on a connection of its own, beside the app's."""
    with contextlib.closing(psycopg2.connect(**connection.get_connection_params())) as other:
        other.autocommit = True
        with other.cursor() as cursor:
            yield cursor


def last_statement(pid: int) -> str:
    with another_session() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def a_new_request() -> None:
    """What Django does between two requests (`request_started`, which the test client skips)."""
    close_old_connections()


def wait_until_readable(socket: int) -> None:
    poll = select.poll()
    poll.register(socket, select.POLLIN)
    assert poll.poll(5000), "the server did not close the connection"


def test_a_healthy_connection_is_reused_without_a_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last query'")
    before, pid = connection.connection, connection.connection.info.backend_pid

    a_new_request()
    connection.close_if_health_check_failed()

    assert connection.connection is before
    assert connection.health_check_done is True
    assert last_statement(pid) == "SELECT 'the last query'"  # Django's check would have sent SELECT 1


def test_a_connection_the_server_dropped_is_replaced_before_the_first_query():
    connection.ensure_connection()
    dropped, pid = connection.connection, connection.connection.info.backend_pid
    with another_session() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until_readable(dropped.fileno())

    a_new_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        now = cursor.fetchone()[0]

    assert connection.connection is not dropped
    assert dropped.closed
    assert now != pid


def test_a_page_after_the_database_restarted_its_connections_is_served():
    user = ManagerFactory()
    browser = Client()
    browser.force_login(user)
    assert browser.get("/clients/").status_code == 200
    with another_session() as cursor:  # what a restart does to every connection
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    wait_until_readable(connection.connection.fileno())

    a_new_request()
    assert browser.get("/clients/").status_code == 200


def test_a_connection_left_in_a_transaction_is_not_reused():
    connection.ensure_connection()
    left = connection.connection
    with left.cursor() as cursor:  # beneath Django: a transaction it does not know of
        cursor.execute("BEGIN")
    connection.health_check_done = False

    connection.close_if_health_check_failed()

    assert connection.connection is None
    assert left.closed


def test_after_a_database_error_the_server_is_asked():
    """Django asks a connection that raised an error whether it is still usable: that answer
    needs the server (`SELECT 1`), a quiet socket is not enough."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    connection.errors_occurred = True

    assert connection.is_usable() is True
    assert last_statement(pid) == "SELECT 1"
