"""The number formats every rule's sentence uses."""

from decimal import Decimal

import pytest
from django.utils import translation

from segmentation.segments.words import money

pytestmark = pytest.mark.usefixtures("english")


def test_money_is_grouped_as_the_language_groups_digits():
    assert money(Decimal("1200000.50")) == "1,200,001"
    with translation.override("ru"):
        assert money(Decimal(1_200_000)) == "1\xa0200\xa0000"
