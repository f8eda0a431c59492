from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString

from kam.cells import esc, text
from segmentation.models import Tier

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """A tier's name in the user's language ("" for none)."""
    return str(Tier(value).label) if value in Tier.values else ""


@register.simple_tag
def flag_cells(cells: Sequence[Any]) -> SafeString:
    """A manager's row of the radar: a right-aligned count per flag, each a link to its clients
    (in Python: the table has a cell per manager and flag)."""
    return SafeString("".join(f'<td class="text-end">{_flag_link(cell)}</td>' for cell in cells))


def _flag_link(cell: Any) -> str:
    if cell.count:
        return f'<a href="{esc(cell.url)}">{text(cell.count)}</a>'
    return f'<a class="text-muted text-decoration-none" href="{esc(cell.url)}">0</a>'
