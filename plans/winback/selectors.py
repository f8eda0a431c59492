"""The win-back list (DOMAIN §10): lost silver, gold and key clients, worst first, each with
why it counts as lost, its last purchase, its refusals of the last year and its latest
win-back plan.

"Worst first": key clients, then gold, then silver, and within each the biggest potential.
Pages by keyset; the refusals are counted and the plans read for the page's rows only.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from itertools import islice
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Client, Refusal
from accounts.selectors import SeenFirstPage, clients_visible_to
from kam import drawn_rows
from kam.excel import CHUNK
from kam.pagination import Page, first_page, keyset_page
from kam.prepared import Ids, Prepared
from kam.users.fields import name_fields
from kam.users.models import User
from plans.models import Plan, PlanKind
from plans.selectors import progress
from segmentation.models import ClientSegment, KeyStatus, LostStatus, Tier, TierOverride
from segmentation.segments.rhythm import lost_reason
from segmentation.segments.tiers import effective_tier, tier_is
from segmentation.segments.words import Reason

PAGE_SIZE = 50
ORDER = ["-key_rank", "-tier_rank", "-potential_rank", "pk"]
_TIER_RANK = Case(
    When(tier_now=Tier.GOLD, then=Value(2)),
    When(tier_now=Tier.SILVER, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
_POTENTIAL_RANK = Coalesce(
    "segment__potential", Value(Decimal(-1)), output_field=DecimalField(max_digits=18, decimal_places=2)
)


def win_back_clients(user: User) -> QuerySet[Client]:
    """Lost clients the user sees that are key, gold or silver (effective tier), worst first (the
    export's rows; the page reads them in parts, see `_parts`).

    Among the ids of `_lost_candidates()`, each set read through its own index: the condition
    alone, an OR across three tables, made the database join every client to its segment.
    """
    lost = Q(segment__lost_status=LostStatus.LOST)
    counted = Q(key_status__is_key=True) | tier_is(Tier.GOLD, Tier.SILVER)
    return _with_ranks(clients_visible_to(user).filter(pk__in=_lost_candidates()).filter(lost & counted))


def _with_ranks(clients: QuerySet[Client]) -> QuerySet[Client]:
    """The clients with what a row shows and the ranks of the list's order."""
    return (
        clients.select_related("segment", "key_status", "responsible_manager")
        .annotate(tier_now=effective_tier())
        .annotate(
            key_rank=Case(
                When(key_status__is_key=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            tier_rank=_TIER_RANK,
            potential_rank=_POTENTIAL_RANK,
        )
    )


def _lost_candidates() -> QuerySet[Any]:
    """A superset of the list's ids, as one UNION ALL: lost clients computed silver or gold,
    lost key clients, and lost clients a director overrode to silver or gold (a few thousand
    ids where the base has 100,000 clients)."""
    upper = [Tier.GOLD, Tier.SILVER]
    lost = ClientSegment.objects.filter(lost_status=LostStatus.LOST).order_by()
    key = KeyStatus.objects.filter(is_key=True).values("client_id")
    overridden = TierOverride.objects.filter(tier__in=upper).values("client_id")
    return (
        lost.filter(tier__in=upper)
        .values("client_id")
        .union(
            lost.filter(client_id__in=key).values("client_id"),
            lost.filter(client_id__in=overridden).values("client_id"),
            all=True,
        )
    )


@dataclass(frozen=True)
class Row:
    client: Client
    lost: Reason
    refusals: int
    is_key: bool
    plan: Plan | None  # the latest win-back plan, annotated with its steps `total` and `done`

    @property
    def progress(self) -> int:
        return progress(self.plan.done, self.plan.total) if self.plan else 0  # type: ignore[attr-defined]


class Rows(drawn_rows.Made[Row]):
    """A page's rows: its clients as read (`kam.drawn_rows`, which `winback.cells` draws), the
    year's refusals and the latest win-back plan of each, and the rows, made when asked for."""

    def __init__(self, clients: list[Any], refusals: dict[int, int], plans: dict[int, Plan], today: date):
        super().__init__(clients, self.row)
        self.refusals, self.plans, self.today = refusals, plans, today

    def row(self, client: Any) -> Row:
        return Row(
            client=client,
            lost=lost_reason(client.segment, self.today),
            refusals=self.refusals.get(client.pk, 0),
            is_key=bool(client.key_rank),
            plan=self.plans.get(client.pk),
        )


def win_back_page(user: User, *, after: str, before: str, today: date) -> tuple[Page, Rows]:
    """One page of `win_back_clients(user)`: its keys merged from `_parts` of the clients the user
    sees, then its rows.
    The first page's keys come from a prepared query (the page opens on it), without the parts."""
    page = keyset_page(
        lambda: _parts(clients_visible_to(user)),
        order=ORDER,
        after=after,
        before=before,
        size=PAGE_SIZE,
        count=False,
        read=partial(drawn_rows.of_pks, _BY_PK),  # the pks the user's parts found
        first=_FIRST.of(user),
    )
    return page, _rows(page.rows, today)


# What a row shows (`winback.cells`) and `lost_reason` reads, of the client and what it joins: a
# page's rows, drawn once per process for these values (`kam.drawn_rows`), read no other column.
SHOWN = [
    "name",
    *name_fields("responsible_manager"),
    *(
        f"segment__{name}"
        for name in ("tier", "potential", "last_purchase", "usual_interval", "lost_status", "won_back_on")
    ),
    "key_status__is_key",
]
_BY_PK = Prepared(lambda ids: _with_ranks(Client.objects.filter(pk__any=ids).order_by()).only(*SHOWN))


def _parts(visible: QuerySet[Client]) -> list[QuerySet[Client]]:
    """The list's order as four disjoint sets of the `visible` clients, each read through an
    index: the lost key clients and the lost ones a director overrode to silver or gold (a few
    hundred at most, sorted), and the other lost gold and lost silver clients, walked down
    `segment_lost_rank_idx`. As one query, every lost silver, gold and key client was joined
    and sorted for 50 rows. Whether a client is key is its segment's (`is_key`, kept in step
    with its key status): the lost key clients come from an index of their own and the index
    walked holds no key client, where testing each lost client against every key status cost a
    page more than the rest of its query."""
    lost = visible.filter(segment__lost_status=LostStatus.LOST)
    not_key = lost.filter(segment__is_key=False)
    computed = not_key.filter(tier_override__isnull=True)
    upper = [Tier.GOLD, Tier.SILVER]
    return [
        lost.filter(segment__is_key=True)
        .annotate(tier_now=effective_tier())
        .annotate(key_rank=Value(1), tier_rank=_TIER_RANK, potential_rank=_POTENTIAL_RANK),
        *(
            # Potential is never NULL on a computed silver or gold client: the order is the index's.
            computed.filter(segment__tier=tier).annotate(
                key_rank=Value(0), tier_rank=Value(rank), potential_rank=F("segment__potential")
            )
            for tier, rank in ((Tier.GOLD, 2), (Tier.SILVER, 1))
        ),
        not_key.filter(tier_override__tier__in=upper)
        .annotate(tier_now=F("tier_override__tier"))
        .annotate(key_rank=Value(0), tier_rank=_TIER_RANK, potential_rank=_POTENTIAL_RANK),
    ]


# The first page's keys, as each user sees them. PostgreSQL planned a manager's anew on every
# run (7 ms, against 10 ms to run it); the plan for any manager runs as fast.
_FIRST = SeenFirstPage(
    lambda visible: first_page(_parts(visible), order=ORDER, size=PAGE_SIZE, read=True), generic=True
)


_REFUSALS = Prepared(
    lambda ids, since: (
        Refusal.objects.filter(client__any=ids, date__gte=since)
        .order_by()
        .values_list("client")
        .annotate(n=Count("pk"))
    )
)
# The plans with what the list says of them: not their texts and lost criteria (a JSON each).
_PLANS = Prepared(
    lambda ids: (
        Plan.objects.filter(client__any=ids, kind=PlanKind.WIN_BACK)
        .only("client", "status", "offer_kind", "closed_on", "outcome")
        .annotate(total=Count("steps"), done=Count("steps", filter=Q(steps__done_on__isnull=False)))
        .order_by("-started_on", "-pk")
    )
)


def _rows(clients: list[Any], today: date) -> Rows:
    """The rows of these clients, with their refusals of the last year and latest win-back plans
    (two queries)."""
    pks = Ids(client.pk for client in clients)
    refusals = dict(_REFUSALS(pks, today - timedelta(days=365)))
    plans: dict[int, Plan] = {}
    for plan in _PLANS(pks):
        plans.setdefault(plan.client_id, plan)
    return Rows(clients, refusals, plans, today)


def every_win_back(queryset: QuerySet[Client], *, today: date) -> Iterator[Row]:
    """Every row of the list in its order, for the export: read in chunks, the refusals and plans
    read once a chunk."""
    clients = queryset.order_by(*ORDER).iterator(chunk_size=CHUNK)
    while chunk := list(islice(clients, CHUNK)):
        yield from _rows(chunk, today)
