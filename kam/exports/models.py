"""The exports built on the worker: a list too large to build in the request is recorded as an
ExportRun (whose list, with which filters, in which language), built by a Celery task as its
user, and kept in the default storage under exports/ for KAM_EXPORT_KEEP_DAYS days."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ExportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class Failure(models.TextChoices):
        """Why a run failed; each label is what its page says."""

        ERROR = (
            "error",
            _(
                "The server failed while building this file. Export the list again; if it fails again, "
                "tell your administrator."
            ),
        )
        QUEUE_DOWN = (
            "queue_down",
            _("The task queue is unreachable, so this file was not built. Export the list again later."),
        )
        NOT_TAKEN = (
            "not_taken",
            _(
                "No worker took this export in time, so the file was not built. Export the list again; "
                "if it happens again, the task queue's workers are down."
            ),
        )
        ABANDONED = (
            "abandoned",
            _("The worker building this file stopped without finishing. Export the list again."),
        )
        REFUSED = "refused", _("You may no longer export this list, so the file was not built.")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.CASCADE, related_name="+"
    )
    # The export's URL name and query string: the task calls that view with them.
    url_name = models.CharField(max_length=100)
    query = models.TextField(blank=True)
    language = models.CharField(max_length=10)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to="exports/", blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(max_length=16, choices=Failure.choices, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["created_by", "-created_at", "-id"], name="export_run_user_idx"),
            models.Index(fields=["status", "finished_at"], name="export_run_status_idx"),
        ]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("exports:run", args=[self.pk])

    @property
    def in_background(self) -> bool:
        """Whether the worker has the run: queued, or being built."""
        return self.status in BACKGROUND


BACKGROUND = (ExportRun.Status.QUEUED, ExportRun.Status.BUILDING)
