"""Reads for the coverage radar: the flags counted across the base and per responsible
manager, and the worst clients first. Every figure comes from `flags.FLAGS`' conditions."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from accounts.models import Client, PointOfPresence
from segmentation.models import Policy, Tier
from segmentation.radar.flags import ACTIVE, FLAGS, Flag
from segmentation.segments.tiers import effective_tier

WORST_LIMIT = 50
NOBODY = "null"  # the client list's manager filter value for "nobody responsible"

# The worst-first weighting (see `worst_clients`).
TIER_FACTOR = {Tier.GOLD: 4, Tier.SILVER: 2}
ABROAD_FACTOR = 2


def flag_field(flag: Flag) -> str:
    return f"flag_{flag.name}"


def with_flags(queryset: QuerySet[Client], today: date, policy: Policy) -> QuerySet[Client]:
    """Each flag as a boolean annotation `flag_<name>`, in the queryset's one query."""
    return queryset.annotate(
        **{
            flag_field(flag): Case(When(flag.q(today, policy), then=Value(True)), default=Value(False))
            for flag in FLAGS
        }
    )


def flags_of(client: Client) -> list[Flag]:
    """The flags of a client read through `with_flags`."""
    return [flag for flag in FLAGS if getattr(client, flag_field(flag))]


def list_url(flag: Flag, manager: str = "") -> str:
    """The client list filtered by the flag (and by the responsible manager, or NOBODY)."""
    query = {"flag": flag.name} | ({"manager": manager} if manager else {})
    return f"{reverse('accounts:client_list')}?{urlencode(query)}"


@dataclass(frozen=True)
class Cell:
    flag: Flag
    count: int
    url: str


def _counts(today: date, policy: Policy) -> dict[str, Count]:
    return {flag.name: Count("pk", filter=flag.q(today, policy)) for flag in FLAGS}


def base_counts(today: date, policy: Policy) -> list[Cell]:
    """Each flag's count across the whole base, in one aggregate query."""
    counts = Client.objects.aggregate(**_counts(today, policy))
    return [Cell(flag, counts[flag.name], list_url(flag)) for flag in FLAGS]


@dataclass(frozen=True)
class ManagerRow:
    """One responsible manager's counts (`manager_id` None: the clients nobody is responsible for)."""

    manager_id: int | None
    name: str
    clients: int
    cells: list[Cell]


def manager_counts(today: date, policy: Policy) -> list[ManagerRow]:
    """Each flag's count per responsible manager over active clients, in one GROUP BY query;
    the "nobody" row first, then the managers by name."""
    rows = (
        Client.objects.filter(ACTIVE)
        .values(
            "responsible_manager",
            "responsible_manager__first_name",
            "responsible_manager__last_name",
            "responsible_manager__username",
        )
        .annotate(clients_total=Count("pk"), **_counts(today, policy))
        .order_by()
    )
    result = []
    for row in rows:
        manager_id = row["responsible_manager"]
        names = (row["responsible_manager__first_name"], row["responsible_manager__last_name"])
        full_name = " ".join(name for name in names if name)
        key = str(manager_id) if manager_id is not None else NOBODY
        cells = [Cell(flag, row[flag.name], list_url(flag, key)) for flag in FLAGS]
        result.append(
            ManagerRow(
                manager_id,
                full_name or row["responsible_manager__username"] or "",
                row["clients_total"],
                cells,
            )
        )
    return sorted(result, key=lambda r: (r.manager_id is not None, r.name.casefold(), r.manager_id or 0))


@dataclass(frozen=True)
class WorstRow:
    client: Client
    flags: list[Flag]
    tier: str
    abroad: bool
    score: int


def abroad() -> Exists:
    """A head office or an open point outside the company's country (settings.KAM_COUNTRY)."""
    points = PointOfPresence.objects.filter(client=OuterRef("pk")).filter(
        Q(status=PointOfPresence.Status.OPEN) | Q(is_head_office=True)
    )
    return Exists(points.exclude(country=settings.KAM_COUNTRY))


def worst_clients(today: date, policy: Policy, limit: int = WORST_LIMIT) -> list[WorstRow]:
    """The flagged active clients, worst first, in one query.

    Score = (sum of the client's flag weights) × tier factor × abroad factor, where
    "nobody responsible" and "never met" weigh 4 and every other flag 1; gold ×4, silver ×2,
    bronze ×1; a client abroad ×2. So a gold client abroad with nobody responsible and never
    met scores at least (4 + 4) × 4 × 2 = 64, while a client at home scores at most 56 (gold:
    4 + 4 + six other flags that can go with nobody responsible, × 4; "over capacity" needs a
    manager and "key client now bronze" is never gold) and a silver one abroad also 56: such a
    client always comes first. Ties: by name.
    """
    weights = sum(
        (Case(When(flag.q(today, policy), then=Value(flag.weight)), default=Value(0)) for flag in FLAGS),
        start=Value(0),
    )
    tier_factor = Case(
        *(When(tier_now=tier, then=Value(factor)) for tier, factor in TIER_FACTOR.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    abroad_factor = Case(When(is_abroad=True, then=Value(ABROAD_FACTOR)), default=Value(1))
    queryset = (
        with_flags(Client.objects.filter(ACTIVE), today, policy)
        .select_related("responsible_manager")
        .annotate(tier_now=effective_tier(), is_abroad=abroad(), weight=weights)
        .annotate(
            score=ExpressionWrapper(tier_factor * abroad_factor * F("weight"), output_field=IntegerField())
        )
        .filter(weight__gt=0)
        .order_by("-score", "name", "pk")[:limit]
    )
    return [
        WorstRow(client, flags_of(client), client.tier_now or Tier.BRONZE, client.is_abroad, client.score)
        for client in queryset
    ]


def radar(today: date, policy: Policy) -> dict[str, Any]:
    return {
        "counts": base_counts(today, policy),
        "managers": manager_counts(today, policy),
        "worst": worst_clients(today, policy),
    }
