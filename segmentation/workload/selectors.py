"""A manager's load of key and small clients (DOMAIN §4): a key account manager holds at most
`key_per_manager` key clients and should not carry small clients (`kam_small_clients`).

One count serves the key list's warnings, the warnings after a grant, and the "forbid" rule
that refuses a grant; the workload board will read the same loads.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
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
