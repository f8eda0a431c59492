"""A real Celery worker against the real Redis runs the recomputation task end to end.

The worker runs in a thread of this process (celery.contrib.testing) with its own database
connection, so the test is transactional: the rows the factories write are committed and
the worker sees them. The app points at Redis for this test only (tests/conftest.py's redis_app).
"""

import datetime
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from segmentation.models import ClientSegment, NightlyRun, PotentialEstimate
from segmentation.tasks import recompute_segments
from tests.factories import ClientFactory, PointFactory, ProductGroupFactory, SaleFactory


@pytest.mark.django_db(transaction=True)
def test_worker_recomputes_segments_in_the_database(redis_app):
    today = timezone.localdate()
    steel = ClientFactory(name="Siberian Steel", purchasing_centralised=True)
    SaleFactory(client=steel, date=today - datetime.timedelta(days=10), amount=Decimal(900))
    PointFactory(client=steel, country="RU", region="RU-KYA")
    PointFactory(client=steel, country="RU", region="RU-IRK")
    PotentialEstimate.objects.create(
        client=steel,
        product_group=ProductGroupFactory(),
        amount=Decimal(10_000),
        source=PotentialEstimate.Source.SURVEY,
        estimated_on=today,
    )
    quiet = ClientFactory(name="Quiet Timber")
    assert ClientSegment.objects.count() == 0

    with start_worker(redis_app, perform_ping_check=False, shutdown_timeout=30):
        result = recompute_segments.delay("test")
        run_id = result.get(timeout=60)
    result.forget()

    run = NightlyRun.objects.get()
    segments = {
        s.client_id: (s.category, s.tier, s.league, s.size_class, s.lost_status, s.revenue)
        for s in ClientSegment.objects.all()
    }
    assert (run_id, run.status, run.trigger, run.clients) == (run.pk, NightlyRun.Status.SUCCESS, "test", 2)
    assert run.finished_at is not None
    assert segments == {
        steel.pk: ("A", "gold", "second", "small", "active", Decimal(900)),
        quiet.pk: ("", "bronze", "", "small", "", Decimal(0)),
    }
