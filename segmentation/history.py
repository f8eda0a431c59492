"""What segmentation adds to the card's history tab (see `accounts.extensions.HistorySource`):
key status decisions, tier overrides, potential estimates, and segment changes with their run."""

from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import HISTORY_PAGE_SIZE, AuditEntry, FieldChange, TrackedModel
from accounts.extensions import HistorySource
from accounts.models import Client, ProductGroup
from kam.http import AuthenticatedHttpRequest
from kam.money import money
from kam.prepared import Ids, Prepared
from segmentation.keys.words import reason_labels
from segmentation.models import DRoute, KeyStatus, NightlyRun, PotentialEstimate, SegmentChange, TierOverride
from segmentation.notifications.words import value_label

SEES_RUNS = "segmentation.manage_policy"


def _key_action(row: Any, before: Any) -> str | None:
    """Granted and revoked say what happened; a change of a candidate's marks is its own verb."""
    was_key = before is not None and before.is_key and before.history_type != "-"
    if row.is_key and not was_key:
        return _("granted")
    if was_key and not row.is_key:
        return _("revoked")
    return None if row.is_key else _("strategic marks changed")


def _override_action(row: Any, before: Any) -> str:
    return {"+": _("set"), "~": _("changed"), "-": _("cleared")}[row.history_type]


def _estimate_action(row: Any, before: Any) -> str:
    return {"+": _("added"), "~": _("changed"), "-": _("deleted")}[row.history_type]


def _product_group(row: Any, names: Any) -> str:
    return names.lookup(ProductGroup, row.product_group_id)


def _reasons(value: Any) -> str:
    return ", ".join(reason_labels(value or [])) or "—"


KEY_STATUS = TrackedModel(
    KeyStatus,
    "client_id",
    gettext_lazy("Key status"),
    action=_key_action,
    values={"reasons": _reasons},
    hidden=("decided_by",),
)
TIER_OVERRIDE = TrackedModel(
    TierOverride, "client_id", gettext_lazy("Tier override"), action=_override_action, hidden=("decided_by",)
)
ESTIMATE = TrackedModel(
    PotentialEstimate,
    "client_id",
    gettext_lazy("Potential estimate"),
    describe=_product_group,
    action=_estimate_action,
    values={"amount": lambda value: money(value) if value is not None else "—"},
)


D_ROUTE = TrackedModel(
    DRoute, "client_id", gettext_lazy("D route"), action=_override_action, hidden=("batch",)
)


def _tracked(tracked: TrackedModel) -> Any:
    def entries(
        request: AuthenticatedHttpRequest, client: Client, before: datetime | None, limit: int
    ) -> list[AuditEntry]:
        return tracked.entries(client, before, limit)

    return entries


def _runs(client: int, before: datetime | None) -> QuerySet[NightlyRun]:
    """The nightly runs that changed the client's segments, before `before` (all when None)."""
    changed = SegmentChange.objects.filter(run=OuterRef("pk"), client_id=client)
    runs = NightlyRun.objects.filter(Exists(changed))
    return runs.filter(started_at__lt=before) if before is not None else runs


_LATEST_RUNS = Prepared(lambda client: _runs(client, None).order_by("-started_at", "-pk")[:HISTORY_PAGE_SIZE])
_CHANGES = Prepared(
    lambda client, runs: SegmentChange.objects.filter(client_id=client, run__any=runs).order_by(
        "run_id", "kind"
    )
)


def segment_change_dates(client: Client, before: datetime | None) -> Any:
    return _runs(client.pk, before).order_by().values(at=F("started_at"))


def segment_changes(
    request: AuthenticatedHttpRequest, client: Client, before: datetime | None, limit: int
) -> list[AuditEntry]:
    """The client's segment changes, one entry per nightly run, linked to the run in the runs log
    for those who may read it. Two queries: the runs, then their changes of this client."""
    if before is None and limit <= HISTORY_PAGE_SIZE:  # the first page: from a prepared query
        found = _LATEST_RUNS(client.pk)[:limit]
    else:
        found = list(_runs(client.pk, before).order_by("-started_at", "-pk")[:limit])
    changes: dict[int, list[FieldChange]] = {run.pk: [] for run in found}
    labels = dict(SegmentChange.Kind.choices)
    for change in _CHANGES(client.pk, Ids(run.pk for run in found)) if found else ():
        old, new = value_label(change.kind, change.old), value_label(change.kind, change.new)
        changes[change.run_id].append(FieldChange(str(labels[change.kind]), old, new))
    log = reverse("segmentation:run_list") if request.user.has_perm(SEES_RUNS) else ""
    return [_run_entry(run, changes[run.pk], log) for run in found]


def _run_entry(run: NightlyRun, changes: list[FieldChange], log: str) -> AuditEntry:
    subject = _("Segments: nightly run of %(date)s") % {
        "date": formats.date_format(run.run_on, "SHORT_DATE_FORMAT")
    }
    return AuditEntry(
        at=run.started_at,
        user=None,
        subject=subject,
        action=_("recomputed"),
        changes=changes,
        link=f"{log}#run-{run.pk}" if log else "",
    )


SOURCES = [
    HistorySource("key_status", _tracked(KEY_STATUS), KEY_STATUS.dates),
    HistorySource("tier_override", _tracked(TIER_OVERRIDE), TIER_OVERRIDE.dates),
    HistorySource("estimates", _tracked(ESTIMATE), ESTIMATE.dates),
    HistorySource("segment_changes", segment_changes, segment_change_dates),
    HistorySource("d_route", _tracked(D_ROUTE), D_ROUTE.dates),
]
