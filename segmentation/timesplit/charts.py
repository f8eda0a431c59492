"""The time split's Chart.js config, passed through `json_script` and drawn by `static/js/app.js`:
one stacked horizontal bar of shares per manager, under a first bar of the policy's targets."""

from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.selectors import PALETTE
from segmentation.timesplit.selectors import BUCKETS, LABELS, Cell, TimeSplit

COLOURS = {
    "communication": PALETTE[0],
    "service": PALETTE[1],
    "other": "#adb5bd",
    "development": PALETTE[2],
}
UNTARGETED_COLOUR = "#e9ecef"


def _shares(cells: list[Cell]) -> dict[str, float | None]:
    return {cell.bucket: None if cell.share is None else float(cell.share) for cell in cells}


def _target(split: TimeSplit, bucket: str) -> float | None:
    target = split.targets[bucket]
    return None if target is None else float(target)


def time_split(split: TimeSplit, rows: list[tuple[str, list[Cell]]]) -> dict[str, Any]:
    """`rows`: (label, the row's cells) in the order drawn, below the target bar."""
    shares = [_shares(cells) for _label, cells in rows]
    untargeted = Decimal(100) - sum((t for t in split.targets.values() if t is not None), Decimal(0))
    datasets: list[dict[str, Any]] = [
        {
            "label": str(LABELS[bucket]),
            "data": [_target(split, bucket), *(share[bucket] for share in shares)],
            "backgroundColor": COLOURS[bucket],
            "stack": "split",
        }
        for bucket in BUCKETS
    ]
    datasets.append(
        {
            "label": _("No target in the policy"),
            "data": [max(float(untargeted), 0.0), *(None for _share in shares)],
            "backgroundColor": UNTARGETED_COLOUR,
            "stack": "split",
        }
    )
    axis = {"stacked": True, "beginAtZero": True, "max": 100, "title": {"display": True, "text": "%"}}
    return {
        "type": "bar",
        "data": {"labels": [_("Target (policy)"), *(label for label, _cells in rows)], "datasets": datasets},
        "options": {
            "indexAxis": "y",
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "locale": translation.get_language(),
            "scales": {"x": axis, "y": {"stacked": True}},
            "plugins": {"legend": {"position": "bottom"}},
        },
    }
