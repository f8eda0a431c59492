"""Small helpers shared by view tests."""

from typing import Any

import psycopg2
from django.contrib.messages import get_messages
from django.db import connection


def messages_of(response: Any) -> list[str]:
    """The texts of the messages a response left for the next page, in order."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def second_session() -> Any:
    """Another PostgreSQL connection to the test database, as a concurrent request or run
    would hold one (the caller closes it)."""
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
