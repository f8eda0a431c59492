"""The dashboard's Chart.js configs, passed to the page through `json_script` and drawn by
`static/js/app.js` (every `<canvas data-chart>`). Plain JSON: no callbacks, so no inline code
and the Content-Security-Policy stays strict. Labels are translated here, numbers are grouped
by Chart.js in the page's language."""

from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts.models import Refusal
from accounts.selectors import PALETTE
from segmentation.dashboard.selectors import MonthCount, Pareto, Slice

CLIENTS_COLOUR = "#adb5bd"
TIER_COLOURS = {"gold": "#ffc107", "silver": "#adb5bd", "bronze": "#b87333"}
AT_RISK_COLOUR = "#fd7e14"
LOST_COLOUR = "#dc3545"
POLICY_COLOUR = "#dc3545"


def _options(**scales: Any) -> dict[str, Any]:
    return {
        "responsive": True,
        "maintainAspectRatio": False,
        "animation": False,
        "locale": translation.get_language(),
        "scales": scales,
    }


def _axis(title: str, **more: Any) -> dict[str, Any]:
    return {"beginAtZero": True, "title": {"display": True, "text": title}, **more}


def _percent_axis(title: str) -> dict[str, Any]:
    return _axis(title, type="linear", max=100)


def abcd(matrix: dict[str, Slice]) -> dict[str, Any]:
    """Each category's share of the clients beside its share of the revenue."""
    slices = list(matrix.values())
    clients = sum(s.clients for s in slices) or 1
    revenue = sum(s.revenue for s in slices) or 1
    return {
        "type": "bar",
        "data": {
            "labels": [str(s.label) for s in slices],
            "datasets": [
                {
                    "label": _("Share of clients, %"),
                    "data": [round(s.clients * 100 / clients, 1) for s in slices],
                    "backgroundColor": CLIENTS_COLOUR,
                },
                {
                    "label": _("Share of revenue, %"),
                    "data": [round(float(s.revenue * 100 / revenue), 1) for s in slices],
                    "backgroundColor": PALETTE[0],
                },
            ],
        },
        "options": _options(y=_percent_axis("%")),
    }


def horizontal_bars(slices: list[Slice], colours: dict[str, str] | None = None) -> dict[str, Any]:
    """One bar per slice, the first at the top: the tiers, and the league pyramid."""
    colours = colours or {}
    config: dict[str, Any] = {
        "type": "bar",
        "data": {
            "labels": [str(s.label) for s in slices],
            "datasets": [
                {
                    "label": _("Clients"),
                    "data": [s.clients for s in slices],
                    "backgroundColor": [colours.get(s.value, PALETTE[0]) for s in slices],
                }
            ],
        },
        "options": _options(x=_axis(_("Clients"), ticks={"precision": 0})),
    }
    config["options"] |= {"indexAxis": "y", "plugins": {"legend": {"display": False}}}
    return config


def pareto(curve: Pareto, policy_share: float) -> dict[str, Any]:
    """The cumulative share of revenue against the share of clients, from the origin, with
    the policy's "buys a lot" share as a dashed horizontal line."""
    points = [{"x": 0, "y": 0}, *({"x": p.clients_share, "y": p.revenue_share} for p in curve.points)]
    line = [{"x": 0, "y": policy_share}, {"x": 100, "y": policy_share}]
    return {
        "type": "scatter",
        "data": {
            "datasets": [
                {
                    "label": _("Share of revenue"),
                    "data": points,
                    "showLine": True,
                    "pointRadius": 0,
                    "borderColor": PALETTE[0],
                    "backgroundColor": PALETTE[0],
                },
                {
                    "label": _("Policy: “buys a lot” share"),
                    "data": line,
                    "showLine": True,
                    "pointRadius": 0,
                    "borderDash": [6, 4],
                    "borderColor": POLICY_COLOUR,
                    "backgroundColor": POLICY_COLOUR,
                },
            ]
        },
        "options": _options(
            x=_percent_axis(_("Share of clients with revenue, %")), y=_percent_axis(_("Share of revenue, %"))
        ),
    }


def at_risk_and_lost(months: list[MonthCount]) -> dict[str, Any]:
    return {
        "type": "bar",
        "data": {
            "labels": [formats.date_format(m.month, "m.Y") for m in months],
            "datasets": [
                {
                    "label": _("Became at risk"),
                    "data": [m.at_risk for m in months],
                    "backgroundColor": AT_RISK_COLOUR,
                },
                {"label": _("Became lost"), "data": [m.lost for m in months], "backgroundColor": LOST_COLOUR},
            ],
        },
        "options": _options(y=_axis(_("Clients"), ticks={"precision": 0})),
    }


def refusals(by_quarter: dict[str, Any]) -> dict[str, Any]:
    """Refusals per quarter (oldest on the left), stacked by reason."""
    quarters = list(reversed(by_quarter["quarters"]))
    reasons: list[Refusal.Reason] = by_quarter["reasons"]
    return {
        "type": "bar",
        "data": {
            "labels": [quarter_label(q) for q in quarters],
            "datasets": [
                {
                    "label": str(reason.label),
                    "data": [q["counts"][i] for q in quarters],
                    "backgroundColor": PALETTE[i % len(PALETTE)],
                    "stack": "refusals",
                }
                for i, reason in enumerate(reasons)
            ],
        },
        "options": _options(
            x={"stacked": True}, y=_axis(_("Refusals"), stacked=True, ticks={"precision": 0})
        ),
    }


def quarter_label(row: dict[str, Any]) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": row["quarter"], "year": row["year"]}
