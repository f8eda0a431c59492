"""Django admin for segmentation: a back office, not the everyday screens.

What the nightly engine computes, and the decisions whose rules the app's own pages
enforce (key status, tier overrides), are read-only here: editing them in the admin
would bypass the cap and the required reasons.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from segmentation.models import (
    ClientSegment,
    KeyStatus,
    NightlyRun,
    Notification,
    Policy,
    PotentialEstimate,
    SegmentChange,
    TierOverride,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and viewable; never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Read-only, with the audit history one click away."""


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    """The single policy row; the app's policy page validates the same values more strictly."""

    list_display = ["__str__", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Policy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "run_on", "status", "trigger", "clients", "changes"]
    list_filter = ["status"]
    date_hierarchy = "started_at"


@admin.register(SegmentChange)
class SegmentChangeAdmin(ReadOnlyAdmin):
    list_display = ["run", "client", "kind", "old", "new"]
    list_filter = ["kind"]
    list_select_related = ["run", "client"]
    search_fields = ["client__name", "^client__inn"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "change", "read_at", "emailed_at"]
    list_select_related = ["user", "change"]
    search_fields = ["user__username", "change__client__name"]
    raw_id_fields = ["user", "change"]
    date_hierarchy = "created_at"


@admin.register(PotentialEstimate)
class PotentialEstimateAdmin(SimpleHistoryAdmin):
    list_display = ["client", "product_group", "amount", "source", "estimated_on", "author"]
    list_filter = ["source", "product_group"]
    list_select_related = ["client", "product_group", "author"]
    search_fields = ["client__name", "^client__inn"]
    autocomplete_fields = ["client"]
    raw_id_fields = ["author"]
    date_hierarchy = "estimated_on"


@admin.register(KeyStatus)
class KeyStatusAdmin(ReadOnlyHistoryAdmin):
    list_display = ["client", "is_key", "reasons", "decided_by", "decided_at"]
    list_filter = ["is_key"]
    list_select_related = ["client", "decided_by"]
    search_fields = ["client__name", "^client__inn"]


@admin.register(TierOverride)
class TierOverrideAdmin(ReadOnlyHistoryAdmin):
    list_display = ["client", "tier", "reason", "decided_by", "decided_at"]
    list_filter = ["tier"]
    list_select_related = ["client", "decided_by"]
    search_fields = ["client__name", "^client__inn"]


@admin.register(ClientSegment)
class ClientSegmentAdmin(ReadOnlyAdmin):
    list_display = ["client", "category", "tier", "league", "size_class", "lost_status", "revenue"]
    list_filter = ["category", "tier", "league", "size_class", "lost_status"]
    list_select_related = ["client"]
    search_fields = ["client__name", "^client__inn"]
