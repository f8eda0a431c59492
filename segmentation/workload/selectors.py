"""A manager's load of key and small clients (DOMAIN §4): a key account manager holds at most
`key_per_manager` key clients and should not carry small clients (`kam_small_clients`).

One count serves the key list's warnings, the warnings after a grant, and the "forbid" rule
that refuses a grant; the workload board will read the same loads. The load by capacity
(DOMAIN §9) is `load_units` / `overloaded_managers`.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import ngettext_lazy

from accounts.models import Client
from segmentation.models import ClientSegment, Policy, SizeClass

SMALL = Q(segment__size_class=SizeClass.SMALL) & ~Q(status=Client.Status.INACTIVE)

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
    """Per manager, in one GROUP BY: their key clients and their small active clients."""
    rows = (
        Client.objects.filter(responsible_manager__in=list(manager_ids))
        .values("responsible_manager")
        .annotate(keys=Count("pk", filter=Q(key_status__is_key=True)), small=Count("pk", filter=SMALL))
        .order_by()
    )
    return {r["responsible_manager"]: KamLoad(keys=r["keys"], small=r["small"]) for r in rows}


def kam_load_of(client: Client) -> KamLoad:
    """The load of the client's responsible manager besides the client itself."""
    manager_id = client.responsible_manager_id
    if manager_id is None:
        return KamLoad()
    return kam_loads([manager_id]).get(manager_id, KamLoad()).besides(client)


def is_small(client: Client) -> bool:
    """The Python twin of SMALL, for a client whose segment is loaded (or absent)."""
    try:
        segment = client.segment
    except ClientSegment.DoesNotExist:
        return False
    return segment.size_class == SizeClass.SMALL and client.status != Client.Status.INACTIVE


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


def load_units(policy: Policy) -> tuple[Case, int]:
    """A manager's load (DOMAIN §9) in whole units, and the units of a full (100%) load.

    Load = the sum over the manager's active clients of 1 / capacity of the client's size
    class. Each client weighs `full / capacity` units, `full` being the least common multiple
    of the four capacities, so the sum is exact (no float rounding at 100%). A client the
    nightly run has not sized yet counts as small, as the size class defaults to.
    """
    capacities = {
        SizeClass.SMALL: policy.capacity_small,
        SizeClass.MEDIUM: policy.capacity_medium,
        SizeClass.LARGE: policy.capacity_large,
        SizeClass.LARGEST: policy.capacity_largest,
    }
    full = math.lcm(*capacities.values())
    weight = Case(
        *(
            When(segment__size_class=size, then=Value(full // capacity))
            for size, capacity in capacities.items()
        ),
        default=Value(full // policy.capacity_small),
        output_field=IntegerField(),
    )
    return weight, full


def overloaded_managers(policy: Policy) -> "QuerySet[Client, dict[str, Any]]":
    """The ids of the managers at or over 100% load, as one subquery (`responsible_manager`
    values): the radar's "over capacity" flag and the workload board read the same loads."""
    weight, full = load_units(policy)
    return (
        Client.objects.exclude(status=Client.Status.INACTIVE)
        .filter(responsible_manager__isnull=False)
        .values("responsible_manager")
        .annotate(units=Sum(weight))
        .filter(units__gte=full)
        .values("responsible_manager")
        .order_by()
    )
