"""The policy: every threshold of the segment rules, and our own locations."""

from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kam.prepared import Prepared

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
POSITIVE = [MinValueValidator(1)]


def percent(verbose: Any, default: int, help_text: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=PERCENT,
        help_text=help_text,
    )


def days(verbose: Any, default: int, help_text: Any) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose, default=default, validators=POSITIVE, help_text=help_text)


def money(verbose: Any, default: int, help_text: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=16,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0))],
        help_text=help_text,
    )


class DRouteKind(models.TextChoices):
    """The company's ways of serving D clients with the least time and effort (DOMAIN §5)."""

    EMPLOYEE = "employee", _("All to one employee")
    PARTNER = "partner", _("Handed to a partner")
    WEB = "web", _("Ordering through the website")
    TRAINING = "training", _("Grown through training")


# The policy's amounts, in the company currency (settings.KAM_CURRENCY).
AMOUNT_FIELDS = ["min_headroom", "medium_from", "large_from", "largest_from"]


class Policy(models.Model):
    """Every threshold of the segment rules (DOMAIN §3-6, §9-10); one row, kept with its history."""

    class SmallClientsRule(models.TextChoices):
        WARN = "warn", _("Warn")
        FORBID = "forbid", _("Forbid")

    pareto_share = percent(
        _("“buys a lot” share, %"),
        80,
        _("Clients whose revenue together makes the first this share of all revenue."),
    )
    wallet_share_limit = percent(
        _("“can buy more” share of wallet below, %"),
        70,
        _("Below this share of its estimated purchases a client can buy more."),
    )
    min_headroom = money(
        _("minimum headroom"), 0, _("And at least this much of its estimate is not bought from us.")
    )
    gold_share = percent(
        _("gold tier: first share of potential, %"),
        50,
        _("Clients whose potential together makes the first this share."),
    )
    silver_share = percent(
        _("silver tier: next share of potential, %"), 30, _("The next this share of all potential is silver.")
    )
    key_cap_share = percent(
        _("key clients cap: share of active clients, %"),
        20,
        _("Key clients never exceed this share of the active base."),
    )
    at_risk_factor = models.DecimalField(
        _("at risk after × usual interval"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(Decimal(1))],
        help_text=_("At risk when the days since the last purchase exceed this many usual intervals."),
    )
    at_risk_min_days = days(_("at risk, at least days"), 30, _("…and at least this many days."))
    lost_factor = models.DecimalField(
        _("lost after × usual interval"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(3),
        validators=[MinValueValidator(Decimal(1))],
        help_text=_("Lost when the days since the last purchase exceed this many usual intervals."),
    )
    lost_min_days = days(_("lost, at least days"), 60, _("…and at least this many days."))
    no_rhythm_at_risk_days = days(
        _("no rhythm: at risk after days"), 90, _("For clients with fewer than three purchase dates.")
    )
    no_rhythm_lost_days = days(
        _("no rhythm: lost after days"), 180, _("For clients with fewer than three purchase dates.")
    )
    won_back_days = days(_("shown as won back for days"), 90, _("After a purchase that ends “lost”."))
    medium_from = money(
        _("medium client from"), 1_000_000, _("Yearly potential (or revenue without an estimate).")
    )
    large_from = money(
        _("large client from"), 10_000_000, _("Yearly potential (or revenue without an estimate).")
    )
    largest_from = money(
        _("very large client from"), 50_000_000, _("Yearly potential (or revenue without an estimate).")
    )
    capacity_small = days(_("small clients per manager"), 100, _("A full workload of small clients."))
    capacity_medium = days(
        _("medium clients per manager"), 40, _("A full workload of medium clients (30-50).")
    )
    capacity_large = days(_("large clients per manager"), 10, _("A full workload of large clients."))
    capacity_largest = days(
        _("very large clients per manager"), 3, _("A full workload of the very largest clients.")
    )
    key_per_manager = days(
        _("key clients per KAM, at most"), 3, _("Warn when a key account manager holds more.")
    )
    no_touch_days = days(
        _("no touch flagged after days"),
        90,
        _("The radar flags a client nobody has touched (call, meeting, e-mail…) for this many days."),
    )
    kam_small_clients = models.CharField(
        _("a KAM with small clients"),
        max_length=8,
        choices=SmallClientsRule.choices,
        default=SmallClientsRule.WARN,
        help_text=_("Whether a key account manager may also carry small clients."),
    )
    estimate_stale_months = days(
        _("estimate is stale after months"), 12, _("Older potential estimates are re-done.")
    )
    split_ab_share = percent(
        _("time with A and B clients, %"),
        30,
        _("Target share of a manager's time: communication with A and B clients."),
    )
    split_c_share = percent(
        _("time servicing C clients, %"), 10, _("Target share of a manager's time: servicing C clients.")
    )
    split_development_share = percent(
        _("time on development activities, %"),
        40,
        _("Target share of a manager's time: activities that move C clients to B and B to A."),
    )
    touches_a = days(_("touches a year, A client"), 24, _("Standard touches a year an A client needs."))
    touches_b = days(_("touches a year, B client"), 12, _("Standard touches a year a B client needs."))
    touches_c = days(_("touches a year, C client"), 4, _("Standard touches a year a C client needs."))
    touches_d = days(_("touches a year, D client"), 1, _("Standard touches a year a D client needs."))
    touch_minutes_a = days(
        _("minutes a touch, A client"), 60, _("How long a standard touch with an A client takes.")
    )
    touch_minutes_b = days(
        _("minutes a touch, B client"), 45, _("How long a standard touch with a B client takes.")
    )
    touch_minutes_c = days(
        _("minutes a touch, C client"), 30, _("How long a standard touch with a C client takes.")
    )
    touch_minutes_d = days(
        _("minutes a touch, D client"), 15, _("How long a standard touch with a D client takes.")
    )
    working_hours = days(
        _("working hours a year"), 1970, _("A manager's working hours in a year, for sizing the department.")
    )
    nightly_run_at = models.TimeField(
        _("nightly run at"), default=time(2, 0), help_text=_("Local time of the nightly recomputation.")
    )
    d_route = models.CharField(
        _("route for D clients"),
        max_length=8,
        choices=DRouteKind.choices,
        blank=True,
        help_text=_(
            "How D clients are served with the least time and effort; applied in bulk from the client list."
        ),
    )
    d_route_employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee for D clients"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The one employee who becomes responsible for every routed D client."),
    )
    d_route_partner = models.CharField(
        _("partner for D clients"),
        max_length=200,
        blank=True,
        help_text=_("The partner the routed D clients are handed to."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policy")
        permissions = [("manage_policy", _("Can change the policy and start a recomputation"))]

    def __str__(self) -> str:
        return str(_("Segment policy"))

    @classmethod
    def current(cls) -> "Policy":
        for policy in _CURRENT():
            return policy
        try:
            with transaction.atomic():
                return cls.objects.create(pk=1)
        except IntegrityError:  # created meanwhile
            return cls.objects.get(pk=1)

    def version(self) -> tuple[object, ...]:
        """Every field's value: what a page part drawn under this policy is kept by."""
        return tuple(getattr(self, field.attname) for field in self._meta.concrete_fields)

    def as_text(self) -> dict[str, str]:
        """Every field's value as text but the time of the last save, a decimal without its scale
        (80 and 80.00 are one value): what the nightly run keeps to know whether the policy moved."""
        fields = [f.attname for f in self._meta.concrete_fields if f.attname != "updated_at"]
        return {name: _text(getattr(self, name)) for name in fields}


_CURRENT = Prepared(lambda: Policy.objects.filter(pk=1))


class PolicyVersion(models.Model):
    """One row whose `version` the database changes, by triggers (migration 0043), with every
    change of the policy and of the nightly runs' rows (a run started, finished, given its totals,
    removed): the policy and the last run's totals that pages take shares and ranks against. A
    process keeps the pair it read for the version it read with the signed-in user
    (`segmentation.segments.totals.policy_and_totals`), a query fewer on the card's overview.

    Each new version is random: a version a rolled-back change set is never taken for one a
    later change sets."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return str(self.version)


def _text(value: object) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


class OwnLocationQuerySet(models.QuerySet["OwnLocation"]):
    def active(self) -> "OwnLocationQuerySet":
        return self.filter(is_active=True)


class OwnLocation(models.Model):
    """One of our own company's places: "our presence" for the expansion alert (DOMAIN §6).

    A location with a region covers that region; one with only a country (abroad) covers
    the whole country. A location is retired rather than deleted, so its history stays.
    """

    class Kind(models.TextChoices):
        BRANCH = "branch", _("Branch")
        WAREHOUSE = "warehouse", _("Warehouse")
        REPRESENTATIVE = "representative", _("Representative office")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BRANCH)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=6, blank=True)
    is_active = models.BooleanField(pgettext_lazy("location", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = OwnLocationQuerySet.as_manager()

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("our location")
        verbose_name_plural = _("our locations")
        indexes = [models.Index(fields=["country", "region"], name="ownlocation_place_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(region="") | Q(region__startswith=Concat(F("country"), Value("-"))),
                name="ownlocation_region_in_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name
