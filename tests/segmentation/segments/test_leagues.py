"""The geographic league and the expansion alert in words: the sentence for every league."""

import pytest

from segmentation.segments import leagues
from tests.segmentation.segments.conftest import segment

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"league": "premier", "continents": 2, "countries": 3, "open_points": 3},
            "Premier league — present on 2 continents",
        ),
        (
            {"league": "first", "continents": 1, "countries": 3, "open_points": 3},
            "First league — 3 countries of one continent",
        ),
        (
            {"league": "second", "continents": 1, "countries": 1, "regions": 2},
            "Second league — 2 regions of one country",
        ),
        ({"league": "third", "regions": 1, "open_points": 1}, "Third league — 1 point in one region"),
        ({"league": "third", "regions": 1, "open_points": 2}, "Third league — 2 points in one region"),
        (
            {"league": "qualifying", "open_points": 4},
            "Qualifying league — 4 points that each buy for themselves",
        ),
        ({"league": "", "open_points": 0}, "No league — no open points of presence"),
    ],
)
def test_league_reason(values, expected):
    assert str(leagues.league_reason(segment(**values))) == expected


def test_expansion_reason_counts_the_planned_points():
    assert leagues.expansion_reason(segment(expansion_points=0)) is None
    assert str(leagues.expansion_reason(segment(expansion_points=1))) == (
        "Expansion alert: 1 planned point in a region where we have no presence"
    )
    assert str(leagues.expansion_reason(segment(expansion_points=2))) == (
        "Expansion alert: 2 planned points in regions where we have no presence"
    )
