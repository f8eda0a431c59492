"""A real Celery worker against the real Redis runs the recomputation task end to end.

The worker runs in a thread of this process (celery.contrib.testing) with its own database
connection, so the test is transactional: the rows the factories write are committed and
the worker sees them. The app is pointed at Redis database 15 and a queue of its own for
this test only, and put back afterwards.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from kam.celery import app
from segmentation.models import ClientSegment, NightlyRun, PotentialEstimate
from segmentation.tasks import recompute_segments
from tests.factories import ClientFactory, PointFactory, ProductGroupFactory, SaleFactory

BROKER = "redis://127.0.0.1:6379/15"
QUEUE = "kam-test-recompute"
SETTINGS = ["broker_url", "result_backend", "task_default_queue"]


def _forget_connections() -> None:
    """Drop what the app built from its old settings: broker pool, queues, result backend."""
    app._pool = None
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    vars(app._local).pop("backend", None)


@pytest.fixture
def redis_app() -> Iterator[Any]:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {BROKER}")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Django's in-memory test database is a shared-cache SQLite database that other threads
        # of this process open too; check that the worker thread will really see it.
        assert "mode=memory&cache=shared" in connection.settings_dict["NAME"]
    saved = {name: app.conf[name] for name in SETTINGS}
    app.conf.update(broker_url=BROKER, result_backend=BROKER, task_default_queue=QUEUE)
    _forget_connections()
    app.control.purge()  # nothing left over from an interrupted run
    yield app
    app.conf.update(saved)
    _forget_connections()


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
