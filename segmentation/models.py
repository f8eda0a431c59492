from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Client, ProductGroup

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
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


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


class PotentialEstimate(models.Model):
    """A client's estimated yearly purchases of one product group from all suppliers."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("Survey after a purchase")
        SERVICE = "service", _("Questions “to improve our service”")
        JOURNAL = "journal", _("Interview “for an industry journal”")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="estimates")
    product_group = models.ForeignKey(ProductGroup, verbose_name=_("product group"), on_delete=models.PROTECT)
    amount = models.DecimalField(
        _("yearly purchases, all suppliers"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    estimated_on = models.DateField(_("estimated on"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("estimated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_group__name"]
        indexes = [models.Index(fields=["client", "-estimated_on"], name="estimate_client_date_idx")]
        verbose_name = _("potential estimate")
        verbose_name_plural = _("potential estimates")
        constraints = [
            models.UniqueConstraint(fields=["client", "product_group"], name="estimate_unique_group"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="estimate_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_group}: {self.amount}"


class Category(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class Tier(models.TextChoices):
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    BRONZE = "bronze", _("Bronze")


class League(models.TextChoices):
    PREMIER = "premier", _("Premier league")
    FIRST = "first", _("First league")
    SECOND = "second", _("Second league")
    THIRD = "third", _("Third league")
    QUALIFYING = "qualifying", _("Qualifying league")


class SizeClass(models.TextChoices):
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")
    LARGEST = "largest", _("Very large")


class LostStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    LOST = "lost", _("Lost")
    WON_BACK = "won_back", _("Won back")


class ClientSegment(models.Model):
    """What the nightly job computed for a client, with the figures its reasons quote.

    Written only by segmentation.segments.engine, set-based; never through a form.
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="segment")
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    revenue_rank = models.PositiveIntegerField(null=True)
    revenue_above_share = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    buys_a_lot = models.BooleanField(default=False)
    potential = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    covered_sales = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    wallet_share = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    headroom = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    can_buy_more = models.BooleanField(null=True)
    category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    potential_rank = models.PositiveIntegerField(null=True)
    potential_above_share = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    tier = models.CharField(max_length=8, choices=Tier.choices, default=Tier.BRONZE)
    continents = models.PositiveSmallIntegerField(default=0)
    countries = models.PositiveSmallIntegerField(default=0)
    regions = models.PositiveSmallIntegerField(default=0)
    open_points = models.PositiveSmallIntegerField(default=0)
    league = models.CharField(max_length=12, choices=League.choices, blank=True)
    expansion_points = models.PositiveSmallIntegerField(default=0)
    size_class = models.CharField(max_length=8, choices=SizeClass.choices, default=SizeClass.SMALL)
    purchase_dates = models.PositiveIntegerField(default=0)
    usual_interval = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    last_purchase = models.DateField(null=True)
    lost_status = models.CharField(max_length=8, choices=LostStatus.choices, blank=True)
    won_back_on = models.DateField(null=True)
    # A key client whose effective tier was bronze at the run: flagged to the directors once,
    # when it becomes so (DOMAIN §4), and again only after it has been out of bronze or key.
    key_bronze = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("client segment")
        verbose_name_plural = _("client segments")
        indexes = [
            models.Index(fields=["category"], name="segment_category_idx"),
            models.Index(fields=["tier", "-potential"], name="segment_tier_idx"),
            models.Index(fields=["league"], name="segment_league_idx"),
            models.Index(fields=["size_class"], name="segment_size_idx"),
            models.Index(fields=["lost_status"], name="segment_lost_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.category or '-'} {self.tier} {self.league or '-'}"


class NightlyRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Finished")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped: another run was in progress")

    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True)
    run_on = models.DateField(_("computed for"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("started by"), max_length=120, blank=True)
    clients = models.PositiveIntegerField(_("clients"), default=0)
    changes = models.JSONField(_("changes"), default=dict)
    # The key cap after the run ({count, limit, share, base}), so the next run knows whether
    # an overrun is new (DOMAIN §4).
    key_cap = models.JSONField(_("key cap"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("nightly run")
        verbose_name_plural = _("nightly runs")

    def __str__(self) -> str:
        return f"{self.run_on} {self.status}"


class SegmentChange(models.Model):
    """One segment of one client changed in one run: the history a director reads."""

    class Kind(models.TextChoices):
        CATEGORY = "category", _("Category")
        TIER = "tier", _("Tier")
        LEAGUE = "league", _("League")
        SIZE = "size_class", _("Size class")
        LOST = "lost_status", _("Purchase status")

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="segment_changes")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="segment_changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    old = models.CharField(max_length=12, blank=True)
    new = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-run_id", "kind"]
        indexes = [
            models.Index(fields=["client", "run"], name="segchange_client_idx"),
            models.Index(fields=["run", "kind"], name="segchange_run_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.kind}: {self.old} → {self.new}"


class Notification(models.Model):
    """Something a user is told about: a segment change of a client they are responsible for, or
    what the directors are flagged about (a key client now bronze, the key cap overrun), or an
    action item a key-list review gave the user.

    `kind` says which; `client` is the client it is about (if any), `change` the segment change
    (segment notifications only) and `details` the figures its words quote. Each kind's words
    and where opening it leads live in `segmentation.notifications.kinds`.
    """

    class Kind(models.TextChoices):
        SEGMENT = "segment", _("Segment change")
        KEY_BRONZE = "key_bronze", _("Key client now bronze")
        CAP_OVERRUN = "cap_overrun", _("Key clients over the cap")
        ACTION_ITEM = "action_item", _("Action item")
        REASSIGNED = "reassigned", _("Clients handed to you")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SEGMENT)
    change = models.ForeignKey(
        SegmentChange, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["user", "-created_at", "-id"], name="notification_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="segment") | Q(change__isnull=False), name="notification_segment_has_change"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.client_id or ''}"


class KeyReason(models.TextChoices):
    POTENTIAL = "potential", _("Potential sales volume or profitability")
    STRATEGIC = "strategic", _("Strategic importance")
    IMAGE = "image", _("Image client: known, opens doors")
    COMPETENCE = "competence", _("Competence client: keeps our standards high")


class KeyStatus(models.Model):
    """A director's decision that a client is key, and why (DOMAIN §4)."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, primary_key=True, related_name="key_status"
    )
    is_key = models.BooleanField(_("key client"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key status")
        verbose_name_plural = _("key statuses")
        permissions = [("decide_key_status", _("Can grant and revoke key status and override tiers"))]
        indexes = [models.Index(fields=["is_key"], name="key_status_idx")]

    def __str__(self) -> str:
        return f"{self.client_id}: {'key' if self.is_key else 'not key'}"


class TierOverride(models.Model):
    """A director's tier for a client instead of the computed one, with the reason."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, primary_key=True, related_name="tier_override"
    )
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tier override")
        verbose_name_plural = _("tier overrides")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.tier}"


class Decision(models.TextChoices):
    """What a review decides for one client (DOMAIN §8)."""

    KEEP = "keep", _("Keep")
    GRANT = "grant", _("Grant key status")
    REVOKE = "revoke", _("Revoke key status")
    REASSIGN = "reassign", _("Reassign")
    WATCH = "watch", _("Watch")


class Review(models.Model):
    """A sales directors' key-list review (DOMAIN §8): opened with a snapshot of its clients,
    decided client by client, closed with the attendees and the minutes, then read-only."""

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The last closed review when this one was opened: what the difference is taken against."),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The difference from `previous`, worked out once when the review opens: both snapshots are
    # fixed from then on (see segmentation.reviews.selectors.changes for its shape).
    difference = models.JSONField(null=True, blank=True, editable=False)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True)
    guests = models.CharField(_("other attendees"), max_length=500, blank=True)
    summary = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("key-list review")
        verbose_name_plural = _("key-list reviews")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["-closed_at"], name="review_closed_idx")]

    def __str__(self) -> str:
        return f"{_('Review')} {self.opened_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("segmentation:review_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReviewItem(models.Model):
    """One client of a review: what it was when the review opened, and what the meeting decided."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="review_items")
    position = models.PositiveIntegerField()
    # The snapshot taken when the review opened.
    was_key = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)
    tier = models.CharField(max_length=8, choices=Tier.choices, blank=True)
    category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    league = models.CharField(max_length=12, choices=League.choices, blank=True)
    size_class = models.CharField(max_length=8, choices=SizeClass.choices, blank=True)
    lost_status = models.CharField(max_length=8, choices=LostStatus.choices, blank=True)
    potential = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    flags = models.JSONField(default=list)
    # The meeting's decision.
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "client"], name="review_client_once"),
            models.UniqueConstraint(fields=["review", "position"], name="review_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.position}: {self.client_id}"


class ActionItem(models.Model):
    """Something a review asked someone to do for a client, by a date (DOMAIN §8)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("action item", "Open")
        DONE = "done", pgettext_lazy("action item", "Done")

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("what"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["owner", "status", "due"], name="action_owner_idx")]

    def __str__(self) -> str:
        return self.what


class DRouteBatch(models.Model):
    """One bulk routing of D clients (DOMAIN §5): who applied which route to how many clients.

    Its items keep each client's state before the batch, so the batch can be reversed exactly.
    """

    route = models.CharField(_("route"), max_length=8, choices=DRouteKind.choices)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    clients = models.PositiveIntegerField(_("clients"), default=0)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"))
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    restored_count = models.PositiveIntegerField(_("restored"), default=0)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("D-client routing")
        verbose_name_plural = _("D-client routings")
        indexes = [models.Index(fields=["-applied_at", "-id"], name="droutebatch_applied_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(route=DRouteKind.EMPLOYEE) | Q(employee__isnull=False),
                name="droutebatch_employee_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} ({self.clients})"

    def get_absolute_url(self) -> str:
        return reverse("segmentation:d_route_batch", args=[self.pk])


class DRoute(models.Model):
    """The route a D client is on, and the batch that put it there; kept with its history."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="d_route")
    route = models.CharField(_("D route"), max_length=8, choices=DRouteKind.choices)
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    batch = models.ForeignKey(
        DRouteBatch, verbose_name=_("routing"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("D route")
        verbose_name_plural = _("D routes")

    def __str__(self) -> str:
        return self.get_route_display()


class DRouteBatchItem(models.Model):
    """A client of a batch with what it was before: its responsible manager and its route mark
    (`previous_route` empty when it had none); `restored` once the batch's reversal restored it."""

    batch = models.ForeignKey(DRouteBatch, on_delete=models.CASCADE, related_name="items")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    previous_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous_route = models.CharField(max_length=8, choices=DRouteKind.choices, blank=True)
    previous_partner = models.CharField(max_length=200, blank=True)
    previous_batch = models.ForeignKey(
        DRouteBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    restored = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "client"], name="droutebatchitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.client_id}"


class ClientFlags(models.Model):
    """The coverage radar's flags of one client as the last nightly run found them (the
    conditions are `segmentation.radar.flags.FLAGS`, one boolean column each, named alike), with
    the worst-first score and what it weighed: the radar, the client list's flag filter and the
    manager's day read these instead of evaluating every condition over the whole base."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="radar")
    no_manager = models.BooleanField(default=False)
    no_touch = models.BooleanField(default=False)
    never_met = models.BooleanField(default=False)
    no_decision_maker = models.BooleanField(default=False)
    influence = models.BooleanField(default=False)
    potential_stale = models.BooleanField(default=False)
    league_changed = models.BooleanField(default=False)
    expansion = models.BooleanField(default=False)
    at_risk = models.BooleanField(default=False)
    key_bronze = models.BooleanField(default=False)
    over_capacity = models.BooleanField(default=False)
    tier = models.CharField(max_length=8, choices=Tier.choices, default=Tier.BRONZE)
    abroad = models.BooleanField(default=False)
    score = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-score"], name="radar_score_idx", condition=Q(score__gt=0))]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.score}"


class RadarTally(models.Model):
    """How many active clients of one responsible manager (none: nobody's) carried each radar
    flag when the last nightly run looked (`counts`: flag name → count), so the radar reads a
    few rows instead of counting the whole base on every request."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    clients = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.manager_id}: {self.clients}"


class Reassignment(models.Model):
    """One move of clients between managers (DOMAIN §9), one client or many at once, by an admin
    or a director, with the reason they gave. Its items keep who each client had before.

    `clients` is how many clients moved; a manager leaving is one reassignment whose items may
    go to several new managers (split by size class).
    """

    reason = models.CharField(_("reason"), max_length=500)
    clients = models.PositiveIntegerField(_("clients"), default=0)
    departing = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager who left"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the move handed over all the active clients of a manager who leaves."),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"))

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        indexes = [models.Index(fields=["-applied_at", "-id"], name="reassignment_applied_idx")]

    def __str__(self) -> str:
        return str(_("Reassignment of %(date)s") % {"date": self.applied_at.date()})

    def get_absolute_url(self) -> str:
        return reverse("segmentation:reassignment", args=[self.pk])


class ReassignmentItem(models.Model):
    """One client of a reassignment: the manager it had and the one it got."""

    reassignment = models.ForeignKey(Reassignment, on_delete=models.CASCADE, related_name="items")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="reassignments")
    previous_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reassignment", "client"], name="reassignmentitem_unique_client"),
        ]
        indexes = [models.Index(fields=["client", "-reassignment"], name="reassignmentitem_client_idx")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.previous_manager_id} → {self.new_manager_id}"
