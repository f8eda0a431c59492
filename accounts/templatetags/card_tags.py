from typing import Any

from django import template
from django.utils.html import format_html

from accounts import geography
from accounts.columns import head_office_cell
from accounts.validators import format_phone

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return geography.country_name(code)


@register.filter
def region_name(code: str) -> str:
    return geography.region_name(code)


@register.filter
def head_office(client: Any) -> str:
    """The client list's head office cell, for the lists that show it outside the client list."""
    return head_office_cell(client)


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number in the international format: +7 912 345-67-89."""
    return format_phone(value)


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: str, descending_first: bool = False) -> str:
    """A column header that sorts the list by `key`: the first click ascending (descending for
    `descending_first`), the next one the other way; an arrow marks the current order."""
    current = context.get("sort")
    if current in (key, f"-{key}"):
        following = key if current.startswith("-") else f"-{key}"
    else:
        following = f"-{key}" if descending_first else key
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    query = context.get("query", "")
    return format_html(
        '<a href="?{}{}sort={}">{}{}</a>', query, "&" if query else "", following, label, arrow
    )
