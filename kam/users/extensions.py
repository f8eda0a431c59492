"""Where an app above `kam.users` tells the users' pages what a user's departure involves.

`kam.users` knows no app above it. Segmentation registers `handover(user)`: how many active
clients the user still holds and the page that hands them over to other managers, so
deactivating a manager who still holds clients offers the handover first; and `client_counts()`:
every user's active clients, as the workload board keeps them, for the users list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from kam.users.models import User


@dataclass(frozen=True)
class Handover:
    """A user's active clients still to hand over, and the page that does it."""

    clients: int
    url: str


_handover: list[Callable[[User], Handover | None]] = []


def register_handover(finder: Callable[[User], Handover | None]) -> None:
    """Set the one finder of a user's handover (registering again replaces it)."""
    _handover[:] = [finder]


def handover(user: User) -> Handover | None:
    """The user's handover, if they still hold active clients and an app offers one."""
    for finder in _handover:
        found = finder(user)
        if found is not None and found.clients:
            return found
    return None


_client_counts: list[Callable[[], dict[int, int]]] = []


def register_client_counts(counter: Callable[[], dict[int, int]]) -> None:
    """Set the one counter of every user's active clients (registering again replaces it)."""
    _client_counts[:] = [counter]


def client_counts() -> dict[int, int] | None:
    """Every user's active clients by user id (a user with none may be missing), or None when no
    app keeps them."""
    return _client_counts[0]() if _client_counts else None
