"""Segments in words: the shape of a reason and the number formats every rule's sentence uses.

Each rule module (`abcd`, `tiers`, `leagues`, `size_class`, `rhythm`) writes its own
sentence from the figures the nightly run stored on `ClientSegment`, taking the branch
from the stored verdict (`buys_a_lot`, `can_buy_more`, `tier`...) so a reason never
disagrees with its segment. Numbers follow the active language's format; amounts
go through `kam.money.money`, which names the currency.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kam.cells import localised

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Reason:
    """A segment's name and why: shown as "headline — detail"."""

    headline: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.headline} — {self.detail}" if self.detail else self.headline


def number(value: Decimal | int, places: int = 2) -> str:
    """A number with as few decimals as it needs (at most `places`), rounded half up, localised:
    what `formats.number_format(rounded, decimals)` writes, without its general-purpose parsing
    (a list writes one or two a row)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    decimals = next(d for d in range(places + 1) if rounded == rounded.quantize(Decimal(1).scaleb(-d)))
    return localised(f"{rounded if rounded else abs(rounded):.{decimals}f}")  # no "-0"


def share_against(share: Decimal, limit: Decimal) -> str:
    """`share` with the fewest decimals that keep it on its true side of `limit`.

    69.6% against a 70% limit reads "69.6", never "70", so "70% is below 70%" cannot happen.
    """
    side = (share > limit) - (share < limit)
    for places in range(3):
        rounded = share.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (rounded > limit) - (rounded < limit) == side:
            return number(rounded, places)
    return number(share, 2)
