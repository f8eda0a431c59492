"""Reads for the segmentation parts of the client card: the potential table and the segment panel.

The caller has already passed the client through `accounts.selectors.get_client_for_user`.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, Q, Sum, When

from accounts import geography
from accounts.models import Client, PointOfPresence, ProductGroup, Sale
from segmentation.models import ClientSegment, KeyStatus, Policy, PotentialEstimate, Tier, TierOverride
from segmentation.services import reasons
from segmentation.services.reasons import Reason

ZERO = Decimal(0)


@dataclass(frozen=True)
class PotentialRow:
    """One product group of the potential table (DOMAIN §5)."""

    group: ProductGroup
    estimate: PotentialEstimate | None
    ours: Decimal
    stale: bool
    limit: Decimal

    @property
    def whitespace(self) -> bool:
        """Potential but little or nothing bought from us: below the "can buy more" share."""
        share = self.share
        return share is not None and share < self.limit

    @property
    def covered(self) -> Decimal:
        """Our sales counted against the estimate: above it they count as a 100% share."""
        return min(self.ours, self.estimate.amount) if self.estimate else ZERO

    @property
    def share(self) -> Decimal | None:
        if self.estimate is None or self.estimate.amount <= 0:
            return None
        return self.covered * 100 / self.estimate.amount

    @property
    def headroom(self) -> Decimal | None:
        return self.estimate.amount - self.covered if self.estimate else None

    @property
    def share_text(self) -> str:
        share = self.share
        return "" if share is None else reasons.share_against(share, self.limit)


@dataclass(frozen=True)
class PotentialTable:
    rows: list[PotentialRow]
    wallet_limit: Decimal
    stale_months: int

    @property
    def analysed(self) -> bool:
        return any(row.estimate for row in self.rows)

    @property
    def potential(self) -> Decimal:
        return sum((row.estimate.amount for row in self.rows if row.estimate), ZERO)

    @property
    def ours(self) -> Decimal:
        return sum((row.ours for row in self.rows), ZERO)

    @property
    def covered(self) -> Decimal:
        return sum((row.covered for row in self.rows), ZERO)

    @property
    def share(self) -> Decimal | None:
        """As the nightly run computes it: over the groups with an estimate, capped per group."""
        return self.covered * 100 / self.potential if self.potential > 0 else None

    @property
    def headroom(self) -> Decimal:
        return self.potential - self.covered

    @property
    def share_text(self) -> str:
        share = self.share
        return "" if share is None else reasons.share_against(share, self.wallet_limit)


def trailing_sales_by_group(client: Client, *, today: date) -> dict[int, Decimal]:
    """Our sales per product group in the 365 days ending `today`, in one query."""
    rows = (
        Sale.objects.filter(client=client, date__gt=today - timedelta(days=365), date__lte=today)
        .values("product_group_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["product_group_id"]: row["total"] for row in rows}


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def potential_table(client: Client, *, today: date, policy: Policy) -> PotentialTable:
    """Every active product group (and any other one the client has an estimate for), three queries."""
    estimates = {
        e.product_group_id: e
        for e in PotentialEstimate.objects.filter(client=client).select_related("author").order_by()
    }
    groups = ProductGroup.objects.filter(Q(is_active=True) | Q(pk__in=list(estimates))).order_by("name")
    sales = trailing_sales_by_group(client, today=today)
    stale_before = months_before(today, policy.estimate_stale_months)
    rows = [
        _row(group, estimates.get(group.pk), sales.get(group.pk, ZERO), stale_before, policy)
        for group in groups
    ]
    return PotentialTable(
        rows=rows, wallet_limit=policy.wallet_share_limit, stale_months=policy.estimate_stale_months
    )


def _row(
    group: ProductGroup, estimate: PotentialEstimate | None, ours: Decimal, stale_before: date, policy: Policy
) -> PotentialRow:
    stale = bool(estimate and estimate.estimated_on < stale_before)
    return PotentialRow(
        group=group, estimate=estimate, ours=ours, stale=stale, limit=policy.wallet_share_limit
    )


@dataclass(frozen=True)
class PotentialPage:
    table: PotentialTable
    category: Reason | None
    computed: bool


def potential_page(client: Client, *, today: date) -> PotentialPage:
    """The table and, once the nightly run has seen an estimate, the category it gave."""
    policy = Policy.current()
    table = potential_table(client, today=today, policy=policy)
    segment = ClientSegment.objects.filter(client=client).first()
    category = None
    if segment is not None and segment.category:
        category = reasons.category_reason(segment, policy, ClientSegment.objects.count())
    return PotentialPage(table=table, category=category, computed=segment is not None)


@dataclass(frozen=True)
class ExpansionArea:
    name: str
    planned_date: date | None


def expansion_areas(client: Client, policy: Policy) -> list[ExpansionArea]:
    """The client's planned points in an area (region, or country without one) where no client
    has an open point and we have no branch: the same test as the nightly run, for this client."""
    area = Case(When(region="", then=F("country")), default=F("region"))
    present = (
        PointOfPresence.objects.filter(status=PointOfPresence.Status.OPEN).annotate(area=area).values("area")
    )
    planned = (
        client.points.filter(status=PointOfPresence.Status.PLANNED)
        .annotate(area=area)
        .exclude(area__in=policy.own_region_codes())
        .exclude(area__in=present)
        .order_by("planned_date", "id")
    )
    return [ExpansionArea(name=_area_name(p.area), planned_date=p.planned_date) for p in planned]


def _area_name(code: str) -> str:
    return geography.region_name(code) if "-" in code else geography.country_name(code)


@dataclass(frozen=True)
class KeyCap:
    """How many key clients the policy allows (DOMAIN §4) and how many there are."""

    cap_share: Decimal
    active: int
    count: int

    @property
    def limit(self) -> int:
        return int(self.cap_share * self.active // 100)


def key_cap(policy: Policy, *, excluding: Client | None = None) -> KeyCap:
    """The cap over the active clients; `excluding` leaves one client out of the key count."""
    keys = KeyStatus.objects.filter(is_key=True)
    if excluding is not None:
        keys = keys.exclude(client=excluding)
    active = Client.objects.filter(status=Client.Status.ACTIVE).count()
    return KeyCap(cap_share=policy.key_cap_share, active=active, count=keys.count())


def effective_tier(client: Client) -> str:
    """A director's override if there is one, else the computed tier; no segment counts as bronze."""
    override = TierOverride.objects.filter(client=client).values_list("tier", flat=True).first()
    if override:
        return override
    computed = ClientSegment.objects.filter(client=client).values_list("tier", flat=True).first()
    return computed or Tier.BRONZE


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


def segment_panel(client: Client, *, user: Any, today: date) -> SegmentPanel:
    """The segments of one client in words, for the card's overview."""
    loaded = _with_decisions(client)
    segment = getattr(loaded, "segment", None)
    key = getattr(loaded, "key_status", None)
    panel = SegmentPanel(
        segment=segment,
        override=getattr(loaded, "tier_override", None),
        key=key,
        key_reason=reasons.key_reason(key),
        may_decide=user.has_perm("segmentation.decide_for_client", client),
    )
    if segment is not None:
        _fill(panel, segment, client, today)
    return panel


def _with_decisions(client: Client) -> Client:
    related = ["segment", "tier_override__decided_by", "key_status__decided_by"]
    return Client.objects.select_related(*related).get(pk=client.pk)


def _fill(panel: SegmentPanel, segment: ClientSegment, client: Client, today: date) -> None:
    policy = Policy.current()
    panel.category = reasons.category_reason(segment, policy, ClientSegment.objects.count())
    panel.strategy = reasons.strategy(segment.category)
    panel.tier = reasons.tier_reason(segment, policy)
    panel.league = reasons.league_reason(segment)
    panel.expansion = reasons.expansion_reason(segment)
    if panel.expansion is not None:
        panel.expansion_areas = expansion_areas(client, policy)
    panel.size = reasons.size_reason(segment)
    panel.purchases = reasons.lost_reason(segment, today)
    panel.revenue_share, panel.potential_share = _shares(segment)


def _shares(segment: ClientSegment) -> tuple[Decimal | None, Decimal | None]:
    """This client's share of all clients' revenue and of all potential, in one query."""
    totals = ClientSegment.objects.aggregate(revenue=Sum("revenue"), potential=Sum("potential"))
    revenue = segment.revenue * 100 / totals["revenue"] if totals["revenue"] else None
    potential = None
    if segment.potential is not None and totals["potential"]:
        potential = segment.potential * 100 / totals["potential"]
    return revenue, potential


@dataclass(frozen=True)
class DecisionPage:
    """What a director sees before deciding on key status or a tier override."""

    panel: SegmentPanel
    cap: KeyCap
    tier: str

    @property
    def bronze(self) -> bool:
        return self.tier == Tier.BRONZE


def decision_page(client: Client, *, user: Any, today: date) -> DecisionPage:
    return DecisionPage(
        panel=segment_panel(client, user=user, today=today),
        cap=key_cap(Policy.current()),
        tier=effective_tier(client),
    )
