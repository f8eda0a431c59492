"""The size class in words: by potential, or by revenue without a potential estimate."""

from decimal import Decimal

import pytest

from segmentation.segments import size_class
from tests.segmentation.segments.conftest import segment

pytestmark = pytest.mark.usefixtures("english")


def test_size_reason_names_its_basis():
    by_potential = segment(size_class="large", potential=Decimal(25_000_000), revenue=Decimal(10))
    by_revenue = segment(size_class="small", potential=None, revenue=Decimal("300000.40"))

    assert str(size_class.size_reason(by_potential)) == "Large — potential 25,000,000\xa0RUB"
    assert (
        str(size_class.size_reason(by_revenue)) == "Small — by revenue 300,000\xa0RUB: no potential estimate"
    )
