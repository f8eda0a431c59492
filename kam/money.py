"""Amounts as people read them: whole, grouped as the active language groups digits, with the currency.

Every amount the product shows goes through `money` (templates through the `money` filter of
`accounts.templatetags.amounts`), so a page, a segment's sentence and a message agree.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats

# Keeps the figure and its currency on one line.
NO_BREAK = "\xa0"


def currency() -> str:
    """The company currency's code (settings.KAM_CURRENCY), e.g. "RUB"."""
    return str(settings.KAM_CURRENCY)


def money(value: Decimal | int | float | str) -> str:
    """A whole amount with the currency: "46,057,742 RUB" in English, "46 057 742 RUB" in Russian."""
    whole = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{formats.number_format(whole, 0, force_grouping=True)}{NO_BREAK}{currency()}"
