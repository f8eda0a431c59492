"""The base's totals as the last finished run left them: the number of segmented clients and
their revenue and potential, which the card's shares and ranks and the candidates' shares are
taken against, and the active clients, the key cap's base on the pages that show it (a grant
counts them live). One row read instead of a sum over every client on every request; consistent
with the segments themselves, which are that run's too.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from kam.prepared import Prepared
from segmentation.models import ClientSegment, NightlyRun


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


_LAST_KEPT = Prepared(
    lambda: (
        NightlyRun.objects.filter(status=NightlyRun.Status.SUCCESS)
        .exclude(totals={})
        .order_by("-started_at", "-pk")
        .values_list("pk", "totals")[:1]
    )
)


def run_totals() -> Totals:
    """The last successful run's totals; counted over the segments when no run has kept them
    (segments written before runs kept totals, or by hand)."""
    for last in _LAST_KEPT():
        return Totals.kept(*last)
    counted = ClientSegment.objects.aggregate(
        clients=Count("pk"), revenue=Sum("revenue"), potential=Sum("potential")
    )
    return Totals(counted["clients"], counted["revenue"] or Decimal(0), counted["potential"] or Decimal(0))
