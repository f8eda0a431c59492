"""What segmentation adds to the client card and the client list (see `accounts.extensions`):
the Potential tab, the segments panel on the overview, and the segment columns and filters."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.extensions import CardPanel, CardTab, ListAction, ListColumn, ListFilter
from accounts.models import Client
from kam import fragments
from kam.cells import DASH, DASH_END, esc, figure_end, gettext, label, whole
from kam.http import AuthenticatedHttpRequest
from kam.money import currency
from kam.users import extensions as users_extensions
from kam.users.extensions import Handover
from kam.users.models import User
from segmentation import history
from segmentation.cells import category_badge, tier_badge
from segmentation.keys import filters as key_filters
from segmentation.models import Category, DRouteKind, KeyStatus, LostStatus, Policy, Tier, TierOverride
from segmentation.notifications import selectors as notifications
from segmentation.radar import filters as radar_filters
from segmentation.segments import filters
from segmentation.segments.selectors import DECISIONS, has_decisions, segment_panel, with_decisions
from segmentation.segments.totals import (
    POLICY_VERSION,
    Totals,
    policy_and_totals,
    policy_version_of_signed_in,
)
from segmentation.workload.selectors import kept_loads

AMOUNT: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=18, decimal_places=2)


def in_currency(label: str | Promise) -> str | Promise:
    """A column header that names the currency, so the figures below need not repeat it."""
    return format_lazy("{}, {}", label, lazy(currency, str)())


def card_decisions(request: HttpRequest, client: Client) -> Client | None:
    """The client with its segments and the decisions on it, for every card panel that shows them
    (the segments panel, the plans' suggestion): the client itself where the overview read them
    with it (the panel's `related`), else read once a request."""
    if has_decisions(client):
        return client
    read: dict[int, Client | None] = vars(request).setdefault("_card_decisions", {})
    if client.pk not in read:
        read[client.pk] = with_decisions(client)
    return read[client.pk]


PANEL = "segmentation/_segment_panel.html"
PANEL_ON_CARD = "segmentation/_segment_panel_card.html"  # the panel as `segments_panel` drew it


def segments_panel(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    """The segments panel drawn, kept (`kam.fragments`) by everything it shows: the client's
    segment, tier override and key status with who decided, the run's totals (its ranks and
    shares), the policy, the day and whether the user may decide. Drawn each time: a client
    the nightly run has not seen, one with an expansion alert (its planned points change between
    runs) and any before a run has kept its totals."""
    loaded = card_decisions(request, client)
    user, today = request.user, timezone.localdate()

    def draw(totals: Totals | None = None, policy: Policy | None = None) -> str:
        panel = segment_panel(client, user=user, today=today, totals=totals, policy=policy, loaded=loaded)
        return render_to_string(PANEL, {"segments": panel, "client": client})

    segment = getattr(loaded, "segment", None)
    if segment is None or segment.expansion_points:
        return {"segment_panel": SafeString(draw())}
    policy, totals = policy_and_totals(user)
    if totals.run is None:
        return {"segment_panel": SafeString(draw(totals, policy))}
    override, key = getattr(loaded, "tier_override", None), getattr(loaded, "key_status", None)
    shown = (
        client.pk,
        totals,
        policy.version(),
        today,
        user.has_perm("segmentation.decide_for_client", client),
        _version(segment),
        _version(override),
        str(override.decided_by) if override is not None else "",
        _version(key),
        str(key.decided_by) if key is not None else "",
    )
    return {"segment_panel": fragments.cached("segment-panel", *shown, render=lambda: draw(totals, policy))}


def _version(row: Model | None) -> tuple[object, ...]:
    """Every field's value of a row (None: no row)."""
    return () if row is None else tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)


def register() -> None:
    extensions.register_tab(CardTab("potential", _("Potential"), "segmentation:potential", 70))
    extensions.register_panel(CardPanel("segments", PANEL_ON_CARD, segments_panel, 10, related=DECISIONS))
    for column in COLUMNS:
        extensions.register_column(column)
    for list_filter in FILTERS:
        extensions.register_filter(list_filter)
    for source in history.SOURCES:
        extensions.register_history_source(source)
    extensions.register_action(ROUTE_D)
    extensions.register_action(MOVE)
    extensions.register_client_move(move_url)
    users_extensions.register_handover(handover)
    users_extensions.register_client_counts(active_client_counts)
    users_extensions.register_read_with(notifications.UNREAD, notifications.unread_of_signed_in)
    users_extensions.register_read_with(POLICY_VERSION, policy_version_of_signed_in)


def _sorted_by(field: str) -> Callable[[], dict[str, Any]]:
    """A segment figure to sort by; clients the nightly run has not seen yet come last."""

    def annotate() -> dict[str, Any]:
        return {f"{field}_sort": Coalesce(f"segment__{field}", Value(Decimal(-1)), output_field=AMOUNT)}

    return annotate


def _split_by(field: str) -> Callable[[QuerySet[Client]], list[QuerySet[Client]]]:
    """The list sorted by a segment figure, in two parts the pager reads one after the other:
    the clients without the figure (-1, below any figure), in pk order, and those with it, in
    the order of its index on the segments. One query on the COALESCE would sort every client
    to show 50; sorted biggest first, the clients without it are read only on the last pages."""

    def split(rows: QuerySet[Client]) -> list[QuerySet[Client]]:
        known = Q(**{f"segment__{field}__isnull": False})
        return [
            rows.filter(Q(segment__isnull=True) | Q(**{f"segment__{field}__isnull": True})).annotate(
                **{f"{field}_sort": Value(Decimal(-1), output_field=AMOUNT)}
            ),
            rows.filter(known).annotate(**{f"{field}_sort": F(f"segment__{field}")}),
        ]

    return split


def _segment(client: Any) -> Any:
    """The client's segment as the list fetched it, None before the first nightly run."""
    return getattr(client, "segment", None)


def _segment_value(field: str) -> Callable[[Any], Any]:
    def value(client: Any) -> Any:
        segment = _segment(client)
        return getattr(segment, field) if segment is not None else None

    return value


# The list reads the override and the key flag as values of its one query: a client without
# an override or a key status would otherwise fail a template lookup on every row.
# A director's decisions are read per row, not joined: a page's fifty rows by pk probe each
# table's key, where the plan of the rows for any pks (`kam.prepared`) hashed every row of it.
def _override_tier() -> dict[str, Any]:
    return {"override_tier": Subquery(TierOverride.objects.filter(client=OuterRef("pk")).values("tier"))}


def _is_key() -> dict[str, Any]:
    is_key = Subquery(KeyStatus.objects.filter(client=OuterRef("pk")).values("is_key"))
    return {"is_key_now": Coalesce(is_key, Value(False))}


# The export reads labels through kam.cells.label: a model's get_..._display() re-hashes its
# choices (every label translated) on each call, a second per column at 100,000 rows.
def _tier(client: Any) -> str:
    segment = _segment(client)
    if client.override_tier:
        return label(Tier, client.override_tier)
    return label(Tier, segment.tier) if segment is not None else ""


def _key(client: Any) -> str:
    return gettext("key") if client.is_key_now else ""


def _purchases(client: Any) -> str:
    segment = _segment(client)
    return label(LostStatus, segment.lost_status) if segment is not None else ""


def _d_route(client: Any) -> str:
    route = getattr(client, "d_route", None)
    if route is None:
        return ""
    kind = label(DRouteKind, route.route)
    return f"{kind}: {route.partner}" if route.partner else kind


# Cells (see kam.cells)

LOST_BADGES: dict[str, str] = {
    LostStatus.AT_RISK: "text-bg-warning",
    LostStatus.LOST: "text-bg-danger",
    LostStatus.WON_BACK: "text-bg-success",
}


def category_cell(client: Any) -> SafeString:
    segment = _segment(client)
    return SafeString(category_badge(segment.category if segment is not None else ""))


def tier_cell(client: Any) -> SafeString:
    if client.override_tier:
        mark = f'<span class="text-muted small" title="{esc(gettext("Set by a director"))}"> *</span>'
        return SafeString(tier_badge(client.override_tier) + mark)
    segment = _segment(client)
    return SafeString(tier_badge(segment.tier)) if segment is not None else DASH


def key_cell(client: Any) -> SafeString:
    if client.is_key_now:
        return SafeString(f'<span class="badge text-bg-primary">{esc(gettext("key"))}</span>')
    return SafeString("")


def _figure_cell(field: str) -> Callable[[Any], SafeString]:
    def cell(client: Any) -> SafeString:
        segment = _segment(client)
        return figure_end(getattr(segment, field) if segment is not None else None)

    return cell


def wallet_cell(client: Any) -> SafeString:
    segment = _segment(client)
    if segment is None or segment.wallet_share is None:
        return DASH_END
    return SafeString(f'<span class="d-block text-end">{esc(whole(segment.wallet_share))}%</span>')


def purchases_cell(client: Any) -> SafeString:
    segment = _segment(client)
    if segment is None:
        return DASH
    badge = LOST_BADGES.get(segment.lost_status)
    if badge is None:
        return SafeString("")
    return SafeString(f'<span class="badge {badge}">{esc(label(LostStatus, segment.lost_status))}</span>')


def d_route_cell(client: Any) -> SafeString:
    route = getattr(client, "d_route", None)
    if route is None:
        return DASH
    label = esc(route.get_route_display())
    return SafeString(f"{label}: {esc(route.partner)}" if route.partner else label)


COLUMNS = [
    ListColumn(
        "category",
        _("Category"),
        category_cell,
        50,
        title=_("ABCD category"),
        related=("segment",),
        reads=("segment__category",),
        value=_segment_value("category"),
    ),
    ListColumn(
        "tier",
        _("Tier"),
        tier_cell,
        60,
        related=("segment",),
        reads=("segment__tier",),
        annotate=_override_tier,
        value=_tier,
    ),
    ListColumn("key", _("Key"), key_cell, 70, annotate=_is_key, value=_key),
    ListColumn(
        "potential",
        in_currency(_("Potential")),
        _figure_cell("potential"),
        80,
        title=_("Estimated yearly purchases from all suppliers"),
        related=("segment",),
        reads=("segment__potential",),
        annotate=_sorted_by("potential"),
        sort="potential_sort",
        sort_parts=_split_by("potential"),
        value=_segment_value("potential"),
        descending_first=True,
    ),
    ListColumn(
        "revenue",
        in_currency(_("Revenue")),
        _figure_cell("revenue"),
        90,
        title=_("Our sales over the last 12 months, as of the nightly run"),
        related=("segment",),
        reads=("segment__revenue",),
        annotate=_sorted_by("revenue"),
        sort="revenue_sort",
        sort_parts=_split_by("revenue"),
        value=_segment_value("revenue"),
        descending_first=True,
    ),
    ListColumn(
        "wallet",
        _("Share of wallet"),
        wallet_cell,
        100,
        title=_("Our share of the client's estimated purchases"),
        related=("segment",),
        reads=("segment__wallet_share",),
        annotate=_sorted_by("wallet_share"),
        sort="wallet_share_sort",
        sort_parts=_split_by("wallet_share"),
        value=_segment_value("wallet_share"),
    ),
    ListColumn(
        "purchases",
        _("Purchases"),
        purchases_cell,
        110,
        related=("segment",),
        reads=("segment__lost_status",),
        value=_purchases,
    ),
    ListColumn(
        "d_route",
        _("D route"),
        d_route_cell,
        115,
        title=_("How a D client is served, as the last D-group routing set it"),
        related=("d_route",),
        reads=("d_route__route", "d_route__partner"),
        shown=False,
        value=_d_route,
    ),
]

FILTERS = [
    ListFilter("category", filters.category, 10, by_value=True),
    ListFilter("tier", filters.tier, 20, by_value=True),
    ListFilter("league", filters.league, 30, by_value=True),
    ListFilter("size", filters.size, 40, by_value=True),
    ListFilter("purchases", filters.purchases, 50, by_value=True),
    ListFilter("key", key_filters.key_status, 60, by_value=True),
    ListFilter("flag", radar_filters.flag, 70),
    ListFilter("run", filters.moved_in_run, 80),
    ListFilter("moved", filters.moved_kind, 90),
]

# D-group routing (DOMAIN §5): offered on the list filtered to category D.
ROUTE_D = ListAction(
    "d_route",
    _("Route D clients"),
    "segmentation:d_route_preview",
    "accounts.assign_client",
    10,
    applies=lambda filters: filters.get("category") == Category.D,
)

# Moving clients to another manager (DOMAIN §9): offered on every list, to those who may.
MOVE = ListAction("move", _("Move to another manager"), "segmentation:reassign", "accounts.assign_client", 20)


def move_url(client_pk: int, manager_pk: int | None) -> str:
    """The move page for one client from its card, with the new manager chosen there, if any."""
    query = f"client={client_pk}" + (f"&to={manager_pk}" if manager_pk else "")
    return f"{reverse('segmentation:reassign')}?{query}"


def active_client_counts() -> dict[int, int]:
    """Every manager's active clients, from the loads the workload board keeps."""
    return {manager: load.clients for manager, load in kept_loads().items() if manager is not None}


def handover(user: User) -> Handover:
    """A user's active clients and the page that hands them over when they leave."""
    count = Client.objects.filter(responsible_manager=user).exclude(status=Client.Status.INACTIVE).count()
    return Handover(clients=count, url=reverse("segmentation:manager_leave", args=[user.pk]))
