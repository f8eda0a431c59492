from typing import Any

from django import template

from accounts import geography
from accounts.validators import format_phone

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return geography.country_name(code)


@register.filter
def region_name(code: str) -> str:
    return geography.region_name(code)


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number in the international format: +7 912 345-67-89."""
    return format_phone(value)


@register.simple_tag(takes_context=True)
def sort_link(context: Any, key: str) -> str:
    """The sort key for a column header: ascending first, then descending."""
    return f"-{key}" if context.get("sort") == key else key
