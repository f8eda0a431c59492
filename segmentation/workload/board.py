"""Reads for the assignment board (DOMAIN §9, §4): every manager's load against the policy's
capacities with what it breaks, the managers who left still holding clients, and the active
clients nobody is responsible for, largest potential first.

Every manager's load comes from the one GROUP BY of `loads()`; the people and a page of the
unassigned clients are one query each, whatever the number of managers and clients.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import Client, PointOfPresence
from kam.pagination import Page, keyset_page
from kam.prepared import Ids, Prepared
from kam.users import roles
from kam.users.models import User
from segmentation.models import Policy, SizeClass
from segmentation.segments.tiers import effective_tier
from segmentation.workload.selectors import SIZES, Load, capacities, kept_loads, load_warnings, percent_of

PAGE_SIZE = 50
AMBER_FROM = Fraction(85, 100)  # a load from 85% shows amber, from 100% red (over capacity)
BY_LOAD, BY_NAME = "load", "name"
SORTS = (BY_LOAD, BY_NAME)


@dataclass(frozen=True)
class SizeCount:
    """A manager's clients of one size class against the number a full load holds."""

    size: str
    count: int
    capacity: int

    @property
    def label(self) -> str:
        return str(SizeClass(self.size).label)

    @property
    def over(self) -> bool:
        return self.count > self.capacity


@dataclass(frozen=True)
class ManagerRow:
    """One row of the board: a manager (None for the department's total) and their load."""

    manager: User | None
    load: Load
    share: Fraction
    sizes: list[SizeCount]
    keys_over: bool
    warnings: list[str]

    @property
    def percent(self) -> int:
        return percent_of(self.share)  # as `Load.percent` rounds

    @property
    def bar(self) -> int:
        """The progress bar's width: the load, up to a full bar."""
        return min(self.percent, 100)

    @property
    def level(self) -> str:
        """ "over" from 100%, "high" from 85%, else "ok": the bar's colour."""
        if self.share >= 1:
            return "over"
        return "high" if self.share >= AMBER_FROM else "ok"


@dataclass(frozen=True)
class Board:
    managers: list[ManagerRow]
    total: ManagerRow | None  # the department: every client of the managers above, their average load
    departed: list[ManagerRow]  # inactive people still responsible for active clients
    unassigned: Load  # the active clients nobody is responsible for


@dataclass(frozen=True)
class Staff:
    """What the board's managers are drawn from: every manager's load and the people."""

    loads: dict[int | None, Load]
    people: list[User]

    def version(self) -> tuple[object, ...]:
        """Everything the board shows of them: the loads, and each person's name and state."""
        loads = sorted((-1 if pk is None else pk, load._values()) for pk, load in self.loads.items())
        return (loads, [(person.pk, str(person), person.is_active) for person in self.people])


def staff() -> Staff:
    """The loads (kept, see `kept_loads`) and the people: the account managers and anyone else
    still responsible for active clients; two queries."""
    found = kept_loads()
    return Staff(found, _PEOPLE(Ids(pk for pk in found if pk)))


# The account managers and the users of these ids: compiled once.
_PEOPLE = Prepared(
    lambda ids: User.objects.filter(
        Q(is_active=True, groups__name=roles.ACCOUNT_MANAGER) | Q(pk__any=ids)
    ).distinct()
)


def board(policy: Policy, *, sort: str = BY_LOAD, of: Staff | None = None) -> Board:
    """The board, the managers worst load first (or by name), of `of` (read now by default)."""
    of = of or staff()
    rows = [_row(person, of.loads.get(person.pk, Load()), policy) for person in of.people]
    active = [row for row in rows if row.manager is not None and row.manager.is_active]
    if sort != BY_NAME:
        active.sort(key=lambda row: row.share, reverse=True)  # stable: equal loads stay by name
    return Board(
        managers=active,
        total=_total(active, policy),
        departed=[row for row in rows if row.manager is not None and not row.manager.is_active],
        unassigned=of.loads.get(None, Load()),
    )


def _row(manager: User | None, load: Load, policy: Policy, *, managers: int = 1) -> ManagerRow:
    full = capacities(policy)
    return ManagerRow(
        manager=manager,
        load=load,
        share=load.share(policy) / managers,
        sizes=[SizeCount(size, count, full[size] * managers) for size, count in load.by_size().items()],
        keys_over=load.keys > policy.key_per_manager * managers,
        warnings=load_warnings(load, policy) if manager is not None else [],
    )


def _total(rows: list[ManagerRow], policy: Policy) -> ManagerRow | None:
    """The department: all the managers' clients per size class against all their capacity, and
    the average load (the sum of the loads over the number of managers)."""
    if not rows:
        return None
    return _row(None, sum((row.load for row in rows), Load()), policy, managers=len(rows))


def unassigned_clients() -> QuerySet[Client]:
    """Active clients nobody is responsible for, largest potential first (clients without an
    estimate last), with their segment, effective tier and head office."""
    offices = PointOfPresence.objects.filter(client=OuterRef("pk"), is_head_office=True).order_by("id")
    return (
        Client.objects.filter(responsible_manager__isnull=True)
        .exclude(status=Client.Status.INACTIVE)
        .annotate(
            tier_now=effective_tier(),
            rank_potential=Coalesce(
                "segment__potential",
                Value(Decimal(-1)),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
            head_city=offices.values("city")[:1],
            head_region=offices.values("region")[:1],
        )
        .select_related("segment")
    )


def unassigned_page(*, after: str = "", before: str = "", size: int = PAGE_SIZE) -> Page:
    """One page of `unassigned_clients()`; the board counts them from the loads, not here."""
    return keyset_page(
        unassigned_clients(),
        order=["-rank_potential", "pk"],
        after=after,
        before=before,
        size=size,
        count=False,
    )


def sizes_of(policy: Policy) -> list[SizeCount]:
    """The size classes with their capacities, for the board's column headings."""
    full = capacities(policy)
    return [SizeCount(size, 0, full[size]) for size in SIZES]
