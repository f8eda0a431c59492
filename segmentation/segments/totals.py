"""The base's totals as the last finished run left them: the number of segmented clients and
their revenue and potential, which the card's shares and ranks and the candidates' shares are
taken against, and the active clients, the key cap's base on the pages that show it (a grant
counts them live). One row read instead of a sum over every client on every request; consistent
with the segments themselves, which are that run's too.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Subquery, Sum

from kam.prepared import Prepared
from kam.users.extensions import read_with
from kam.users.models import User
from segmentation.models import ClientSegment, NightlyRun, Policy, PolicyVersion


@dataclass(frozen=True)
class Totals:
    clients: int
    revenue: Decimal
    potential: Decimal
    active: int | None = None  # the active clients, the key cap's base; None: count them live
    run: int | None = None  # the run that kept them; None: counted now

    @classmethod
    def kept(cls, run: int, totals: dict[str, Any]) -> "Totals":
        """The totals a run kept on its row (`NightlyRun.totals`)."""
        active = int(totals["active"]) if "active" in totals else None
        revenue, potential = Decimal(totals["revenue"]), Decimal(totals["potential"])
        return cls(int(totals["clients"]), revenue, potential, active, run)


def _kept() -> QuerySet[NightlyRun]:
    """The successful runs that kept totals, the last first."""
    succeeded = NightlyRun.objects.filter(status=NightlyRun.Status.SUCCESS)
    return succeeded.exclude(totals={}).order_by("-started_at", "-pk")


_LAST_KEPT = Prepared(lambda: _kept().values_list("pk", "totals")[:1])
_POLICY_AND_LAST_KEPT = Prepared(
    lambda: Policy.objects.filter(pk=1).annotate(
        kept_run=Subquery(_kept().values("pk")[:1]), kept_totals=Subquery(_kept().values("totals")[:1])
    )
)


def run_totals() -> Totals:
    """The last successful run's totals; counted over the segments when no run has kept them
    (segments written before runs kept totals, or by hand)."""
    for last in _LAST_KEPT():
        return Totals.kept(*last)
    return _counted()


def _counted() -> Totals:
    counted = ClientSegment.objects.aggregate(
        clients=Count("pk"), revenue=Sum("revenue"), potential=Sum("potential")
    )
    return Totals(counted["clients"], counted["revenue"] or Decimal(0), counted["potential"] or Decimal(0))


# The policy and the last run's totals last read, by database, with the version read before them.
_kept_pair: dict[str, tuple[int, tuple[Policy, Totals]]] = {}


def policy_and_totals(user: User | None = None) -> tuple[Policy, Totals]:
    """`Policy.current()` and `run_totals()` in one query, for the pages that show both. With the
    signed-in `user`, outside a transaction, none: the pair read for the `PolicyVersion` read
    with them is kept in the process and given again for it (not to be changed, then)."""
    version = None if user is None or connection.in_atomic_block else read_with(user, POLICY_VERSION)
    kept = _kept_pair.get(connection.alias)
    if version is not None and kept is not None and kept[0] == version:
        return kept[1]
    read = _policy_and_totals()
    if version is not None and read[1].run is not None:  # counted totals move with the segments
        _kept_pair[connection.alias] = (version, read)  # as new as the version at least
    return read


def _policy_and_totals() -> tuple[Policy, Totals]:
    for policy in _POLICY_AND_LAST_KEPT():
        if policy.kept_run is None:
            return policy, _counted()
        return policy, Totals.kept(policy.kept_run, policy.kept_totals)
    return Policy.current(), run_totals()


POLICY_VERSION = "policy_version"


def policy_version_of_signed_in(user: str) -> Subquery:
    """The `PolicyVersion` as an expression of a query of users or sessions (its one row, whoever
    `user` is), to be read with the signed-in user (`kam.users.extensions.register_read_with`)."""
    return Subquery(PolicyVersion.objects.order_by().values("version")[:1])
