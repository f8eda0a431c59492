"""Where an app above `kam.users` tells it what the users' pages and the signed-in user show of it.

`kam.users` knows no app above it. Segmentation registers `handover(user)`: how many active
clients the user still holds and the page that hands them over to other managers, so
deactivating a manager who still holds clients offers the handover first; `client_counts()`:
every user's active clients, as the workload board keeps them, for the users list; and the badges
every page shows of the signed-in user (the unread notifications), read with the user.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


_badges: dict[str, Callable[[str], Any]] = {}


def register_badge(name: str, count: Callable[[str], Any]) -> None:
    """Add a count that every page shows of the signed-in user (the unread notifications):
    `count(user)` makes an expression of the user's id (`OuterRef(user)`: "pk" in a query of
    users, "user_id" in one of sessions), read in the one query that reads the signed-in user
    (`backends.RoleBackend.get_user`) rather than in a query of its own."""
    _badges[name] = count


def badges() -> dict[str, Callable[[str], Any]]:
    """The registered counts by name."""
    return dict(_badges)


def badge(user: User, name: str) -> int | None:
    """The signed-in user's count `name` as read with them, or None for a user read otherwise."""
    counts: dict[str, int] | None = getattr(user, "_badges", None)
    return None if counts is None else counts.get(name)
