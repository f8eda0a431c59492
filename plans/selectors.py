"""Reads of plans and templates. The caller has already passed the client through
`accounts.access.get_client_for_user`; `today` is passed in so the date rules are testable."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Client, Refusal, Touch
from accounts.selectors import refusal_quarters
from kam.prepared import Prepared, related
from kam.users.models import User
from plans.models import Plan, PlanKind, PlanStep, PlanTemplate, TemplateStep
from segmentation.models import Category, KeyStatus, LostStatus, Tier
from segmentation.segments.selectors import with_decisions
from segmentation.segments.words import number

DEVELOP = {Category.A, Category.C}
RETAIN = {Category.B}
WIN_BACK_TIERS = {Tier.SILVER, Tier.GOLD}


def is_overdue(step: PlanStep, today: date) -> bool:
    """Due before today and not done (DOMAIN §7)."""
    return step.done_on is None and step.due is not None and step.due < today


def progress(done: int, total: int) -> int:
    """Done steps as a whole percentage of all steps; a plan without steps has made none."""
    if not total:
        return 0
    return int((Decimal(done) * 100 / total).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass
class Suggestion:
    """The plan the client's strategy calls for, and why, in words."""

    kind: str
    why: str

    @property
    def label(self) -> str:
        return str(PlanKind(self.kind).label)


def strategy_kind(category: str, tier: str | None, is_key: bool, lost_status: str) -> tuple[str, str] | None:
    """The plan kind the client's segments call for (DOMAIN §5, §10), with why; None for D or no category.

    A lost silver, gold or key client is won back first; otherwise A and C develop and B retains.
    """
    if lost_status == LostStatus.LOST and (tier in WIN_BACK_TIERS or is_key):
        return PlanKind.WIN_BACK, _("a lost silver, gold or key client")
    if category in DEVELOP:
        return PlanKind.DEVELOPMENT, _("category %(category)s: develop") % {"category": category}
    if category in RETAIN:
        return PlanKind.RETENTION, _("category %(category)s: retain") % {"category": category}
    return None


def strategy(client: Client, *, loaded: Client | None = None) -> Suggestion | None:
    """The plan the client's segments call for, whether or not one runs (one query: the client's
    segments and decisions, unless given as `loaded`)."""
    loaded = loaded or with_decisions(client)
    segment = getattr(loaded, "segment", None)
    if segment is None:
        return None
    override = getattr(loaded, "tier_override", None)
    key: KeyStatus | None = getattr(loaded, "key_status", None)
    tier = override.tier if override is not None else segment.tier
    found = strategy_kind(segment.category, tier, bool(key and key.is_key), segment.lost_status)
    return Suggestion(*found) if found is not None else None


def suggestion(
    client: Client, *, loaded: Client | None = None, active_kinds: set[str] | None = None
) -> Suggestion | None:
    """What the card suggests starting: none when the strategy asks for no plan or its kind already
    has an active plan. Two queries: the client's segments and decisions (unless given as
    `loaded`), its active plans' kinds (unless given as `active_kinds`)."""
    found = strategy(client, loaded=loaded)
    if found is None:
        return None
    if found.kind in (active_kinds if active_kinds is not None else _active_kinds(client)):
        return None
    return found


def _active_kinds(client: Client) -> set[str]:
    return set(_ACTIVE_KINDS(client.pk))


_ACTIVE_KINDS = Prepared(
    lambda client: Plan.objects.filter(client_id=client, status=Plan.Status.ACTIVE).values_list(
        "kind", flat=True
    )
)


@dataclass
class StepRow:
    step: PlanStep
    overdue: bool


@dataclass
class PlanCard:
    """One plan as the card shows it: its steps with the overdue ones flagged, and its progress."""

    plan: Plan
    rows: list[StepRow]
    progress: int
    done: int
    overdue: int
    lost: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)


def plan_cards(client: Client, *, today: date) -> list[PlanCard]:
    """The client's plans, active first then newest, with their steps: two queries whatever the
    number of plans and steps."""
    plans = _PLANS(client.pk, attach=("client", client))
    steps = related(plans, _STEPS, "plan_id")
    return [_card(plan, steps[plan.pk], today) for plan in plans]


_PLANS = Prepared(
    lambda client: (
        Plan.objects.filter(client_id=client).select_related("owner").order_by("status", "-started_on", "-pk")
    )
)
# The plans' steps, as a prefetch of `steps` would read them, but compiled once.
_STEPS = Prepared(
    lambda plans: (
        PlanStep.objects.filter(plan__any=plans)
        .select_related("assignee", "touch")
        .order_by("position", "pk")
    )
)


def _card(plan: Plan, steps: list[PlanStep], today: date) -> PlanCard:
    active = plan.is_active
    rows = [StepRow(step, active and is_overdue(step, today)) for step in steps]
    done = sum(1 for row in rows if row.step.done_on is not None)
    card = PlanCard(plan, rows, progress(done, len(rows)), done, sum(row.overdue for row in rows))
    if plan.kind == PlanKind.WIN_BACK:
        card.lost = lost_sentences(plan.lost_criteria)
    return card


def plan_summaries(client: Client, *, today: date) -> list[dict[str, Any]]:
    """The client's active plans with their progress and overdue steps, in one query, for the panel."""
    plans = _ACTIVE_PLANS(client.pk, today, attach=("client", client))
    return [{"plan": p, "progress": progress(p.done, p.total), "overdue": p.overdue} for p in plans]


_ACTIVE_PLANS = Prepared(
    lambda client, today: (
        Plan.objects.filter(client_id=client, status=Plan.Status.ACTIVE)
        .annotate(
            total=Count("steps"),
            done=Count("steps", filter=Q(steps__done_on__isnull=False)),
            overdue=Count("steps", filter=Q(steps__done_on__isnull=True, steps__due__lt=today)),
        )
        .order_by("kind")
    )
)


def lost_sentences(criteria: dict[str, Any]) -> list[str]:
    """The lost criteria a win-back plan started with, in the words of the card's purchase status:
    the days without a purchase, the client's rhythm, and the rule that made it lost."""
    if not criteria:
        return [_("No purchases were known when the plan started.")]
    days = int(criteria["days_since"])
    last = formats.date_format(date.fromisoformat(criteria["last_purchase"]), "SHORT_DATE_FORMAT")
    since = ngettext("no purchase for %(days)s day", "no purchase for %(days)s days", days) % {"days": days}
    lines = [_("Last purchase on %(date)s: %(since)s.") % {"date": last, "since": since}]
    interval = criteria.get("usual_interval")
    if interval is None:
        rule = ngettext(
            "No regular rhythm (fewer than three purchase dates): lost after %(days)s day without buying.",
            "No regular rhythm (fewer than three purchase dates): lost after %(days)s days without buying.",
            int(criteria["no_rhythm_lost_days"]),
        )
        lines.append(rule % {"days": criteria["no_rhythm_lost_days"]})
    else:
        rule = _(
            "Usual interval %(interval)s days: lost after more than %(factor)s usual intervals and at least "
            "%(min)s days."
        )
        values = {
            "interval": number(Decimal(interval), 1),
            "factor": number(Decimal(criteria["lost_factor"])),
            "min": criteria["lost_min_days"],
        }
        lines.append(rule % values)
    return lines


def refusals_summary(client: Client) -> dict[str, Any]:
    """The client's refusals for a win-back plan: their number, and their count by quarter and reason."""
    table = refusal_quarters(Refusal.objects.filter(client=client))
    table["count"] = sum(row["total"] for row in table["quarters"])
    return table


def account_people(client: Client, *, keep: int | None = None) -> QuerySet[User]:
    """Whom a step may be assigned to: the responsible manager and the account team (and `keep`,
    the step's assignee now, even if they left the team)."""
    condition = Q(responsible_for=client) | Q(teams__client=client)
    if keep is not None:
        condition |= Q(pk=keep)
    return User.objects.filter(condition).distinct().order_by("last_name", "first_name", "username")


def client_touches(client: Client) -> QuerySet[Touch]:
    return Touch.objects.filter(client=client).order_by("-date", "-pk")


def templates() -> list[PlanTemplate]:
    """Every template with the number of its steps in use, in the order of the kinds."""
    found = PlanTemplate.objects.annotate(in_use=Count("steps", filter=Q(steps__is_active=True)))
    order = list(PlanKind.values)
    return sorted(found, key=lambda template: order.index(template.kind))


def template_steps(template: PlanTemplate) -> list[TemplateStep]:
    """The template's steps, those in use first in their order, then the retired ones."""
    return list(template.steps.order_by("-is_active", "position", "pk"))
