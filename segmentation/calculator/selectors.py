"""The workload calculator (DOMAIN §9): touch norms per category turn into the hours each
client needs a year, then per manager and for the whole department, and into the number of
managers the department needs.

The arithmetic is exact: minutes are whole numbers, hours are `Decimal` (minutes / 60), and
"managers needed" is a ceiling taken on fractions; rounding is for display only.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth import get_user_model

from kam.prepared import Ids, Prepared
from kam.users.models import User
from segmentation.models import Category, CategoryTally, Policy

CATEGORIES = tuple(Category.values)
# The time split has a share for A and B clients and one for servicing C clients; D clients
# have none of their own, so their touches come out of the C share.
AB, CD = ("A", "B"), ("C", "D")
NORM_FIELDS = [
    f"{kind}_{category.lower()}" for kind in ("touches", "touch_minutes") for category in CATEGORIES
]
FIELDS = [*NORM_FIELDS, "working_hours"]
MINUTES = Decimal(60)


@dataclass(frozen=True)
class Norms:
    """What the calculator multiplies: touches a year and minutes a touch per category, a
    manager's working hours a year (these nine a director may try other values of), and the
    policy's time split: the shares of a manager's time for A and B clients and for C."""

    touches: Mapping[str, int]
    minutes: Mapping[str, int]
    working_hours: int
    ab_share: Decimal
    c_share: Decimal

    @classmethod
    def of(cls, values: Mapping[str, int], policy: Policy) -> "Norms":
        """The norms from the nine values (named as the policy's fields) and the policy's split."""
        return cls(
            touches={c: values[f"touches_{c.lower()}"] for c in CATEGORIES},
            minutes={c: values[f"touch_minutes_{c.lower()}"] for c in CATEGORIES},
            working_hours=values["working_hours"],
            ab_share=policy.split_ab_share,
            c_share=policy.split_c_share,
        )

    def minutes_per_client(self, category: str) -> int:
        return self.touches[category] * self.minutes[category]

    def capacity(self, share: Decimal) -> Decimal:
        """A manager's minutes a year for touches at `share` percent of the working hours."""
        return self.working_hours * MINUTES * share / 100

    @property
    def touch_share(self) -> Decimal:
        return self.ab_share + self.c_share


def policy_values(policy: Policy) -> dict[str, int]:
    """The policy's nine values the calculator starts from."""
    return {name: getattr(policy, name) for name in FIELDS}


def hours(minutes: int | Decimal) -> Decimal:
    return Decimal(minutes) / MINUTES


def managers_for(minutes: int, capacity: Decimal) -> int | None:
    """How many managers give `minutes` a year at `capacity` minutes each, rounded up; None
    when there is work to do and the split gives it no time at all."""
    if not minutes:
        return 0
    if not capacity:
        return None
    return math.ceil(Fraction(minutes) / Fraction(capacity))


def load(minutes: int, capacity: Decimal) -> Decimal | None:
    """`minutes` as a percentage of `capacity`; None when there is no capacity."""
    return Decimal(minutes) * 100 / capacity if capacity else None


@dataclass(frozen=True)
class CategoryRow:
    """One category: its active clients and the hours their touches take a year."""

    category: str
    clients: int
    touches: int
    minutes: int

    @property
    def hours_per_client(self) -> Decimal:
        return hours(self.touches * self.minutes)

    @property
    def total_minutes(self) -> int:
        return self.clients * self.touches * self.minutes

    @property
    def hours(self) -> Decimal:
        return hours(self.total_minutes)


@dataclass(frozen=True)
class ManagerRow:
    """One responsible manager (None: nobody, or a manager who has left) and their active
    clients' hours a year against the manager's time for touches."""

    manager: User | None
    clients: Mapping[str, int]
    uncategorised: int
    minutes: int
    capacity: Decimal

    @property
    def by_category(self) -> list[int]:
        return [self.clients.get(c, 0) for c in CATEGORIES]

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def load(self) -> Decimal | None:
        return load(self.minutes, self.capacity)

    @property
    def over(self) -> bool:
        return self.minutes > self.capacity


@dataclass(frozen=True)
class Bucket:
    """One part of the time split (A and B; C with D) checked on its own: the hours its
    clients need against its share of a manager's working hours."""

    categories: tuple[str, ...]
    minutes: int
    share: Decimal
    capacity: Decimal

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def hours_per_manager(self) -> Decimal:
        return hours(self.capacity)

    @property
    def managers(self) -> int | None:
        return managers_for(self.minutes, self.capacity)


@dataclass(frozen=True)
class Workload:
    """The calculator's page: per category, per manager, and the department's answer."""

    norms: Norms
    categories: list[CategoryRow]
    uncategorised: int
    managers: list[ManagerRow]
    nobody: ManagerRow
    buckets: list[Bucket]

    @property
    def clients(self) -> int:
        """The active clients counted (those with a category)."""
        return sum(row.clients for row in self.categories)

    @property
    def minutes(self) -> int:
        return sum(row.total_minutes for row in self.categories)

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def capacity(self) -> Decimal:
        """A manager's minutes a year for touches: both shares of the split together."""
        return self.norms.capacity(self.norms.touch_share)

    @property
    def hours_per_manager(self) -> Decimal:
        return hours(self.capacity)

    @property
    def pooled(self) -> int | None:
        """Managers needed when any manager's touch time may serve any client."""
        return managers_for(self.minutes, self.capacity)

    @property
    def needed(self) -> int | None:
        """The answer: the largest figure of the pooled count and each bucket's; None when
        none can be computed (the split gives touches no time and there is work to do)."""
        figures = [n for n in [self.pooled, *(b.managers for b in self.buckets)] if n is not None]
        return max(figures) if figures else None

    @property
    def short_buckets(self) -> list[Bucket]:
        """The buckets with work to do and no share of the split to do it in."""
        return [b for b in self.buckets if b.managers is None]

    @property
    def current(self) -> int:
        """The active managers responsible for at least one active client."""
        return len(self.managers)

    @property
    def difference(self) -> int | None:
        """Managers needed less those there are: more than 0 is short, less is spare."""
        return None if self.needed is None else self.needed - self.current

    @property
    def short(self) -> int:
        return max(self.difference or 0, 0)

    @property
    def spare(self) -> int:
        return max(-(self.difference or 0), 0)


def client_counts() -> list[tuple[int | None, str, int]]:
    """Active clients per (responsible manager, category), from `CategoryTally`: a few hundred
    rows kept by triggers as clients and segments are written, where a GROUP BY over the whole
    base cost ~100 ms a request at 100,000 clients. A client the nightly run has not
    categorised yet has the category "".
    """
    return [(manager or None, category, clients) for manager, category, clients in _COUNTS()]


_COUNTS = Prepared(
    lambda: CategoryTally.objects.exclude(clients=0).values_list("manager", "category", "clients")
)


def workload(norms: Norms) -> Workload:
    """The calculator's figures for the whole base at `norms`: two queries, whatever its size.

    A manager who has left (an inactive user) counts as nobody: nobody serves those clients.
    """
    counts = client_counts()
    ids = {manager for manager, _category, _clients in counts if manager is not None}
    return calculate(norms, counts, {user.pk: user for user in _ACTIVE_USERS(Ids(ids))})


_ACTIVE_USERS = Prepared(
    lambda ids: (
        get_user_model()
        .objects.filter(pk__any=ids, is_active=True)
        .only("username", "first_name", "last_name")
        .order_by()
    )
)


def calculate(
    norms: Norms, counts: Iterable[tuple[int | None, str, int]], users: Mapping[int, User]
) -> Workload:
    """The figures from the client counts: plain arithmetic, no queries. A manager not in
    `users` counts as nobody."""
    per_manager: dict[int | None, dict[str, int]] = {None: {}}
    for manager, category, clients in counts:
        tally = per_manager.setdefault(manager if manager in users else None, {})
        tally[category] = tally.get(category, 0) + clients
    nobody = _manager_row(norms, None, per_manager[None])
    managers = sorted(
        (_manager_row(norms, users[pk], tally) for pk, tally in per_manager.items() if pk is not None),
        key=_worst_first,
    )
    total = {c: sum(tally.get(c, 0) for tally in per_manager.values()) for c in [*CATEGORIES, ""]}
    return Workload(
        norms=norms,
        categories=[CategoryRow(c, total[c], norms.touches[c], norms.minutes[c]) for c in CATEGORIES],
        uncategorised=total[""],
        managers=managers,
        nobody=nobody,
        buckets=[
            _bucket(norms, AB, norms.ab_share, total),
            _bucket(norms, CD, norms.c_share, total),
        ],
    )


def _worst_first(row: ManagerRow) -> tuple[int, str, int]:
    return (-row.minutes, str(row.manager), row.manager.pk if row.manager else 0)


def _manager_row(norms: Norms, manager: User | None, tally: Mapping[str, int]) -> ManagerRow:
    return ManagerRow(
        manager=manager,
        clients={c: tally.get(c, 0) for c in CATEGORIES},
        uncategorised=tally.get("", 0),
        minutes=sum(tally.get(c, 0) * norms.minutes_per_client(c) for c in CATEGORIES),
        capacity=norms.capacity(norms.touch_share),
    )


def _bucket(norms: Norms, categories: tuple[str, ...], share: Decimal, total: Mapping[str, int]) -> Bucket:
    minutes = sum(total[c] * norms.minutes_per_client(c) for c in categories)
    return Bucket(categories=categories, minutes=minutes, share=share, capacity=norms.capacity(share))
