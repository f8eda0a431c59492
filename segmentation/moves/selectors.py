"""Reads for moving clients between managers (DOMAIN §9): what a move would do to every manager
it touches, the KAM rules it would break (DOMAIN §4), and the moves made so far.

A move sends each client of a selection to the new manager of its size class (one manager for
all, or one per size class when a manager leaves); a client already with that manager stays.
Every figure is an aggregate over the whole selection: a preview of 10,000 clients costs the
same few queries as one of a single client.
"""

import hashlib
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When

from accounts.models import Client
from kam.users.models import User
from segmentation.models import Policy, Reassignment, ReassignmentItem
from segmentation.workload.selectors import (
    ACTIVE,
    SIZE_OF,
    SIZES,
    KamLoad,
    Load,
    kam_warnings,
    load_warnings,
    loads,
)

SAMPLE_SIZE = 20

Targets = Mapping[str, User]  # size class -> the new manager of the selection's clients of that class


def targets(to: "User | Mapping[str, User]") -> dict[str, User]:
    """One manager for every size class, or the given manager per size class."""
    if isinstance(to, User):
        return dict.fromkeys(SIZES, to)
    return {size: to[size] for size in SIZES if to.get(size) is not None}


def receivers(plan: Targets) -> list[User]:
    """The new managers, each once, in size-class order."""
    found: dict[int, User] = {}
    for size in SIZES:
        if size in plan:
            found.setdefault(plan[size].pk, plan[size])
    return list(found.values())


def _sizes_of(plan: Targets, user: User) -> Q:
    sizes = [size for size in SIZES if size in plan and plan[size].pk == user.pk]
    if len(sizes) == len(SIZES):
        return Q()
    return reduce(operator.or_, (SIZE_OF[size] for size in sizes))


def moving(selection: QuerySet[Client], plan: Targets) -> QuerySet[Client]:
    """The clients of `selection` that change hands: those of a size class with a new manager who
    do not have that manager already."""
    return selection.filter(_moving_q(plan))


def new_manager_of(plan: Targets) -> Case | Value:
    """The new manager's id of each client, as an SQL expression over its size class."""
    users = receivers(plan)
    if len(users) == 1:
        return Value(users[0].pk, output_field=IntegerField())
    return Case(
        *(When(_sizes_of(plan, user), then=Value(user.pk)) for user in users), output_field=IntegerField()
    )


@dataclass
class Side:
    """One manager a move touches: their load before and after it, and what the load after
    breaks: `refusals` under the policy's "forbid", `warnings` otherwise."""

    manager: User | None
    before: Load
    after: Load
    percent_before: int
    percent_after: int
    gives: int = 0
    receives: int = 0
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def is_receiver(self) -> bool:
        return not self.gives


@dataclass
class Preview:
    """What moving a selection to `plan` would do.

    `asked` is how many clients were ticked (None for all matching or a leaving manager's
    clients), `found` how many of them the user sees; `moving` change hands (of them `inactive`
    are inactive cards, which weigh nothing) and `already` have their new manager already.
    `token` fingerprints the moving clients, their managers and the loads of every manager
    touched, so an apply can tell that something changed since the preview.
    """

    plan: dict[str, User]
    asked: int | None
    found: int
    moving: int
    inactive: int
    sides: list[Side]
    sample: list[Client]
    token: str

    @property
    def already(self) -> int:
        return self.found - self.moving

    @property
    def missing(self) -> int:
        return (self.asked - self.found) if self.asked is not None else 0

    @property
    def givers(self) -> list[Side]:
        return [side for side in self.sides if side.gives]

    @property
    def takers(self) -> list[Side]:
        return [side for side in self.sides if not side.gives]

    @property
    def refusals(self) -> list[str]:
        return [text for side in self.sides for text in side.refusals]

    @property
    def warnings(self) -> list[str]:
        return [text for side in self.sides for text in side.warnings]


def preview(
    selection: QuerySet[Client],
    plan: Targets,
    *,
    policy: Policy,
    asked: int | None = None,
    details: bool = True,
) -> Preview:
    """The preview of moving `selection` to `plan`: one aggregate of the selection, the load each
    previous manager gives (one GROUP BY), the load each new manager receives (one), the loads
    now of every manager touched (one), their names (one) and, with `details`, the first moving
    clients by name (one)."""
    plan = dict(plan)
    going = moving(selection, plan)
    figures = selection.order_by().aggregate(
        found=Count("pk"),
        moving=Count("pk", filter=_moving_q(plan)),
        inactive=Count("pk", filter=_moving_q(plan) & ~ACTIVE),
        ids=Sum("pk", filter=_moving_q(plan)),
        managers=Sum("responsible_manager_id", filter=_moving_q(plan)),
    )
    gives = _gives(going) if figures["moving"] else {}
    taken = loads(going) if figures["moving"] else {}
    received = loads(going.annotate(new_manager=new_manager_of(plan)), by="new_manager") if plan else {}
    ids = {pk for pk in gives if pk is not None} | {user.pk for user in receivers(plan)}
    now = loads(Client.objects.filter(responsible_manager__in=ids)) if ids else {}
    if None in gives:
        now[None] = loads(Client.objects.filter(responsible_manager__isnull=True)).get(None, Load())
    users = {user.pk: user for user in receivers(plan)}
    users |= User.objects.in_bulk([pk for pk in gives if pk is not None and pk not in users])
    sides = [
        _side(users.get(pk) if pk is not None else None, now, taken, received, gives, plan, policy)
        for pk in sorted(gives, key=lambda pk: (-gives[pk], pk or 0))
    ]
    sides += [
        _side(user, now, taken, received, gives, plan, policy)
        for user in receivers(plan)
        if user.pk not in gives
    ]
    sample = (
        list(going.select_related("responsible_manager", "segment").order_by("name", "pk")[:SAMPLE_SIZE])
        if details and figures["moving"]
        else []
    )
    return Preview(
        plan=plan,
        asked=asked,
        found=figures["found"],
        moving=figures["moving"],
        inactive=figures["inactive"],
        sides=sides,
        sample=sample,
        token=_token(plan, figures, sides),
    )


def _moving_q(plan: Targets) -> Q:
    parts = [_sizes_of(plan, user) & ~Q(responsible_manager=user) for user in receivers(plan)]
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


def _gives(going: QuerySet[Client]) -> dict[int | None, int]:
    """How many clients (inactive cards too) each previous manager gives."""
    rows = going.order_by().values("responsible_manager").annotate(n=Count("pk")).order_by()
    return {row["responsible_manager"]: row["n"] for row in rows}


def _side(
    user: User | None,
    now: dict[Any, Load],
    taken: dict[Any, Load],
    received: dict[Any, Load],
    gives: dict[int | None, int],
    plan: Targets,
    policy: Policy,
) -> Side:
    pk = user.pk if user is not None else None
    before = now.get(pk, Load())
    after = before - taken.get(pk, Load()) + received.get(pk, Load())
    side = Side(
        manager=user,
        before=before,
        after=after,
        percent_before=before.percent(policy),
        percent_after=after.percent(policy),
        gives=gives.get(pk, 0),
    )
    if user is None or user.pk not in {u.pk for u in receivers(plan)}:
        return side
    side.receives = received.get(pk, Load()).clients
    side.warnings = load_warnings(after, policy, manager=user)
    if policy.kam_small_clients == Policy.SmallClientsRule.FORBID and after.keys and after.small:
        side.refusals = kam_warnings(KamLoad(keys=0, small=after.small), policy, manager=user)
        side.warnings = [text for text in side.warnings if text not in side.refusals]
    return side


def _token(plan: Targets, figures: dict[str, Any], sides: list[Side]) -> str:
    """A fingerprint of the plan, the moving clients (the sums of their ids and managers change
    when a client joins, leaves or changes hands) and the loads now of every manager touched."""
    parts: list[Any] = [f"{size}:{user.pk}" for size, user in sorted(plan.items())]
    parts += [figures.get(name) or 0 for name in ("found", "moving", "inactive", "ids", "managers")]
    parts += [
        (side.manager.pk if side.manager else "", *side.before._values())
        for side in sorted(sides, key=lambda s: s.manager.pk if s.manager else 0)
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def leaving_clients(manager: User) -> QuerySet[Client]:
    """A leaving manager's clients that a handover moves: the active ones (an inactive card
    weighs nothing and stays with them)."""
    return Client.objects.filter(responsible_manager=manager).filter(ACTIVE)


def reassignments() -> QuerySet[Reassignment]:
    return Reassignment.objects.select_related("applied_by", "departing")


def reassignment_summary(reassignment: Reassignment) -> list[tuple[User | None, User | None, int]]:
    """The reassignment's clients by (previous manager, new manager), most first (two queries)."""
    rows = list(
        reassignment.items.order_by()
        .values("previous_manager", "new_manager")
        .annotate(n=Count("pk"))
        .order_by("-n", "previous_manager", "new_manager")
    )
    ids = {row["previous_manager"] for row in rows} | {row["new_manager"] for row in rows}
    users = User.objects.in_bulk([pk for pk in ids if pk is not None])
    return [(users.get(row["previous_manager"]), users.get(row["new_manager"]), row["n"]) for row in rows]


def reassignment_items(reassignment: Reassignment) -> QuerySet[ReassignmentItem]:
    """The reassignment's clients, to page through by the client's name."""
    return reassignment.items.select_related("client", "previous_manager", "new_manager").annotate(
        client_name=F("client__name")
    )


def new_managers(reassignment: Reassignment) -> list[User]:
    """Who received the reassignment's clients, by name (one query)."""
    received = reassignment.items.values("new_manager")
    return list(User.objects.filter(pk__in=received).order_by("last_name", "first_name", "pk"))
