"""Words for a review's snapshot: its flag names as flags, and a flag's change since the last review."""

from django import template
from django.utils.translation import gettext as _

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
