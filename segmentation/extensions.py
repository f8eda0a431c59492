"""What segmentation adds to the client card and the client list (see `accounts.extensions`):
the Potential tab, the segments panel on the overview, and the segment columns and filters."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.extensions import CardPanel, CardTab, ListColumn, ListFilter
from accounts.models import Client
from kam.http import AuthenticatedHttpRequest
from segmentation.keys import filters as key_filters
from segmentation.segments import filters
from segmentation.segments.selectors import segment_panel


def segments_panel(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    return {"segments": segment_panel(client, user=request.user, today=timezone.localdate())}


def register() -> None:
    extensions.register_tab(CardTab("potential", _("Potential"), "segmentation:potential", 70))
    extensions.register_panel(CardPanel("segments", "segmentation/_segment_panel.html", segments_panel, 10))
    for column in COLUMNS:
        extensions.register_column(column)
    for list_filter in FILTERS:
        extensions.register_filter(list_filter)


COLUMNS = [
    ListColumn(
        "category",
        _("Category"),
        "segmentation/cells/category.html",
        10,
        title=_("ABCD category"),
        related=("segment",),
    ),
    ListColumn("tier", _("Tier"), "segmentation/cells/tier.html", 20, related=("segment", "tier_override")),
    ListColumn("key", _("Key"), "segmentation/cells/key.html", 30, related=("key_status",)),
    ListColumn("purchases", _("Purchases"), "segmentation/cells/purchases.html", 40, related=("segment",)),
]

FILTERS = [
    ListFilter("category", filters.category, 10),
    ListFilter("tier", filters.tier, 20),
    ListFilter("league", filters.league, 30),
    ListFilter("size", filters.size, 40),
    ListFilter("purchases", filters.purchases, 50),
    ListFilter("key", key_filters.key_status, 60),
]
