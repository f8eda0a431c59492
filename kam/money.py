"""Amounts as people read them: whole, grouped as the active language groups digits, with the currency.

Every amount the product shows goes through `money` (templates through the `money` filter of
`accounts.templatetags.amounts`), so a page, a segment's sentence and a message agree.
"""

from decimal import Decimal

from django.conf import settings

from kam.cells import whole

# Keeps the figure and its currency on one line.
NO_BREAK = "\xa0"


def currency() -> str:
    """The company currency's code (settings.KAM_CURRENCY), e.g. "RUB"."""
    return str(settings.KAM_CURRENCY)


def money(value: Decimal | int | float | str) -> str:
    """A whole amount with the currency: "46,057,742 RUB" in English, "46 057 742 RUB" in Russian
    (rounded half up and grouped as `kam.cells.whole` does it, with a tenth of the work of
    Django's `number_format`: a printed review writes 2,000 amounts)."""
    return f"{whole(value)}{NO_BREAK}{currency()}"
