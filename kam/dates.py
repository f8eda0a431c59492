"""The template filter `date`, a builtin of every template (settings TEMPLATES' `builtins`):
Django's, without its reading of the format letter by letter on every call where it can be
spared. A day is written once per format and language and kept (a card's touches, a list's dates
repeat from request to request); a moment in the short format is written by
`kam.cells.short_moment`. Any other value or format is Django's filter's. tests/test_renderer.py
holds the two to the same text."""

from datetime import date as Date
from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.template import defaultfilters
from django.utils import translation

from kam.cells import short_moment

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: Any = None) -> str:
    """`{{ value|date:"SHORT_DATE_FORMAT" }}` and the like, as Django writes them."""
    if isinstance(value, datetime):
        if arg == "SHORT_DATETIME_FORMAT":
            return short_moment(value)
    elif isinstance(value, Date) and (arg is None or isinstance(arg, str)):
        return _day(value, arg, translation.get_language())
    return str(defaultfilters.date(value, arg))


@lru_cache(maxsize=4096)
def _day(value: Date, arg: str | None, language: str | None) -> str:
    return str(defaultfilters.date(value, arg))
