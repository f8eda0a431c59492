"""The radar's flags (DOMAIN §4, §6, §8, §9): what a key-list review should look at, for every
client, defined once. Each flag is one ORM condition over `Client`; the same condition counts
the radar, filters the client list and marks the rows, so they never disagree.

Inactive clients carry no flags. "League changed" compares with the last closed key-list review:
a league change recorded by a nightly run after that review opened (none before the first review;
a client's first computation is no change).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.lookups import Exact
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Contact, Touch
from segmentation.models import (
    ClientSegment,
    LostStatus,
    Policy,
    PotentialEstimate,
    Review,
    SegmentChange,
    Tier,
    TierOverride,
)
from segmentation.potential.selectors import stale_before
from segmentation.workload.selectors import overloaded_managers

ACTIVE = ~Q(status=Client.Status.INACTIVE)
TOP_TIERS = [Tier.GOLD, Tier.SILVER]


@dataclass(frozen=True)
class Flag:
    """A flag: `condition(today, policy)` is the clients that carry it (active ones only)."""

    name: str
    label: str | Promise
    condition: Callable[[date, Policy], Q]
    weight: int = 1

    def q(self, today: date, policy: Policy) -> Q:
        return ACTIVE & self.condition(today, policy)


def _no_manager(today: date, policy: Policy) -> Q:
    return Q(responsible_manager__isnull=True)


def no_touch_since(today: date, policy: Policy) -> date:
    """A touch on or after this date keeps "no touch lately" off."""
    return today - timedelta(days=policy.no_touch_days)


def _no_touch(today: date, policy: Policy) -> Q:
    since = no_touch_since(today, policy)
    return ~Q(Exists(Touch.objects.filter(client=OuterRef("pk"), date__gte=since)))


def _never_met(today: date, policy: Policy) -> Q:
    return ~Q(Exists(Touch.objects.filter(client=OuterRef("pk"), kind=Touch.Kind.MEETING)))


def _active_contacts() -> QuerySet[Contact]:
    return Contact.objects.filter(client=OuterRef("pk"), is_active=True)


def _no_decision_maker(today: date, policy: Policy) -> Q:
    makers = _active_contacts().filter(decision_role=Contact.DecisionRole.DECISION_MAKER)
    return ~Q(Exists(makers))


def _influence_off(today: date, policy: Policy) -> Q:
    total = _active_contacts().values("client").annotate(total=Sum("influence")).values("total")
    return Q(Exists(_active_contacts())) & ~Q(Exact(Subquery(total), 100))


def _potential_stale(today: date, policy: Policy) -> Q:
    fresh = PotentialEstimate.objects.filter(
        client=OuterRef("pk"), estimated_on__gte=stale_before(today, policy)
    )
    return ~Q(Exists(fresh))


def _league_changed(today: date, policy: Policy) -> Q:
    last_review = Review.objects.filter(closed_at__isnull=False).order_by("-closed_at", "-id")
    changes = SegmentChange.objects.filter(
        client=OuterRef("pk"),
        kind=SegmentChange.Kind.LEAGUE,
        run__started_at__gte=Subquery(last_review.values("opened_at")[:1]),
    ).exclude(old="")  # a first computation is no change
    return Q(Exists(changes))


def _expansion(today: date, policy: Policy) -> Q:
    return Q(segment__expansion_points__gt=0)


def _at_risk(today: date, policy: Policy) -> Q:
    return Q(segment__lost_status__in=[LostStatus.AT_RISK, LostStatus.LOST])


def _key_bronze(today: date, policy: Policy) -> Q:
    """A key client whose effective tier (`tiers.effective_tier`: the override, else the
    computed tier; bronze when neither exists) is bronze."""
    overridden = TierOverride.objects.filter(client=OuterRef("pk"))
    computed_top = ClientSegment.objects.filter(client=OuterRef("pk"), tier__in=TOP_TIERS)
    bronze = Q(Exists(overridden.filter(tier=Tier.BRONZE))) | (
        ~Q(Exists(overridden)) & ~Q(Exists(computed_top))
    )
    return Q(key_status__is_key=True) & bronze


def _over_capacity(today: date, policy: Policy) -> Q:
    return Q(responsible_manager__in=overloaded_managers(policy))


NO_MANAGER = "no_manager"
NEVER_MET = "never_met"

FLAGS = [
    Flag(NO_MANAGER, _("Nobody responsible"), _no_manager, weight=4),
    Flag("no_touch", _("No touch lately"), _no_touch),
    Flag(NEVER_MET, _("Never met"), _never_met, weight=4),
    Flag("no_decision_maker", _("No decision maker known"), _no_decision_maker),
    Flag("influence", _("Influence not 100%"), _influence_off),
    Flag("potential_stale", _("Potential not estimated or stale"), _potential_stale),
    Flag("league_changed", _("League changed since the last review"), _league_changed),
    Flag("expansion", _("Expansion planned"), _expansion),
    Flag("at_risk", _("At risk or lost"), _at_risk),
    Flag("key_bronze", _("Key client now bronze"), _key_bronze),
    Flag("over_capacity", _("Manager over capacity"), _over_capacity),
]
BY_NAME = {flag.name: flag for flag in FLAGS}


def flag_choices() -> list[tuple[str, str | Promise]]:
    return [(flag.name, flag.label) for flag in FLAGS]


def flag_q(name: str, today: date, policy: Policy) -> Q:
    """The clients carrying the flag `name` (a key of `BY_NAME`)."""
    return BY_NAME[name].q(today, policy)
