"""What the nightly run computes and keeps: estimates, segments, runs and their changes, key
status, tier overrides, the radar's flags, and the notifications that follow."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Client, ProductGroup
from kam.loading import QuickLoaded


class PotentialEstimate(QuickLoaded):
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


class ClientSegment(QuickLoaded):
    """What the nightly job computed for a client, with the figures its reasons quote.

    Written only by segmentation.segments.engine, set-based; never through a form.
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="segment")
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    buys_a_lot = models.BooleanField(default=False)
    potential = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    covered_sales = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    wallet_share = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    headroom = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    can_buy_more = models.BooleanField(null=True)
    category = models.CharField(max_length=1, choices=Category.choices, blank=True)
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
    # The first day the purchase status moves with nothing bought (`rhythm.moves_on_sql`): the
    # nightly run judges the client again that day (`engine._judged_sql`).
    status_moves_on = models.DateField(null=True)
    lost_status = models.CharField(max_length=8, choices=LostStatus.choices, blank=True)
    won_back_on = models.DateField(null=True)
    # A key client whose effective tier was bronze at the run: flagged to the directors once,
    # when it becomes so (DOMAIN §4), and again only after it has been out of bronze or key.
    key_bronze = models.BooleanField(default=False)
    # The client's name, kept in step with it by the database (migration 0037's triggers): a
    # list filtered by segment alone reads its page's keys down an index of this table in the
    # list's order (`kam.joins`), where it walked the clients' names probing each one's segment.
    # Nullable so that SQLite adds the column in place, not by copying the table (which would
    # drop its triggers); never null once inserted.
    client_name = models.CharField(max_length=200, null=True, editable=False)

    # Whether the client is key (its `KeyStatus`), kept in step with it by the database
    # (migration 0038's triggers): the win-back list's lost key clients, by an index of their own.
    # Nullable as the name is; never null once inserted.
    is_key = models.BooleanField(null=True, editable=False)

    # What `kam.joins.keys_from_joined` reads here for the client's own fields.
    MIRRORS = {"name": "client_name"}

    class Meta:
        verbose_name = _("client segment")
        verbose_name_plural = _("client segments")
        indexes = [
            # The lists filtered by category (and tier), by league or by size class count their
            # clients from these indexes alone (`kam.joins`). The client is carried, not a key: as
            # a key, PostgreSQL probed it for every client a list walks in its order, comparing
            # the text keys before it by collation, slower than the segment's primary key.
            models.Index(fields=["category", "tier"], include=["client"], name="segment_category_idx"),
            # The lists filtered by segment read their page's keys in the name's order here
            # (`kam.joins`): a tier's down its own; any other filter's down all names, testing
            # the columns carried, where few clients match it past the first page.
            models.Index(
                fields=["tier", "client_name", "client"], include=["category"], name="segment_tier_name_idx"
            ),
            models.Index(
                fields=["client_name", "client"],
                include=["category", "tier", "league", "size_class", "lost_status"],
                name="segment_name_idx",
            ),
            # The lists filtered by tier, and the candidates' gold and silver walked down their
            # potential, the key ones passed over by their client alone (from the index).
            models.Index(fields=["tier", "-potential", "client"], name="segment_tier_idx"),
            models.Index(fields=["league"], include=["client"], name="segment_league_idx"),
            models.Index(fields=["size_class"], include=["client"], name="segment_size_idx"),
            # The lost-status filter, and the win-back list's lost silver and gold ids by index alone.
            models.Index(fields=["lost_status", "tier", "client"], name="segment_lost_idx"),
            # The win-back list's lost silver and gold that are not key, biggest potential first.
            models.Index(
                fields=["tier", "-potential", "client"],
                condition=Q(lost_status="lost", is_key=False),
                name="segment_lost_rank_idx",
            ),
            # The lost clients in client order, by index alone: a win-back list's page probes
            # whether each of its clients is lost.
            models.Index(fields=["client"], condition=Q(lost_status="lost"), name="segment_lost_client_idx"),
            # The lost key clients alone (a few hundred): the win-back list's first part, for a
            # director and for a manager alike (`is_key` kept on the segment).
            models.Index(
                fields=["client"], condition=Q(lost_status="lost", is_key=True), name="segment_lost_key_idx"
            ),
            # The client list sorted by a figure reads the clients that have it in these orders.
            models.Index(fields=["potential", "client"], name="segment_potential_idx"),
            models.Index(fields=["revenue", "client"], name="segment_revenue_idx"),
            models.Index(fields=["wallet_share", "client"], name="segment_wallet_idx"),
            # Which clients have a potential, by an index probe (the key list's unestimated ones).
            models.Index(
                fields=["client"], condition=Q(potential__isnull=False), name="segment_estimated_idx"
            ),
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
    # What the pages would otherwise sum over the whole base on every request, as the run left
    # it: {clients, revenue, potential} over the segment rows (see `segments.selectors.run_totals`).
    totals = models.JSONField(_("totals"), default=dict)
    # What the dashboard and the ladder draw of the whole base, as the run left it: the clients
    # per segment, the Pareto curve, who became at risk or lost (see `segments.figures`).
    figures = models.JSONField(_("figures"), default=dict)
    written = models.PositiveIntegerField(_("segment rows written"), default=0)
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

    # Indexed by `segchange_run_idx` (run, kind): a second index on the run alone made the
    # planner read every kind of a run's changes for the dashboard's migrations of one kind.
    run = models.ForeignKey(
        NightlyRun, on_delete=models.CASCADE, related_name="segment_changes", db_index=False
    )
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


class Notification(QuickLoaded):
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


class KeyStatus(QuickLoaded):
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
        indexes = [
            models.Index(fields=["is_key"], name="key_status_idx"),
            # The key clients in client order, by index alone: the lists that pass key clients over.
            models.Index(fields=["client"], condition=Q(is_key=True), name="key_status_key_idx"),
        ]

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


# ClientFlags' flag columns (`segmentation.radar.flags.FLAGS` names them alike; a test keeps the two
# equal), each with a partial index of the clients carrying it.
FLAG_COLUMNS = (
    "no_manager",
    "no_touch",
    "never_met",
    "no_decision_maker",
    "influence",
    "potential_stale",
    "league_changed",
    "expansion",
    "at_risk",
    "key_bronze",
    "over_capacity",
)

# The flags the manager's day counts (`plans.day.selectors.DAY_FLAGS`), in its order.
DAY_FLAG_COLUMNS = ("at_risk", "no_touch", "no_decision_maker", "influence", "potential_stale")


class ClientFlags(QuickLoaded):
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
        indexes = [
            models.Index(fields=["-score"], name="radar_score_idx", condition=Q(score__gt=0)),
            # The manager's day counts the flags of each of their clients (`plans.day`) from this
            # index alone, without visiting every client's row.
            models.Index(fields=["client"], include=DAY_FLAG_COLUMNS, name="radar_day_idx"),
            # The list filtered by a flag few clients carry finds them here instead of testing
            # every client's row (a healthy base has few clients with nobody responsible).
            *(
                models.Index(fields=["client"], name=f"radar_{column}_idx", condition=Q((column, True)))
                for column in FLAG_COLUMNS
            ),
        ]

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


class EstimateTally(models.Model):
    """How many current (not inactive) clients of one responsible manager have their newest
    potential estimate dated `last_estimated`, for the directors' estimates to do: the clients
    not analysed are one row's count, the stale ones a sum over the days before the cutoff, so
    the per-manager counts read a few rows instead of counting every client on every request.

    Maintained by database triggers (migration 0014) on every write to clients (their manager
    and status) and estimates, whatever makes it: forms, imports, the admin, bulk updates.
    `manager` 0 is nobody; `last_estimated` NEVER is no estimate at all. Every current client
    counts in exactly one row; rows left at 0 stay. The table holds at most one row per manager
    and day on which an estimate was made, whatever the number of clients.
    """

    NOBODY = 0
    NEVER = date(1, 1, 1)

    manager = models.BigIntegerField()
    last_estimated = models.DateField()
    clients = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manager", "last_estimated"], name="estimate_tally_unique"),
        ]
        indexes = [
            # The days of one month, every manager's: read after the months before it are summed.
            models.Index(
                fields=["last_estimated"], include=["manager", "clients"], name="estimate_tally_day_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manager} {self.last_estimated}: {self.clients}"


class EstimateMonthTally(models.Model):
    """`EstimateTally` summed by month (`month`: its first day; NEVER's month is NEVER), so that
    the stale clients of every manager are a few rows a month before the cutoff's month and
    the cutoff month's days, not every day since the first estimate (22,000 rows at 100,000
    clients, against 1,400).

    Maintained by database triggers (migration 0036) on every write to `EstimateTally`, which
    its own triggers make: a month's row is the sum of its days' rows, at all times.
    """

    manager = models.BigIntegerField()
    month = models.DateField()
    clients = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manager", "month"], name="estimate_month_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.manager} {self.month:%Y-%m}: {self.clients}"


class CategoryTally(models.Model):
    """How many active clients one responsible manager (0: nobody) holds in each ABCD category
    ("": not categorised yet), for the workload calculator: a few hundred rows instead of a
    GROUP BY over every client on every request.

    Maintained by database triggers (migration 0016) on every write to clients (their manager
    and status) and segments (their category), so a reassignment shows at once. Whether the
    manager is still active is read from the users when the calculator reads the tally.
    """

    NOBODY = 0

    manager = models.BigIntegerField()
    category = models.CharField(max_length=1, blank=True)
    clients = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["manager", "category"], name="category_tally_unique")]

    def __str__(self) -> str:
        return f"{self.manager} {self.category or '-'}: {self.clients}"
