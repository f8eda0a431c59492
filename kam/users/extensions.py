"""Where an app above `kam.users` tells it what the users' pages and the signed-in user show of it.

`kam.users` knows no app above it. Segmentation registers `handover(user)`: how many active
clients the user still holds and the page that hands them over to other managers, so
deactivating a manager who still holds clients offers the handover first; `client_counts()`:
every user's active clients, as the workload board keeps them, for the users list; and what is
read with the signed-in user (the unread notifications every page shows; accounts registers the
client list filters' version).
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


_reads: dict[str, Callable[[str], Any]] = {}


def register_read_with(name: str, value: Callable[[str], Any]) -> None:
    """Add a value read with the signed-in user in the one query that reads them
    (`backends.RoleBackend.get_user`) rather than in a query of its own: the badges every page
    shows (the unread notifications), and what pages ask on every request (the client list
    filters' version). `value(user)` makes an expression of the user's id (`OuterRef(user)`:
    "pk" in a query of users, "user_id" in one of sessions)."""
    _reads[name] = value


def reads() -> dict[str, Callable[[str], Any]]:
    """The registered values by name."""
    return dict(_reads)


def read_with(user: User, name: str) -> Any:
    """The signed-in user's value `name` as read with them, or None for a user read otherwise."""
    values = all_read_with(user)
    return None if values is None else values.get(name)


def all_read_with(user: User) -> dict[str, Any] | None:
    """Every value read with the signed-in user, by name; None for a user read otherwise."""
    values: dict[str, Any] | None = getattr(user, "_read_with", None)
    return values
