from collections.abc import Iterable
from datetime import date
from typing import Any

from django import template
from django.utils.safestring import SafeString

from plans.day import cells

register = template.Library()


@register.simple_tag
def day_step_items(steps: Iterable[Any], today: date) -> SafeString:
    return cells.step_items(steps, today)
