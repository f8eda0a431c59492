"""segmentation/segments/words.py: the numbers every rule's sentence writes."""

from decimal import Decimal

import pytest
from django.utils import formats, translation

from kam.cells import ngettext
from segmentation.segments.words import number


def django_number(value: Decimal | int, places: int) -> str:
    """What the rules' numbers were written with: Django's `number_format`."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    decimals = next(d for d in range(places + 1) if rounded == rounded.quantize(Decimal(1).scaleb(-d)))
    return formats.number_format(rounded, decimals)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("grouping", [True, False])
@pytest.mark.parametrize("places", [0, 1, 2])
@pytest.mark.parametrize(
    "value",
    [
        0,
        7,
        -3,
        10**9,
        Decimal("0.004"),
        Decimal("-0.004"),
        Decimal("0.005"),
        Decimal("-0.05"),
        Decimal("1.25"),
        Decimal("1.5"),
        Decimal("2.50"),
        Decimal("30.0"),
        Decimal("45.678"),
        Decimal("999.995"),
        Decimal("1234.5"),
        Decimal("-1234567.891"),
    ],
)
def test_a_number_is_written_as_number_format_writes_it(value, places, grouping, language, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping
    with translation.override(language):
        assert number(value, places) == django_number(value, places)


def test_a_number_speaks_the_active_language():
    with translation.override("en"):
        assert number(Decimal("1234.5"), 1) == "1,234.5"
    with translation.override("ru"):
        assert number(Decimal("1234.5"), 1) == "1\xa0234,5"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_ngettext_is_django_s_in_the_active_language(language):
    singular, plural = "usual interval %(days)s day", "usual interval %(days)s days"
    with translation.override(language):
        for n in [0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111]:
            assert ngettext(singular, plural, n) == translation.ngettext(singular, plural, n)
