"""The imports' log, the header mappings remembered per source, and the staging of sales.

An import is one ImportRun: the uploaded file (kept under KAM_IMPORTS_ROOT until it is
committed or replaced), what was detected in it, the problems found, and the counts written.
Sales pass through SaleStage, merged into accounts.Sale in a few set-based statements: on the
portable path one row per file row; on PostgreSQL (kam.imports.sales_sql) only the rows that
match an existing sale, or every row of monthly totals. The last sales import's stage and the
rows a monthly import replaced (SaleReplaced) are kept so that import can be undone.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CLIENTS = "clients", _("Clients")
    SALES = "sales", _("Sales")
    REFUSALS = "refusals", _("Refusals")
    ESTIMATES = "estimates", _("Potential estimates")
    CONTACTS = "contacts", _("Contacts")
    POINTS = "points", _("Points of presence")


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, ready to import")
        IMPORTING = "importing", _("Being imported")
        INVALID = "invalid", _("Has problems")
        COMMITTED = "committed", _("Imported")
        UNDONE = "undone", _("Undone")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    monthly = models.BooleanField(_("monthly totals"), default=False)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # When the run was queued for the worker, then when the worker took it: its sign of life
    # until the first progress report.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="import_run_created_idx"),
            models.Index(fields=["created_by", "-created_at", "-id"], name="import_run_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:run", args=[self.pk])

    @property
    def in_background(self) -> bool:
        """Whether the worker has the run: queued, or being checked or imported."""
        return self.status in BACKGROUND


# The statuses of a run in the worker's hands (services.import_queue, import_background).
BACKGROUND = (ImportRun.Status.QUEUED, ImportRun.Status.CHECKING, ImportRun.Status.IMPORTING)


class HeaderMapping(models.Model):
    """Which field each header of a file means, remembered per kind and source: the name the user
    gave the source, or when they gave none the file's header row (its normalised hash)."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "source"], name="header_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.source}"


class SaleStage(models.Model):
    """One valid row of a sales file, before (and after) its merge into accounts.Sale (on
    PostgreSQL, a row that matched an existing sale, or a monthly total).

    `outcome` is what the merge did with it ("created", "updated", "unchanged"); for an update by
    document `sale` names the matched sale and `old_amount` its amount before. The run is not a
    database constraint: a million staged rows would each queue a deferred check to the one run
    (Django still deletes the stage with its run).
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    row = models.PositiveIntegerField()
    client_id = models.BigIntegerField()
    product_group_id = models.BigIntegerField()
    date = models.DateField()
    until = models.DateField(null=True)
    document = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    sale_id = models.BigIntegerField(null=True)
    old_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    outcome = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "outcome"], name="sale_stage_run_idx")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.row}"


class SaleReplaced(models.Model):
    """A sale a monthly-totals import deleted because its month was replaced (kept for undo)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    client_id = models.BigIntegerField()
    product_group_id = models.BigIntegerField()
    date = models.DateField()
    document = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    import_batch = models.PositiveBigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run"], name="sale_replaced_run_idx")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.client_id}:{self.date}"
