"""Reads for the handover notes: what a moved client's note is made of, for many clients at once,
and the notes a card shows.

`handover_facts` reads a constant number of queries whatever the number of clients: a move of a
leaving manager's whole book makes every note in one pass.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from accounts.models import Client, Contact, Sale, Touch
from kam.users.models import User
from plans.models import HandoverNote, Plan, PlanStep
from segmentation.models import ActionItem, Policy, PotentialEstimate, Reassignment, ReassignmentItem, Tier
from segmentation.segments import wallet
from segmentation.segments.tiers import effective_tier

LAST_TOUCHES = 3
ZERO = Decimal(0)


@dataclass(frozen=True)
class Whitespace:
    """A product group the client buys from others more than from us (the potential table's
    whitespace: our share of its estimate below the policy's "can buy more" limit)."""

    group: str
    estimate: Decimal
    bought: Decimal

    @property
    def headroom(self) -> Decimal:
        return self.estimate - wallet.covered(self.bought, self.estimate)


@dataclass
class Facts:
    """What one client's handover note says."""

    contacts: list[Contact] = field(default_factory=list)
    steps: list[PlanStep] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    whitespace: list[Whitespace] = field(default_factory=list)


def items_to_hand_over(reassignment: Reassignment) -> list[ReassignmentItem]:
    """The reassignment's key or gold clients (by the effective tier: a director's override, else
    the nightly run's) that changed hands, with their clients and both managers, in one query."""
    moved = Client.objects.filter(reassignments__reassignment=reassignment).annotate(
        tier_now=effective_tier()
    )
    key_or_gold = moved.filter(Q(key_status__is_key=True) | Q(tier_now=Tier.GOLD))
    items = (
        ReassignmentItem.objects.filter(reassignment=reassignment, client__in=key_or_gold)
        .exclude(previous_manager=F("new_manager"))
        .select_related("client", "previous_manager", "new_manager")
        .order_by("client__name", "pk")
    )
    return list(items)


def handover_facts(client_ids: list[int], *, today: date, policy: Policy) -> dict[int, Facts]:
    """For each client: its active contacts (with who on our side knows them), its open plan steps
    and action items, its last touches, and its whitespace; six queries in all."""
    facts: dict[int, Facts] = defaultdict(Facts)
    for contact in _contacts(client_ids):
        facts[contact.client_id].contacts.append(contact)
    for step in _open_steps(client_ids):
        facts[step.plan.client_id].steps.append(step)
    for action in _open_actions(client_ids):
        facts[action.item.client_id].actions.append(action)
    for touch in _last_touches(client_ids):
        facts[touch.client_id].touches.append(touch)
    for client_id, row in _whitespace(client_ids, today=today, policy=policy):
        facts[client_id].whitespace.append(row)
    return facts


def _contacts(client_ids: list[int]) -> QuerySet[Contact]:
    known_by = Prefetch("known_by", queryset=User.objects.order_by("last_name", "first_name", "pk"))
    return Contact.objects.filter(client_id__in=client_ids, is_active=True).prefetch_related(known_by)


def _open_steps(client_ids: list[int]) -> QuerySet[PlanStep]:
    return (
        PlanStep.objects.filter(
            plan__client_id__in=client_ids, plan__status=Plan.Status.ACTIVE, done_on__isnull=True
        )
        .select_related("plan")
        .order_by(F("due").asc(nulls_last=True), "plan_id", "position", "pk")
    )


def _open_actions(client_ids: list[int]) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(item__client_id__in=client_ids, status=ActionItem.Status.OPEN)
        .select_related("item", "owner")
        .order_by("due", "pk")
    )


def _last_touches(client_ids: list[int]) -> QuerySet[Touch]:
    """Each client's LAST_TOUCHES latest touches, newest first, in one query (a window per client)."""
    order = [F("date").desc(), F("pk").desc()]
    ranked = Window(RowNumber(), partition_by=[F("client_id")], order_by=order)
    return (
        Touch.objects.filter(client_id__in=client_ids)
        .annotate(rank=ranked)
        .filter(rank__lte=LAST_TOUCHES)
        .order_by("client_id", *order)
    )


def _whitespace(client_ids: list[int], *, today: date, policy: Policy) -> list[tuple[int, Whitespace]]:
    """The groups with an estimate whose share bought from us is below the policy's limit, as the
    potential tab flags them (our sales of the 365 days ending `today`), biggest headroom first."""
    sales = (
        Sale.objects.filter(client_id__in=client_ids, date__gt=today - timedelta(days=365), date__lte=today)
        .values("client_id", "product_group_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    bought = {(row["client_id"], row["product_group_id"]): row["total"] for row in sales}
    estimates = PotentialEstimate.objects.filter(client_id__in=client_ids).select_related("product_group")
    rows = []
    for estimate in estimates.order_by("client_id", "product_group__name"):
        ours = bought.get((estimate.client_id, estimate.product_group_id), ZERO)
        share = wallet.share(wallet.covered(ours, estimate.amount), estimate.amount)
        if share is not None and share < policy.wallet_share_limit:
            rows.append((estimate.client_id, Whitespace(estimate.product_group.name, estimate.amount, ours)))
    rows.sort(key=lambda pair: (pair[0], -pair[1].headroom))
    return rows


def client_notes(client: Client) -> QuerySet[HandoverNote]:
    """The client's handover notes, newest first, with the managers and the move's reason."""
    return (
        HandoverNote.objects.filter(client=client)
        .select_related("from_manager", "to_manager", "edited_by", "reassignment")
        .order_by("-created_at", "-pk")
    )
