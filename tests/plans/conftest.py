"""Fixtures of the plans tests: English for the words, a client with segments, a plan."""

import datetime

import pytest
from django.utils import translation

from plans import services
from plans.models import PlanKind
from segmentation.models import ClientSegment, LostStatus, Tier

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def segment(client, *, category="", tier=Tier.BRONZE, lost_status=LostStatus.ACTIVE, **figures):
    """The client's segments as the nightly run would have left them."""
    values = {"category": category, "tier": tier, "lost_status": lost_status, **figures}
    return ClientSegment.objects.update_or_create(client=client, defaults=values)[0]


@pytest.fixture
def plan(client_card, manager):
    """A development plan of the manager's client, started on TODAY."""
    return services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager, today=TODAY)
