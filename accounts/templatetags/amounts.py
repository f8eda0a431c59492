from decimal import Decimal

from django import template

from kam.money import currency, money

register = template.Library()


@register.filter(name="money")
def money_filter(value: Decimal | int | float | str | None) -> str:
    """An amount with the currency, or "" for none (so `|default` can follow)."""
    return "" if value is None or value == "" else money(value)


@register.simple_tag(name="currency")
def currency_tag() -> str:
    return currency()
