from collections.abc import Collection
from datetime import date
from typing import Any, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.fields import PhoneNumberField
from accounts.validators import (
    EARLIEST_DATE,
    LATEST_DATE,
    validate_birthday,
    validate_date_range,
    validate_inn,
    validate_kpp,
    validate_not_future,
)
from kam.links import pk_url
from kam.loading import QuickLoaded


def date_in_range(field: str) -> Q:
    """The fixed bounds of validate_date_range, for a CHECK constraint (a blank date passes)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__range": (EARLIEST_DATE, LATEST_DATE)})


def name_key(name: str) -> str:
    """What two spellings of a name share when they differ only in case or spacing.

    Kept in a column of its own (not a UNIQUE on LOWER(name)): SQLite's LOWER() folds only
    ASCII, so "Металлургия" and "металлургия" would both pass there.
    """
    return " ".join(name.split()).casefold()


Item = TypeVar("Item", bound="ReferenceItem")


class ReferenceQuerySet(models.QuerySet[Item]):
    def active(self, *, keep: Item | None = None) -> Self:
        """The items one may choose: active ones, plus `keep` (the one an entry already has)."""
        condition = Q(is_active=True)
        if keep is not None:
            condition |= Q(pk=keep.pk)
        return self.filter(condition)


class ReferenceItem(QuickLoaded):
    """A name admins keep in the app's reference data (accounts/reference/): unique whatever
    its case, deactivated rather than deleted once anything uses it. `version` guards edits."""

    name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(max_length=360, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = [*update_fields, "name_key"]
        super().save(*args, **kwargs)

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        """Django's checks, and the name's key (not a form field, so Django's skip it)."""
        super().validate_unique(exclude)
        if exclude and "name" in exclude:
            return
        others = type(self)._default_manager.exclude(pk=self.pk)
        clash = others.filter(name_key=name_key(self.name)).first()
        if clash is not None:
            message = _("“%(name)s” is already taken: the names differ only in case or spaces.")
            raise ValidationError(
                {"name": ValidationError(message, code="unique", params={"name": clash.name})}
            )


class Industry(ReferenceItem):
    history = HistoricalRecords(excluded_fields=["name_key"])

    objects = ReferenceQuerySet["Industry"].as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class ProductGroup(ReferenceItem):
    history = HistoricalRecords(excluded_fields=["name_key"])

    objects = ReferenceQuerySet["ProductGroup"].as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        permissions = [("manage_reference_data", _("Can manage product groups and industries"))]


INN_KPP_TAKEN = _("A client with this INN and KPP already exists.")


NEVER = date(1900, 1, 1)  # sorts clients never touched before all others
NO_STEP = date(9999, 12, 31)  # sorts clients without a dated next step after all others
# Kept by triggers on the touches (migration 0014), never written by a save.
TOUCH_SUMMARY = ("last_touch_on", "next_step", "next_step_due")


class Client(QuickLoaded):
    """A client company: the card of DOMAIN §2. `version` guards against lost updates.

    `last_touch_on`, `next_step` and `next_step_due` sum up its touches (the date of the latest,
    and the next step of the latest that set one): triggers keep them as touches are written,
    in any way (forms, imports, COPY), so that the client list shows and sorts by them through
    an index; a save never writes them.
    """

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True, validators=[validate_inn])
    kpp = models.CharField(
        _("KPP"),
        max_length=9,
        blank=True,
        validators=[validate_kpp],
        help_text=_("A company's tax registration reason code: a branch shares the INN and has its own KPP."),
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, null=True, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    purchasing_centralised = models.BooleanField(
        _("purchasing is centralised"),
        default=False,
        help_text=_("A head office buys for all points of presence."),
    )
    responsible_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for",
        db_index=False,  # `client_manager_idx` leads with it
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_touch_on = models.DateField(_("last touch"), null=True, editable=False)
    next_step = models.CharField(_("next step"), max_length=300, blank=True, editable=False, db_default="")
    next_step_due = models.DateField(_("next step by"), null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at", *TOUCH_SUMMARY])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        permissions = [
            ("view_all_clients", _("Can view every client")),
            ("assign_client", _("Can change the responsible manager and the account team")),
        ]
        indexes = [
            models.Index(fields=["name", "id"], name="client_name_idx"),
            models.Index(fields=["inn"], name="client_inn_idx"),
            models.Index(fields=["status", "name", "id"], name="client_status_idx"),
            models.Index(fields=["updated_at", "id"], name="client_updated_idx"),
            models.Index(fields=["responsible_manager", "name", "id"], name="client_manager_idx"),
            # A manager's next steps due by a date (the day), only the clients that have one.
            models.Index(
                fields=["responsible_manager", "next_step_due", "id"],
                condition=~Q(next_step=""),
                name="client_manager_step_idx",
            ),
            models.Index(Coalesce("last_touch_on", Value(NEVER)), "id", name="client_last_touch_idx"),
            models.Index(Coalesce("next_step_due", Value(NO_STEP)), "id", name="client_next_step_idx"),
            # Whether a client is active, by an index probe: the key clients counted for the cap
            # (2,000 at 100,000 clients) without reading their rows.
            models.Index(fields=["id"], condition=Q(status="active"), name="client_active_idx"),
        ]
        constraints = [
            # INN + KPP identify a company or its branch. Cards without a KPP (sole traders, and
            # cards made before the KPP was kept) are not covered: the duplicate warning guards them.
            models.UniqueConstraint(
                fields=["inn", "kpp"],
                condition=~Q(kpp=""),
                name="client_inn_kpp_unique",
                violation_error_message=INN_KPP_TAKEN,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A save of a stored card writes every field but the touch summary (the triggers')."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in TOUCH_SUMMARY
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return pk_url("accounts:client_detail", self.pk)


class TeamMember(QuickLoaded):
    """A colleague on the client's account team besides the responsible manager."""

    class Role(models.TextChoices):
        SALES_SUPPORT = "sales_support", _("Sales support")
        TECHNICAL = "technical", _("Technical specialist")
        LOGISTICS = "logistics", _("Logistics")
        SERVICE = "service", _("Service")
        EXECUTIVE = "executive", _("Executive sponsor")
        REGIONAL = "regional", _("Regional manager")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="teams"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES_SUPPORT)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("account team member")
        verbose_name_plural = _("account team")
        constraints = [models.UniqueConstraint(fields=["client", "user"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class PointOfPresence(QuickLoaded):
    """Where the client is, or plans to be: ISO 3166 codes, never typed names."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Planned")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="points")
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    is_head_office = models.BooleanField(_("head office"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    planned_date = models.DateField(
        _("planned opening"), null=True, blank=True, validators=[validate_date_range]
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_head_office", "country", "region", "city", "id"]
        verbose_name = _("point of presence")
        verbose_name_plural = _("points of presence")
        indexes = [models.Index(fields=["region", "client"], name="point_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(planned_date__isnull=False), name="point_planned_has_date"
            ),
            models.CheckConstraint(condition=date_in_range("planned_date"), name="point_planned_date_range"),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in [self.city, self.region or self.country] if part)


class Contact(QuickLoaded):
    """A person at the client, from the director to the cleaner."""

    class DecisionRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        USER = "user", _("User")
        GATEKEEPER = "gatekeeper", _("Gatekeeper")
        OTHER = "other", _("Other")

    class Attitude(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        NEUTRAL = "neutral", _("Neutral")
        OPPONENT = "opponent", _("Opponent")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True, validators=[validate_birthday])
    personal_notes = models.TextField(
        _("personal notes"),
        blank=True,
        help_text=_("Interests, family. Seen only by people with access to the card."),
    )
    decision_role = models.CharField(
        _("role in the decision group"),
        max_length=20,
        choices=DecisionRole.choices,
        default=DecisionRole.OTHER,
    )
    influence = models.PositiveSmallIntegerField(
        _("influence, %"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    attitude = models.CharField(
        _("attitude to us"), max_length=12, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    is_active = models.BooleanField(_("active"), default=True)
    known_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("known by our people"),
        blank=True,
        related_name="known_contacts",
        help_text=_("Which of our employees know this person."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "-influence", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(condition=Q(influence__lte=100), name="contact_influence_max_100"),
            models.CheckConstraint(condition=date_in_range("birthday"), name="contact_birthday_range"),
        ]
        indexes = [
            # The manager's day: the decision group's birthdays, probed client by client without
            # reading the contacts that have none.
            models.Index(
                fields=["client"],
                condition=Q(
                    is_active=True, decision_role__in=["decision_maker", "influencer"], birthday__isnull=False
                ),
                name="contact_birthday_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Touch(QuickLoaded):
    """A call, meeting, e-mail, event, congratulation or gift: one contact with the client."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        EVENT = "event", _("Event")
        CONGRATULATION = "congratulation", _("Congratulation")
        GIFT = "gift", _("Gift")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="touches")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.CALL)
    date = models.DateField(_("date"), validators=[validate_not_future])
    duration_minutes = models.PositiveIntegerField(
        _("duration, minutes"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("their people"), blank=True, related_name="touches"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our people"), blank=True, related_name="touches"
    )
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_date = models.DateField(
        _("next step by"), null=True, blank=True, validators=[validate_date_range]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        indexes = [
            models.Index(fields=["client", "-date"], name="touch_client_date_idx"),
            # The time split reads a month of everyone's touches.
            models.Index(fields=["date"], name="touch_date_idx"),
            # Each client's latest next step (the day's list, the client list's column): only the
            # touches that set one, newest first.
            models.Index(
                fields=["client", "-date", "-id"], condition=~Q(next_step=""), name="touch_next_step_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=date_in_range("date"), name="touch_date_range"),
            models.CheckConstraint(
                condition=date_in_range("next_step_date"), name="touch_next_step_date_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class Sale(QuickLoaded):
    """Our sales to a client: the document date, or the first of the month for monthly totals."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sales")
    product_group = models.ForeignKey(ProductGroup, on_delete=models.PROTECT, related_name="sales")
    date = models.DateField(_("date"), validators=[validate_date_range])
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    # The shipment or invoice number from the ERP: with the client, group and date it identifies
    # an imported row, so importing the same file twice adds nothing. Blank for monthly totals.
    document = models.CharField(_("document"), max_length=64, blank=True, default="", db_default="")
    # The import that created the row (an id of kam.imports' log, kept as a plain number so the
    # base app knows nothing above it): undoing that import deletes the rows it created.
    import_batch = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        indexes = [
            models.Index(fields=["client", "date"], name="sale_client_date_idx"),
            models.Index(fields=["date"], name="sale_date_idx"),
            models.Index(
                fields=["import_batch"], condition=Q(import_batch__isnull=False), name="sale_import_batch_idx"
            ),
        ]
        constraints = [models.CheckConstraint(condition=date_in_range("date"), name="sale_date_range")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.product_group_id} {self.date} {self.amount}"


class Refusal(models.Model):
    """A client's refusal to buy, with a reason from a fixed list (DOMAIN §10)."""

    class Reason(models.TextChoices):
        PRICE = "price", _("Price")
        QUALITY = "quality", _("Quality")
        SERVICE = "service", _("Service")
        DELIVERY = "delivery", _("Delivery")
        COMPETITOR = "competitor", _("Competitor")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="refusals")
    date = models.DateField(_("date"), validators=[validate_not_future])
    product_group = models.ForeignKey(
        ProductGroup, verbose_name=_("product group"), on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("refusal")
        verbose_name_plural = _("refusals")
        constraints = [models.CheckConstraint(condition=date_in_range("date"), name="refusal_date_range")]
        # The dashboard counts the refusals of the quarter under way by reason: an index-only range.
        indexes = [models.Index(fields=["date", "reason"], name="refusal_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.date}"


class ClientListColumns(models.Model):
    """The client-list columns a user picked, by name; until they pick, the defaults show."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="client_list_columns",
    )
    columns = models.JSONField(default=list)

    class Meta:
        verbose_name = _("client list columns")
        verbose_name_plural = _("client list columns")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.columns)}"


class ChoicesVersion(models.Model):
    """One row whose `version` the database changes, by triggers, with every change of what the
    client list's filters offer: the regions points are in, the industries, and the people the
    list filters by (users' names and activity, their roles, whom clients are assigned to), and
    the tier overrides its tier filter names (segmentation migration 0039).
    A process keeps the choices it read for the version it read with them
    (`accounts.filters.reference_choices`, `segmentation.segments.tiers.named_overrides`), and
    reads the version with the signed-in user on every request (`accounts.selectors.
    choices_version`): a query fewer than reading the choices each time on a list page, and
    another on a list filtered by tier.

    Each new version is random: a version a rolled-back change set is never taken for one a
    later change sets."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("filter choices version")
        verbose_name_plural = _("filter choices versions")

    def __str__(self) -> str:
        return str(self.version)
