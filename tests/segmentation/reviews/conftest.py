from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Client
from segmentation.models import ClientSegment, KeyStatus, Review
from segmentation.reviews import services
from tests.factories import ClientFactory


def tiered(client: Client, tier: str = "gold", potential: int = 1000, **segment: Any) -> Client:
    ClientSegment.objects.create(client=client, tier=tier, potential=Decimal(potential), **segment)
    return client


def make_key(client: Client, reasons: list[str] | None = None) -> Client:
    KeyStatus.objects.create(client=client, is_key=True, reasons=reasons or ["strategic"])
    return client


@pytest.fixture
def base(db, manager):
    """Twenty active clients: two key (gold, silver), two silver candidates, one bronze, the rest
    plain; the 20% cap allows four key clients."""
    key_gold = make_key(tiered(ClientFactory(name="Alfa Key", responsible_manager=manager), "gold", 9000))
    key_silver = make_key(tiered(ClientFactory(name="Beta Key", responsible_manager=manager), "silver", 5000))
    candidate_big = tiered(ClientFactory(name="Gamma Candidate", responsible_manager=manager), "silver", 4000)
    candidate_small = tiered(ClientFactory(name="Delta Candidate", responsible_manager=None), "silver", 100)
    bronze = tiered(ClientFactory(name="Epsilon Bronze", responsible_manager=manager), "bronze", 10)
    ClientFactory.create_batch(15, responsible_manager=manager)
    return {
        "key_gold": key_gold,
        "key_silver": key_silver,
        "candidate_big": candidate_big,
        "candidate_small": candidate_small,
        "bronze": bronze,
    }


@pytest.fixture
def review(base, director) -> Review:
    return services.review_open(by=director, today=date.today())
