"""Small helpers shared by view tests."""

from typing import Any

from django.contrib.messages import get_messages


def messages_of(response: Any) -> list[str]:
    """The texts of the messages a response left for the next page, in order."""
    return [str(message) for message in get_messages(response.wsgi_request)]
