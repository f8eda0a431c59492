"""Where an app above `kam.users` tells the users' pages what a user's departure involves.

`kam.users` knows no app above it. Segmentation registers `handover(user)`: how many active
clients the user still holds and the page that hands them over to other managers, so
deactivating a manager who still holds clients offers the handover first.
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
