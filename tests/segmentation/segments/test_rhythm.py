"""The purchase status in words: at risk, lost, active, won back, and no purchases yet."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from segmentation.segments import rhythm
from tests.segmentation.segments.conftest import TODAY, segment

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {
                "lost_status": "at_risk",
                "last_purchase": TODAY - timedelta(days=97),
                "usual_interval": Decimal("28.0"),
            },
            "At risk — no purchase for 97 days; usual interval 28 days",
        ),
        (
            {"lost_status": "lost", "last_purchase": TODAY - timedelta(days=200), "usual_interval": None},
            "Lost — no purchase for 200 days; no regular rhythm",
        ),
        (
            {
                "lost_status": "active",
                "last_purchase": TODAY - timedelta(days=1),
                "usual_interval": Decimal("28.5"),
            },
            "Active — last purchase 1 day ago; usual interval 28.5 days",
        ),
        (
            {"lost_status": "active", "last_purchase": TODAY, "usual_interval": Decimal(7)},
            "Active — last purchase today; usual interval 7 days",
        ),
        (
            {
                "lost_status": "won_back",
                "last_purchase": date(2026, 10, 12),
                "won_back_on": date(2026, 10, 12),
            },
            "Won back on 12 Oct 2026",
        ),
        ({"lost_status": "", "last_purchase": None}, "No purchases yet"),
    ],
)
def test_purchase_status_reason(values, expected):
    assert str(rhythm.lost_reason(segment(**values), TODAY)) == expected


def test_a_purchase_today_is_said_so_in_russian():
    row = segment(lost_status="active", last_purchase=TODAY, usual_interval=Decimal(7))

    with translation.override("ru"):
        said = str(rhythm.lost_reason(row, TODAY))

    assert said == "Активный — последняя закупка сегодня; обычный интервал 7 дней"


def test_won_back_date_follows_the_language():
    row = segment(lost_status="won_back", won_back_on=date(2026, 10, 12))

    with translation.override("ru"):
        assert "12.10.2026" in str(rhythm.lost_reason(row, TODAY))
