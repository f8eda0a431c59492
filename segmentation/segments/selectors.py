"""The card's segment panel: every computed segment of one client with its reason in words.

The caller has already passed the client through `accounts.access.get_client_for_user`.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import cast

from django.core.cache import cache

from accounts.models import Client
from kam.prepared import Prepared
from kam.users.models import User
from segmentation.keys.words import key_reason
from segmentation.models import ClientSegment, KeyStatus, Policy, Tier, TierOverride
from segmentation.segments import abcd, leagues, rhythm, size_class, tiers
from segmentation.segments.leagues import ExpansionArea
from segmentation.segments.totals import Totals, run_totals
from segmentation.segments.words import Reason


@dataclass
class SegmentPanel:
    """Everything the card's segment panel shows, each segment with its reason."""

    segment: ClientSegment | None
    override: TierOverride | None
    key: KeyStatus | None
    key_reason: Reason
    may_decide: bool
    category: Reason | None = None
    strategy: Reason | None = None
    tier: Reason | None = None
    league: Reason | None = None
    expansion: Reason | None = None
    expansion_areas: list[ExpansionArea] = field(default_factory=list)
    size: Reason | None = None
    purchases: Reason | None = None
    revenue_share: Decimal | None = None
    potential_share: Decimal | None = None

    @property
    def override_tier(self) -> str:
        return self.override.get_tier_display() if self.override else ""

    @property
    def effective_tier(self) -> str:
        """The override's tier, else the segment's; bronze before the first nightly run (as
        `tiers.effective_tier_of`)."""
        if self.override is not None:
            return self.override.tier
        return self.segment.tier if self.segment is not None and self.segment.tier else Tier.BRONZE


def segment_panel(
    client: Client,
    *,
    user: User,
    today: date,
    totals: Totals | None = None,
    policy: Policy | None = None,
    loaded: Client | None = None,
) -> SegmentPanel:
    """The segments of one client in words, for the card's overview (`totals`: the last run's,
    `policy`: the current one, and `loaded`: the client `with_decisions`, when the caller has
    read them already)."""
    loaded = loaded or with_decisions(client)
    segment = getattr(loaded, "segment", None)
    key = getattr(loaded, "key_status", None)
    panel = SegmentPanel(
        segment=segment,
        override=getattr(loaded, "tier_override", None),
        key=key,
        key_reason=key_reason(key),
        may_decide=user.has_perm("segmentation.decide_for_client", client),
    )
    if loaded is not None and segment is not None:
        _fill(panel, segment, loaded, today, totals or run_totals(), policy or Policy.current())
    return panel


def with_decisions(client: Client) -> Client | None:
    """The client with its segments and the decisions on it (key status, tier override, who
    decided); None when it is gone."""
    return next(iter(_WITH_DECISIONS(client.pk)), None)


# The client's segment and the decisions on it, with who decided: what `with_decisions` reads.
DECISIONS = ("segment", "tier_override__decided_by", "key_status__decided_by")
_WITH_DECISIONS = Prepared(lambda pk: Client.objects.select_related(*DECISIONS).filter(pk=pk)[:1])


def has_decisions(client: Client) -> bool:
    """Whether `client` was read with its `DECISIONS` (`select_related`), so is its own
    `with_decisions`."""
    return all(
        Client._meta.get_field(name.split("__")[0]).is_cached(client)  # type: ignore[union-attr]
        for name in DECISIONS
    )


def _fill(
    panel: SegmentPanel, segment: ClientSegment, client: Client, today: date, totals: Totals, policy: Policy
) -> None:
    rank = ranks(segment, totals.run)
    panel.category = abcd.category_reason(segment, policy, totals.clients, rank.revenue)
    panel.strategy = abcd.strategy(segment.category)
    panel.tier = tiers.tier_reason(segment, policy, rank.potential)
    panel.league = leagues.league_reason(segment)
    panel.expansion = leagues.expansion_reason(segment)
    if panel.expansion is not None:
        panel.expansion_areas = leagues.expansion_areas(client)
    panel.size = size_class.size_reason(segment)
    panel.purchases = rhythm.lost_reason(segment, today)
    panel.revenue_share, panel.potential_share = _shares(segment, totals)


# The segments move only in a nightly run, which the ranks' key names: a day outlives a run.
RANKS_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Ranks:
    """A client's place by revenue among all clients and by potential among those with an
    estimate (None without one): one more than the clients above it, ties sharing a place."""

    revenue: int
    potential: int | None


def ranks(segment: ClientSegment, run: int | None) -> Ranks:
    """The client's ranks among the segments of the nightly run `run` (None: no run kept its
    totals; counted and not kept). Relative to every client, they would move for most clients
    every night if the run kept them: the card counts them instead, through the segments'
    indexes on revenue and potential, once a run for each client shown."""

    def count() -> Ranks:
        above = ClientSegment.objects.order_by()
        potential = None
        if segment.potential is not None:
            potential = above.filter(potential__gt=segment.potential).count() + 1
        return Ranks(above.filter(revenue__gt=segment.revenue).count() + 1, potential)

    if run is None:
        return count()
    key = f"ranks:{run}:{segment.client_id}:{segment.revenue}:{segment.potential}"
    return cast(Ranks, cache.get_or_set(key, count, RANKS_SECONDS))


def _shares(segment: ClientSegment, totals: Totals) -> tuple[Decimal | None, Decimal | None]:
    """This client's share of all clients' revenue and of all potential."""
    revenue = segment.revenue * 100 / totals.revenue if totals.revenue else None
    potential = None
    if segment.potential is not None and totals.potential:
        potential = segment.potential * 100 / totals.potential
    return revenue, potential
