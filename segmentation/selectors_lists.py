"""Reads for the lists across clients: key candidates, key clients against the cap, estimates to do.

Every list starts from `accounts.selectors.clients_visible_to`, is pre-joined, pages by keyset (no
OFFSET) and runs a constant number of queries whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Client
from accounts.selectors import clients_visible_to
from kam.pagination import keyset_page
from segmentation.models import (
    ClientSegment,
    KeyReason,
    Policy,
    PotentialEstimate,
    SizeClass,
    Tier,
)

CANDIDATE_TIERS = [Tier.GOLD, Tier.SILVER]
KEY_LIST_LIMIT = 200
PAGE_SIZE = 50
NOT_KEY = Q(key_status__isnull=True) | Q(key_status__is_key=False)


class JSONArrayLength(Func):
    """The number of elements of a JSON array (jsonb_array_length on PostgreSQL)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


def effective_tier() -> Coalesce:
    """A director's override wins over the computed tier; NULL when neither exists yet."""
    return Coalesce("tier_override__tier", "segment__tier")


@dataclass(frozen=True)
class Row:
    """One client of a segmentation list with what the row shows besides the client itself."""

    client: Client
    tier: str
    flags: list[str] = field(default_factory=list)
    potential_share: Decimal | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else ""


@dataclass(frozen=True)
class CandidatePage:
    rows: list[Row]
    next_cursor: str


def total_potential() -> Decimal:
    """All clients' potential, the base of each client's share (as the tiers use it)."""
    return ClientSegment.objects.aggregate(total=Sum("potential"))["total"] or Decimal(0)


def candidates(user: Any) -> QuerySet[Client]:
    """Visible clients that are not key, best first: the number of strategic flags a director
    marked, then potential. Never current revenue (DOMAIN §4). `candidate_page` keeps the
    silver and gold ones (effective tier)."""
    return (
        clients_visible_to(user)
        .exclude(status=Client.Status.INACTIVE)
        .filter(NOT_KEY)
        .annotate(
            tier_now=effective_tier(),
            flag_count=Coalesce(JSONArrayLength("key_status__reasons"), 0),
            rank_potential=Coalesce(
                "segment__potential",
                Value(Decimal(-1)),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
        )
        .select_related("segment", "key_status", "responsible_manager")
        .order_by("-flag_count", "-rank_potential", "pk")
    )


def candidate_page(
    queryset: QuerySet[Client], *, after: str, total: Decimal, size: int = PAGE_SIZE
) -> CandidatePage:
    """One page of `candidates()` after a cursor of the last row's (flags, potential, pk).

    Two keyset queries merged: clients whose computed tier is silver or gold (driven by the
    segment tier index) and the few a director overrode to silver or gold. One query on the
    effective tier (a COALESCE across two tables) would have to read every client.
    """
    computed = queryset.filter(segment__tier__in=CANDIDATE_TIERS, tier_override__isnull=True)
    overridden = queryset.filter(tier_override__tier__in=CANDIDATE_TIERS)
    order = ["-flag_count", "-rank_potential", "pk"]
    page = keyset_page([computed, overridden], order=order, after=after, size=size, count=False)
    return CandidatePage(rows=[_row(c, total) for c in page.rows], next_cursor=page.next_cursor)


def key_clients(user: Any, *, total: Decimal, policy: Policy, limit: int = KEY_LIST_LIMIT) -> list[Row]:
    """The current key clients, biggest potential first, each with its manager's warnings."""
    found = list(
        clients_visible_to(user)
        .filter(key_status__is_key=True)
        .annotate(tier_now=effective_tier())
        .select_related("segment", "key_status", "responsible_manager")
        .order_by(F("segment__potential").desc(nulls_last=True), "name", "pk")[:limit]
    )
    loads = manager_loads({c.responsible_manager_id for c in found if c.responsible_manager_id})
    return [_row(c, total, warnings=_warnings(c, loads, policy)) for c in found]


def manager_loads(manager_ids: set[int]) -> dict[int, tuple[int, int]]:
    """Per manager, in one GROUP BY: (key clients, small clients they are responsible for)."""
    small = Q(segment__size_class=SizeClass.SMALL) & ~Q(status=Client.Status.INACTIVE)
    rows = (
        Client.objects.filter(responsible_manager__in=manager_ids)
        .values("responsible_manager")
        .annotate(keys=Count("pk", filter=Q(key_status__is_key=True)), small=Count("pk", filter=small))
        .order_by()
    )
    return {r["responsible_manager"]: (r["keys"], r["small"]) for r in rows}


def _warnings(client: Client, loads: dict[int, tuple[int, int]], policy: Policy) -> list[str]:
    if client.responsible_manager_id is None:
        return [_("No responsible manager.")]
    keys, small = loads.get(client.responsible_manager_id, (0, 0))
    if _is_small(client):
        small -= 1  # the other small clients, as segmentation.services.key_status counts them
    warnings = []
    if keys > policy.key_per_manager:
        warnings.append(
            ngettext(
                "Holds %(count)s key client, more than %(limit)s.",
                "Holds %(count)s key clients, more than %(limit)s.",
                keys,
            )
            % {"count": keys, "limit": policy.key_per_manager}
        )
    if small:
        warnings.append(
            ngettext("Also carries %(count)s small client.", "Also carries %(count)s small clients.", small)
            % {"count": small}
        )
    return warnings


def _is_small(client: Any) -> bool:
    segment = client.segment if hasattr(client, "segment") else None
    return bool(segment and segment.size_class == SizeClass.SMALL and client.status != Client.Status.INACTIVE)


def _row(client: Any, total: Decimal, *, warnings: list[str] | None = None) -> Row:
    potential = client.segment.potential if hasattr(client, "segment") else None
    reasons = client.key_status.reasons if hasattr(client, "key_status") else []
    labels = dict(KeyReason.choices)
    return Row(
        client=client,
        tier=client.tier_now or "",
        flags=[str(labels[r]) for r in reasons if r in labels],
        potential_share=(potential * 100 / total).quantize(Decimal("0.1")) if potential and total else None,
        warnings=warnings or [],
    )


def stale_before(today: date, policy: Policy) -> date:
    """An estimate made before this date is stale: older than the policy's number of months."""
    return today - relativedelta(months=policy.estimate_stale_months)


def _todo_base(user: Any, cutoff: date | None) -> QuerySet[Client]:
    """Visible current clients without an estimate made on or after `cutoff` (None: any at all)."""
    estimates = PotentialEstimate.objects.filter(client=OuterRef("pk"))
    if cutoff is not None:
        estimates = estimates.filter(estimated_on__gte=cutoff)
    return clients_visible_to(user).exclude(status=Client.Status.INACTIVE).filter(~Exists(estimates))


def estimates_todo(user: Any, *, today: date, policy: Policy) -> QuerySet[Client]:
    """Clients without a potential estimate, or whose newest one is stale (DOMAIN §5), each with
    `last_estimated` (NULL: never analysed)."""
    newest = (
        PotentialEstimate.objects.filter(client=OuterRef("pk"))
        .order_by("-estimated_on")
        .values("estimated_on")[:1]
    )
    return (
        _todo_base(user, stale_before(today, policy))
        .annotate(last_estimated=Subquery(newest))
        .select_related("responsible_manager")
    )


@dataclass(frozen=True)
class ManagerTodo:
    manager: Any
    not_analysed: int
    stale: int

    @property
    def total(self) -> int:
        return self.not_analysed + self.stale


def todo_counts(user: Any, *, today: date, policy: Policy) -> list[ManagerTodo]:
    """Per responsible manager: clients not analysed and clients gone stale.

    Two plain GROUP BY queries (every to-do client, and those without any estimate) whose
    difference is the stale ones: both are hash anti-joins, where a per-row EXISTS in one
    query's conditional counts probes the estimates twice per client (measured 1.5x slower
    at 100,000 clients).
    """
    totals = _per_manager(_todo_base(user, stale_before(today, policy)))
    never = _per_manager(_todo_base(user, None))
    people = get_user_model().objects.in_bulk([pk for pk in totals if pk is not None])
    counts = [
        ManagerTodo(people.get(pk) if pk else None, never.get(pk, 0), total - never.get(pk, 0))
        for pk, total in totals.items()
    ]
    return sorted(counts, key=lambda m: (m.manager is None, str(m.manager or "")))


def _per_manager(clients: QuerySet[Client]) -> dict[int | None, int]:
    rows = clients.values("responsible_manager").annotate(n=Count("pk")).order_by()
    return {row["responsible_manager"]: row["n"] for row in rows}


def stale_since(last_estimated: date, policy: Policy) -> date:
    """The first day on which an estimate made on `last_estimated` counts as stale.

    Month arithmetic is not invertible at month ends (29 February minus a year is the 28th,
    as is 28 February minus a year), so step from the first possible day to the real one.
    """
    day = last_estimated + relativedelta(months=policy.estimate_stale_months) + timedelta(days=1)
    while not last_estimated < stale_before(day, policy):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class TodoRow:
    client: Client
    stale_since: date | None


def todo_rows(clients: list[Client], policy: Policy) -> list[TodoRow]:
    """The page's clients, each with the day its estimate went stale (None: never analysed)."""
    return [
        TodoRow(c, stale_since(c.last_estimated, policy) if c.last_estimated else None)  # type: ignore[attr-defined]
        for c in clients
    ]
