"""A manager's load of key and small clients (DOMAIN §4): a key account manager holds at most
`key_per_manager` key clients and should not carry small clients (`kam_small_clients`).

One count serves the key list's warnings, the warnings after a grant, and the "forbid" rule
that refuses a grant; the workload board will read the same loads. The load by capacity
(DOMAIN §9) is `Load` / `overloaded_managers`.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Client
from kam.prepared import Prepared
from segmentation.models import ClientSegment, LoadTally, Policy, SizeClass

# (too many key clients, small clients besides): short for a list row, named after a grant.
SHORT = (
    ngettext_lazy(
        "Holds %(count)s key client, more than %(limit)s.",
        "Holds %(count)s key clients, more than %(limit)s.",
        "count",
    ),
    ngettext_lazy("Also carries %(count)s small client.", "Also carries %(count)s small clients.", "count"),
)
NAMED = (
    ngettext_lazy(
        "%(manager)s now holds %(count)s key client; a key account manager normally holds at most %(limit)s.",
        "%(manager)s now holds %(count)s key clients; a key account manager normally holds at most "
        "%(limit)s.",
        "count",
    ),
    ngettext_lazy(
        "%(manager)s also carries %(count)s small client; a key account manager should not "
        "carry small clients.",
        "%(manager)s also carries %(count)s small clients; a key account manager should not "
        "carry small clients.",
        "count",
    ),
)


@dataclass(frozen=True)
class KamLoad:
    """The key clients a manager is responsible for, and the small ones besides one client."""

    keys: int = 0
    small: int = 0

    def besides(self, client: Client) -> "KamLoad":
        """The load without `client` among the small ones (a client is no load on itself)."""
        return KamLoad(keys=self.keys, small=self.small - is_small(client))


def kam_loads(manager_ids: Iterable[int]) -> dict[int, KamLoad]:
    """Per manager: their active key clients and their small active clients, those not sized yet
    included, as in every load (`kept_loads`)."""
    found = kept_loads()
    return {pk: found[pk].kam() for pk in manager_ids if pk in found}


def kam_load_of(client: Client) -> KamLoad:
    """The load of the client's responsible manager besides the client itself."""
    manager_id = client.responsible_manager_id
    if manager_id is None:
        return KamLoad()
    return kam_loads([manager_id]).get(manager_id, KamLoad()).besides(client)


def is_small(client: Client) -> bool:
    """Whether a client counts among its manager's small ones, as `loads()` counts them: active,
    and sized small or not sized yet."""
    if client.status == Client.Status.INACTIVE:
        return False
    try:
        return client.segment.size_class == SizeClass.SMALL
    except ClientSegment.DoesNotExist:
        return True


def kam_warnings(load: KamLoad, policy: Policy, *, manager: object = None) -> list[str]:
    """What the load breaks of DOMAIN §4, in words; naming `manager` gives the long form."""
    too_many_keys, small_besides = NAMED if manager is not None else SHORT
    values = {"manager": manager, "limit": policy.key_per_manager}
    warnings = []
    if load.keys > policy.key_per_manager:
        warnings.append(str(too_many_keys % (values | {"count": load.keys})))
    if load.small:
        warnings.append(str(small_besides % (values | {"count": load.small})))
    return warnings


def overloaded_managers(policy: Policy) -> list[int]:
    """The managers at or over 100% load (DOMAIN §9), from the kept loads: the radar's "over
    capacity" flag and the workload board read the same loads."""
    return sorted(pk for pk, load in kept_loads().items() if pk is not None and load.is_over(policy))


SIZES = [SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE, SizeClass.LARGEST]


def capacities(policy: Policy) -> dict[str, int]:
    """How many clients of each size class make a full (100%) load (DOMAIN §9)."""
    return {
        SizeClass.SMALL: policy.capacity_small,
        SizeClass.MEDIUM: policy.capacity_medium,
        SizeClass.LARGE: policy.capacity_large,
        SizeClass.LARGEST: policy.capacity_largest,
    }


@dataclass(frozen=True)
class Load:
    """A portfolio of active clients by size class, with its key and small clients: a manager's
    load (DOMAIN §9), or the part of it a move takes away or brings."""

    small: int = 0
    medium: int = 0
    large: int = 0
    largest: int = 0
    keys: int = 0

    @property
    def clients(self) -> int:
        return self.small + self.medium + self.large + self.largest

    def by_size(self) -> dict[str, int]:
        return {size: getattr(self, size) for size in SIZES}

    def share(self, policy: Policy) -> Fraction:
        """The load as a fraction of a full load: the sum of 1 / capacity over the clients (over
        their common multiple: one fraction made, where a sum of four reduces each term)."""
        return Fraction(*self._over_common(policy))

    def _over_common(self, policy: Policy) -> tuple[int, int]:
        """The load's share as (numerator, denominator), over the capacities' common multiple."""
        full = capacities(policy)
        common = math.lcm(*full.values())
        return sum(count * (common // full[size]) for size, count in self.by_size().items()), common

    def percent(self, policy: Policy) -> int:
        """The load in whole per cent, rounded half up (99.5% shows as 100%, but only a load of
        at least 100% is over capacity: see `is_over`)."""
        return percent_of(self.share(policy))

    def is_over(self, policy: Policy) -> bool:
        """At least a full load (compared in whole numbers: the radar asks it of every manager)."""
        load, full = self._over_common(policy)
        return load >= full

    def kam(self) -> KamLoad:
        return KamLoad(keys=self.keys, small=self.small)

    def __add__(self, other: "Load") -> "Load":
        return Load(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def __sub__(self, other: "Load") -> "Load":
        return Load(*(a - b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, ...]:
        return (self.small, self.medium, self.large, self.largest, self.keys)


def percent_of(share: Fraction) -> int:
    """A share in whole per cent, rounded half up."""
    return math.floor(share * 100 + Fraction(1, 2))


ACTIVE = ~Q(status=Client.Status.INACTIVE)
# A client the nightly run has not sized yet counts as small, as the size class defaults to.
SIZE_OF = {
    SizeClass.SMALL: Q(segment__size_class=SizeClass.SMALL) | Q(segment__isnull=True),
    SizeClass.MEDIUM: Q(segment__size_class=SizeClass.MEDIUM),
    SizeClass.LARGE: Q(segment__size_class=SizeClass.LARGE),
    SizeClass.LARGEST: Q(segment__size_class=SizeClass.LARGEST),
}


def loads(clients: "QuerySet[Client] | None" = None, *, by: str = "responsible_manager") -> dict[Any, Load]:
    """The active clients of `clients` (all clients by default) grouped by `by` (the responsible
    manager's id, None for nobody), each group's load: one GROUP BY, whatever the number of
    managers. The board reads every manager's load from it; a move previews the load it takes
    from each previous manager by grouping the moving clients the same way."""
    queryset = Client.objects.all() if clients is None else clients
    rows = (
        queryset.filter(ACTIVE)
        .values(by)
        .annotate(
            **{size: Count("pk", filter=SIZE_OF[size]) for size in SIZES},
            keys=Count("pk", filter=Q(key_status__is_key=True)),
        )
        .order_by()
    )
    return {row[by]: Load(**{name: row[name] for name in [*SIZES, "keys"]}) for row in rows}


NOBODY = "none"  # the key of the clients nobody is responsible for, in the kept loads
_TALLY = Prepared(lambda: LoadTally.objects.filter(pk=1).values("version", "kept_version", "loads")[:1])


def kept_loads() -> dict[Any, Load]:
    """Every manager's load as `loads()` counts it, read from the tally in one query while no
    change has moved a load since it was counted (see `LoadTally`); otherwise counted again and
    kept, unless another change came in meanwhile (then the next reader counts)."""
    tally = next(iter(_TALLY()), None)
    if tally is None:  # a flushed database (tests): start the tally again
        LoadTally.objects.get_or_create(pk=1)
        tally = {"version": 0, "kept_version": -1, "loads": {}}
    if tally["version"] == tally["kept_version"]:
        return {None if key == NOBODY else int(key): Load(*values) for key, values in tally["loads"].items()}
    found = loads()
    kept = {NOBODY if key is None else str(key): list(load._values()) for key, load in found.items()}
    LoadTally.objects.filter(pk=1, version=tally["version"]).update(kept_version=tally["version"], loads=kept)
    return found


OVER = (
    _("Over capacity: %(percent)s%% of a full load."),
    _("%(manager)s would be over capacity: %(percent)s%% of a full load."),
)


def load_warnings(load: Load, policy: Policy, *, manager: object = None) -> list[str]:
    """What a load breaks (DOMAIN §4, §9), in words: over capacity, and for a key account
    manager (one with a key client) too many key clients or small clients besides; naming
    `manager` gives the long form."""
    warnings = []
    share = load.share(policy)
    if share >= 1:  # `Load.is_over`
        over = OVER[1] if manager is not None else OVER[0]
        percent = formats.localize(percent_of(share))  # grouped as the tables group it: 1 213%
        warnings.append(str(over % {"manager": manager, "percent": percent}))
    if load.keys:
        warnings += kam_warnings(load.kam(), policy, manager=manager)
    return warnings
