"""The priority tier in words: the sentence for every tier, with its rank in all potential."""

from decimal import Decimal

import pytest

from segmentation.models import Policy
from segmentation.segments import tiers
from tests.segmentation.segments.conftest import segment

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"tier": "gold", "potential": Decimal(9), "rank": 3},
            "Gold — among the clients holding the first 50% of all potential (rank 3)",
        ),
        (
            {"tier": "silver", "potential": Decimal(5), "rank": 12},
            "Silver — among the clients holding the next 30% of all potential (rank 12)",
        ),
        (
            {"tier": "bronze", "potential": Decimal(1), "rank": 80},
            "Bronze — outside the first 80% of all potential (rank 80)",
        ),
        ({"tier": "bronze", "potential": Decimal(0), "rank": 99}, "Bronze — zero potential"),
        ({"tier": "bronze", "potential": None}, "Bronze — the potential table is not filled in"),
    ],
)
def test_tier_reason(values, expected):
    rank = values.pop("rank", None)
    assert str(tiers.tier_reason(segment(**values), Policy(), rank)) == expected
