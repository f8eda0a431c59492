"""Words for a review's snapshot: its flag names as flags, and a flag's change since the last review."""

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kam.cells import esc, text
from kam.money import money
from segmentation.cells import TIER_LABELS
from segmentation.models import Category, Decision, League
from segmentation.radar.flags import Flag
from segmentation.reviews.selectors import flag_objects

register = template.Library()


@register.filter
def flag_list(names: list[str]) -> list[Flag]:
    return flag_objects(names)


@register.filter
def flag_new(label: str) -> str:
    return _("New: %(flag)s") % {"flag": label}


@register.filter
def flag_resolved(label: str) -> str:
    return _("Resolved: %(flag)s") % {"flag": label}


CATEGORIES, LEAGUES = dict(Category.choices), dict(League.choices)
DECISIONS = dict(Decision.choices)


@register.simple_tag
def print_cells(item: Any) -> SafeString:
    """One client's row of the printed review, in Python (the print lists every client)."""
    cells = [
        text(item.position),
        esc(item.client.name),
        esc(_("Key") if item.was_key else _("Candidate")),
        esc(TIER_LABELS.get(item.tier, item.tier) or "—"),
        esc(CATEGORIES.get(item.category, item.category) or "—"),
        esc(LEAGUES.get(item.league, item.league) or "—"),
        esc(item.manager if item.manager is not None else _("Nobody")),
        esc(money(item.potential) if item.potential is not None else "—"),
        "; ".join(esc(flag.label) for flag in flag_objects(item.flags)),
        esc(DECISIONS.get(item.decision, item.decision)),
        esc(item.note),
    ]
    classes = {8: ' class="flags"'}
    return SafeString("\n      ".join(f"<td{classes.get(n, '')}>{cell}</td>" for n, cell in enumerate(cells)))
