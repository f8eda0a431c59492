"""Segmentation's pieces of the cells rendered in Python (see `kam.cells`)."""

from functools import lru_cache

from kam.cells import esc, gettext, label, language
from segmentation.models import Tier

TIER_BADGES: dict[str, str] = {Tier.GOLD: "text-bg-warning", Tier.SILVER: "text-bg-secondary"}


def tier_badge(tier: str) -> str:
    """A tier as a badge in its colour: gold, silver, bronze."""
    return _tier_badge(tier, language())


@lru_cache(maxsize=64)
def _tier_badge(tier: str, language: str | None) -> str:
    badge = TIER_BADGES.get(tier, "text-bg-light border")
    return f'<span class="badge {badge}">{esc(label(Tier, tier))}</span>'


def category_badge(category: str) -> str:
    """An ABCD category as a badge, or a dash that says there is none yet."""
    return _category_badge(category, language())


@lru_cache(maxsize=64)
def _category_badge(category: str, language: str | None) -> str:
    if category:
        return f'<span class="badge text-bg-info">{esc(category)}</span>'
    return f'<span class="text-muted" title="{esc(gettext("No category yet"))}">—</span>'


def flag_badge(label: str, name: str = "") -> str:
    """A radar flag or a key reason as a light badge, with the flag's name as `data-flag` when
    it has one; `label` is already escaped (the caller may have translated it once a page)."""
    data = f' data-flag="{esc(name)}"' if name else ""
    return f'<span class="badge text-bg-light border text-wrap text-start me-1"{data}>{label}</span>'


def flag_badges(badges: str) -> str:
    """A cell of badges, or a muted dash when there are none."""
    return badges or '<span class="text-muted">—</span>'
