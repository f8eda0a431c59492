"""Who is responsible for whom, changed in bulk: D-group routings and reassignments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Client
from segmentation.models.policy import DRouteKind


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


class LoadTally(models.Model):
    """Every manager's load (`workload.selectors.Load` per responsible manager) as last counted,
    and whether it is still true: one row, so a page reads all the loads in one query instead of
    grouping every client of the base.

    Database triggers (migration 0014) add one to `version` in the same transaction as any change
    that moves a load: a client inserted, deleted, given another responsible manager or status; a
    size class written; a key status changed. Whoever finds `kept_version` behind counts the loads
    again and keeps them, but only if nothing changed meanwhile (see `kept_loads`).
    """

    version = models.BigIntegerField(default=0)
    kept_version = models.BigIntegerField(default=-1)
    loads = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"loads v{self.version} (kept v{self.kept_version})"
