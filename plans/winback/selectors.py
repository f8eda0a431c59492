"""The win-back list (DOMAIN §10): lost silver, gold and key clients, worst first, each with
why it counts as lost, its last purchase, its refusals of the last year and its latest
win-back plan.

"Worst first": key clients, then gold, then silver, and within each the biggest potential.
Pages by keyset; the refusals are counted for the page's rows only.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Client, Refusal
from accounts.selectors import clients_visible_to
from kam.excel import CHUNK
from kam.pagination import Page, keyset_page
from kam.users.models import User
from plans.models import Plan, PlanKind
from plans.selectors import progress
from segmentation.models import ClientSegment, KeyStatus, LostStatus, Tier, TierOverride
from segmentation.segments.rhythm import lost_reason
from segmentation.segments.tiers import effective_tier, tier_is
from segmentation.segments.words import Reason

PAGE_SIZE = 50
ORDER = ["-key_rank", "-tier_rank", "-potential_rank", "pk"]


def win_back_clients(user: User) -> QuerySet[Client]:
    """Lost clients the user sees that are key, gold or silver (effective tier), worst first.

    Among the ids of `_lost_candidates()`, each set read through its own index: the condition
    alone, an OR across three tables, made the database join every client to its segment.
    """
    lost = Q(segment__lost_status=LostStatus.LOST)
    counted = Q(key_status__is_key=True) | tier_is(Tier.GOLD) | tier_is(Tier.SILVER)
    return (
        clients_visible_to(user)
        .filter(pk__in=_lost_candidates())
        .filter(lost & counted)
        .select_related("segment", "key_status", "responsible_manager")
        .annotate(tier_now=effective_tier())
        .annotate(
            key_rank=Case(
                When(key_status__is_key=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            tier_rank=Case(
                When(tier_now=Tier.GOLD, then=Value(2)),
                When(tier_now=Tier.SILVER, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            potential_rank=Coalesce(
                "segment__potential",
                Value(Decimal(-1)),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
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


def _with_details(queryset: QuerySet[Client], today: date) -> QuerySet[Client]:
    """The refusals of the last year counted and the win-back plans fetched with the rows."""
    year_ago = today - timedelta(days=365)
    refusals = (
        Refusal.objects.filter(client=OuterRef("pk"), date__gte=year_ago)
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = queryset.annotate(refusals_year=Coalesce(Subquery(refusals, output_field=IntegerField()), 0))
    plans = (
        Plan.objects.filter(kind=PlanKind.WIN_BACK)
        .annotate(total=Count("steps"), done=Count("steps", filter=Q(steps__done_on__isnull=False)))
        .order_by("-started_on", "-pk")
    )
    return queryset.prefetch_related(Prefetch("plans", queryset=plans, to_attr="win_back_plans"))


def _row(client: Client, today: date) -> Row:
    return Row(
        client=client,
        lost=lost_reason(client.segment, today),
        refusals=client.refusals_year,  # type: ignore[attr-defined]
        is_key=bool(client.key_rank),  # type: ignore[attr-defined]
        plan=next(iter(client.win_back_plans), None),  # type: ignore[attr-defined]
    )


def win_back_page(
    queryset: QuerySet[Client], *, after: str, before: str, today: date
) -> tuple[Page, list[Row]]:
    page = keyset_page(
        _with_details(queryset, today), order=ORDER, after=after, before=before, size=PAGE_SIZE
    )
    return page, [_row(client, today) for client in page.rows]


def every_win_back(queryset: QuerySet[Client], *, today: date) -> Iterator[Row]:
    """Every row of the list in its order, for the export: read in chunks, the plans fetched
    once a chunk."""
    for client in _with_details(queryset, today).order_by(*ORDER).iterator(chunk_size=CHUNK):
        yield _row(client, today)
