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


@register.simple_tag
def day_flag_cards(flags: Iterable[Any]) -> SafeString:
    return cells.flag_cards(flags)


@register.simple_tag
def day_next_step_items(clients: Iterable[Any], today: date) -> SafeString:
    return cells.next_step_items(clients, today)
