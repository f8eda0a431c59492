"""The key-list review: its snapshot of clients, the decisions and the action items."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Client
from segmentation.models.segments import Category, League, LostStatus, SizeClass, Tier


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
    # One more for each change of its items and action items (segmentation.reviews.services),
    # and for each item deleted (a client deleted takes its items: the database's trigger,
    # migration 0042): the version its page's cached table is kept under.
    version = models.PositiveIntegerField(default=0, editable=False)
    # How many clients it holds: its items, counted by the database as they come and go
    # (migration 0042).
    clients = models.PositiveIntegerField(_("clients"), default=0, editable=False)

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
