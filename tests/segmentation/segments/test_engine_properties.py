"""The set-based engine gives exactly the reference implementation's segments on random data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmentation.segments.engine import recompute
from tests.segmentation.segments.engine_data import computed, store
from tests.segmentation.segments.reference import ClientData, Location, Point, Rules, segments

TODAY = date(2026, 6, 15)
PLACES = [
    ("RU", "RU-MOW"),
    ("RU", "RU-MOS"),
    ("RU", "RU-KYA"),
    ("RU", ""),
    ("KZ", "KZ-75"),
    ("DE", "DE-BE"),
    ("CN", ""),
]
# Where our own locations may be: regions, and whole countries (abroad, and Russia without one).
LOCATIONS = [("RU", "RU-KYA"), ("RU", "RU-MOW"), ("RU", ""), ("DE", "DE-BE"), ("CN", ""), ("KZ", "")]


def own_location(place: tuple[str, str], active: bool) -> Location:
    return Location(*place, active=active)


sales = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 800).map(lambda back: TODAY - timedelta(days=back)),
        st.sampled_from([Decimal(100), Decimal(250), Decimal(1000), Decimal(400_000)]),
    ),
    max_size=12,
)
estimates = st.dictionaries(
    st.integers(0, 3),
    st.sampled_from([Decimal(0), Decimal(300), Decimal(1000), Decimal(2_000_000)]),
    max_size=3,
)
points = st.lists(
    st.builds(lambda place, planned: Point(*place, planned=planned), st.sampled_from(PLACES), st.booleans()),
    max_size=4,
)
previous = st.sampled_from(["", "active", "lost", "won_back"])
clients = st.dictionaries(
    st.integers(0, 20),
    st.builds(
        ClientData,
        centralised=st.booleans(),
        sales=sales,
        estimates=estimates,
        points=points,
        previous_status=previous,
        previous_won_back_on=st.sampled_from([None, TODAY - timedelta(days=10), TODAY - timedelta(days=200)]),
    ),
    min_size=1,
    max_size=8,
)
rules = st.builds(
    Rules,
    pareto_share=st.sampled_from([Decimal(50), Decimal(80), Decimal(100)]),
    wallet_share_limit=st.sampled_from([Decimal(70), Decimal(100)]),
    min_headroom=st.sampled_from([Decimal(0), Decimal(500)]),
    gold_share=st.sampled_from([Decimal(50), Decimal(30)]),
    silver_share=st.sampled_from([Decimal(30), Decimal(20)]),
    own_locations=st.lists(
        st.builds(own_location, st.sampled_from(LOCATIONS), st.booleans()), max_size=3
    ).map(tuple),
)


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=clients, policy=rules)
def test_engine_matches_the_reference(data, policy):
    with transaction.atomic():
        ids = store(data, policy, TODAY)
        recompute(today=TODAY)
        assert computed(ids) == segments(data, TODAY, policy)
        transaction.set_rollback(True)
