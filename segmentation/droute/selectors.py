"""Reads for D-group routing (DOMAIN §5): the policy's route, what a selection of clients would
become, and the batches applied so far.

Every figure is an aggregate over the whole selection, so a preview of 100,000 clients costs
the same few queries as one of a single client.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import Client
from kam.users.models import AnyUser, User
from segmentation.models import Category, DRouteBatch, DRouteBatchItem, DRouteKind, Policy

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Route:
    """The route the policy names for D clients, with its employee or partner."""

    kind: str
    employee: User | None
    partner: str

    @property
    def label(self) -> str:
        return str(DRouteKind(self.kind).label)

    @property
    def named(self) -> str:
        """Who the clients go to, where the route names someone."""
        if self.kind == DRouteKind.EMPLOYEE and self.employee is not None:
            return str(self.employee)
        return self.partner if self.kind == DRouteKind.PARTNER else ""

    def __str__(self) -> str:
        return f"{self.label}: {self.named}" if self.named else self.label


def policy_route(policy: Policy) -> Route | None:
    """The policy's route, or None while it names none or misses the employee or partner it needs."""
    kind = policy.d_route
    employee = policy.d_route_employee if kind == DRouteKind.EMPLOYEE else None
    partner = policy.d_route_partner.strip() if kind == DRouteKind.PARTNER else ""
    if not kind or (kind == DRouteKind.EMPLOYEE and (employee is None or not employee.is_active)):
        return None
    if kind == DRouteKind.PARTNER and not partner:
        return None
    return Route(kind, employee, partner)


def route_missing(user: AnyUser) -> SafeString:
    """Why nothing can be routed yet, with the way to the policy for those who may change it."""
    text = _("The policy names no route for D clients yet (or the employee or partner it needs).")
    if user.has_perm("segmentation.manage_policy"):
        return format_html(
            '{} <a href="{}#div_id_d_route">{}</a>',
            text,
            reverse("segmentation:policy"),
            _("Choose it on the policy page."),
        )
    return format_html("{} {}", text, _("An admin chooses it on the policy page."))


def is_d() -> Q:
    return Q(segment__category=Category.D)


def already_routed(route: Route) -> Q:
    """Clients already on `route`: routing them again would change nothing."""
    same = Q(d_route__route=route.kind, d_route__partner=route.partner)
    if route.kind == DRouteKind.EMPLOYEE:
        same &= Q(responsible_manager=route.employee)
    return same


def routable(route: Route) -> Q:
    return is_d() & ~already_routed(route)


@dataclass
class Preview:
    """What applying `route` to a selection would do.

    `asked` is how many clients were ticked (None for "all matching"), `found` how many of them
    the user sees; of those, `not_d` are not in category D and `already` are on the route
    already, and `routed` would move. `token` fingerprints all of it, so an apply can tell
    that the selection or the route changed since the preview.
    """

    route: Route | None
    asked: int | None
    found: int
    not_d: int
    already: int
    routed: int
    by_manager: list[tuple[User | None, int]]
    sample: list[Client]
    token: str

    @property
    def d(self) -> int:
        return self.found - self.not_d

    @property
    def missing(self) -> int:
        return (self.asked - self.found) if self.asked is not None else 0

    @property
    def left_out(self) -> int:
        return self.missing + self.not_d + self.already


def preview(
    selection: QuerySet[Client], route: Route | None, *, asked: int | None, details: bool = True
) -> Preview:
    """The preview of routing `selection`: counts in one aggregate query and, with `details`,
    the current managers of the clients that would move (two) and the first of them by name (one)."""
    figures = _figures(selection, route)
    moving = selection.filter(routable(route)) if route else selection.none()
    details = details and bool(figures["routed"])
    by_manager = _by_manager(moving) if details else []
    sample = (
        list(moving.select_related("responsible_manager").order_by("name", "pk")[:SAMPLE_SIZE])
        if details
        else []
    )
    return Preview(
        route=route,
        asked=asked,
        found=figures["found"],
        not_d=figures["found"] - figures["d"],
        already=figures["already"],
        routed=figures["routed"],
        by_manager=by_manager,
        sample=sample,
        token=_token(route, figures),
    )


def _figures(selection: QuerySet[Client], route: Route | None) -> dict[str, Any]:
    counts: dict[str, Any] = {"found": Count("pk"), "d": Count("pk", filter=is_d())}
    if route is not None:
        counts["already"] = Count("pk", filter=is_d() & already_routed(route))
        counts["ids"] = Sum("pk", filter=routable(route))
        counts["managers"] = Sum("responsible_manager_id", filter=routable(route))
    figures = selection.order_by().aggregate(**counts)
    figures.setdefault("already", 0)
    figures["routed"] = figures["d"] - figures["already"] if route is not None else 0
    return figures


def _by_manager(moving: QuerySet[Client]) -> list[tuple[User | None, int]]:
    rows = list(
        moving.order_by()
        .values("responsible_manager")
        .annotate(clients=Count("pk"))
        .order_by("-clients", "responsible_manager")
    )
    users = User.objects.in_bulk([row["responsible_manager"] for row in rows if row["responsible_manager"]])
    return [(users.get(row["responsible_manager"]), row["clients"]) for row in rows]


def _token(route: Route | None, figures: dict[str, Any]) -> str:
    """A fingerprint of the route and the selection's figures; the sums of the moving clients'
    ids and managers change when a client joins, leaves or changes hands."""
    parts = [
        route.kind if route else "",
        route.employee.pk if route and route.employee else "",
        route.partner if route else "",
        *(figures.get(name) or 0 for name in ("found", "d", "already", "ids", "managers")),
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def batch_route(batch: DRouteBatch) -> Route:
    return Route(batch.route, batch.employee, batch.partner)


def batches() -> QuerySet[DRouteBatch]:
    return DRouteBatch.objects.select_related("applied_by", "employee", "reversed_by")


def unchanged_items(batch: DRouteBatch) -> QuerySet[DRouteBatchItem]:
    """The batch's clients still as it left them: their route mark is the batch's and, for the
    employee route, the employee is still responsible. Only these are restored by a reversal."""
    items = batch.items.filter(client__d_route__batch=batch)
    if batch.route == DRouteKind.EMPLOYEE:
        items = items.filter(client__responsible_manager=batch.employee_id)
    return items


def batch_summary(batch: DRouteBatch) -> dict[str, Any]:
    """The batch's clients by the manager they had before it, and how many a reversal would
    restore now (three queries)."""
    rows = list(
        batch.items.order_by().values("previous_manager").annotate(clients=Count("pk")).order_by("-clients")
    )
    users = User.objects.in_bulk([row["previous_manager"] for row in rows if row["previous_manager"]])
    reversible = 0 if batch.reversed_at else unchanged_items(batch).count()
    return {
        "by_manager": [(users.get(row["previous_manager"]), row["clients"]) for row in rows],
        "reversible": reversible,
        "changed": batch.clients - reversible,
    }
