"""The template filter `date`, a builtin of every template (settings TEMPLATES' `builtins`):
Django's, but the two short formats the pages write dates and moments in are written by
`kam.cells` (`short_date`, each date formatted once per language; `short_moment`), without
Django's reading of the format letter by letter on every call. Any other value or format is
Django's filter's. tests/test_renderer.py holds the two to the same text."""

from datetime import date as Date
from datetime import datetime
from typing import Any

from django import template
from django.template import defaultfilters

from kam.cells import short_date, short_moment

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """`{{ value|date:"SHORT_DATE_FORMAT" }}` and the like, as Django writes them."""
    if isinstance(value, datetime):
        if arg == "SHORT_DATETIME_FORMAT":
            return short_moment(value)
    elif isinstance(value, Date) and arg == "SHORT_DATE_FORMAT":
        return short_date(value)
    return str(defaultfilters.date(value, arg))
