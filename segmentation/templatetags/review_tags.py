"""Words for a review's snapshot: its flag names as flags, a flag's change since the last review,
and the review's rows (`segmentation.reviews.cells`)."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from segmentation.models import Review, ReviewItem
from segmentation.radar.flags import Flag
from segmentation.reviews import cells
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


@register.simple_tag
def review_item_rows(review: Review, items: Iterable[ReviewItem]) -> SafeString:
    return cells.item_rows(review, items)


@register.simple_tag
def print_rows(rows: Iterable[tuple[Any, ...]]) -> SafeString:
    return cells.print_rows(rows)
