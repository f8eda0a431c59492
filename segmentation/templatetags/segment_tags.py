from django import template

from segmentation.models import Tier

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """A tier's name in the user's language ("" for none)."""
    return str(Tier(value).label) if value in Tier.values else ""
