"""Personas shared by every test: the responsible manager, a colleague on another team,
a sales director and an admin, around one client; browsers signed in as them; the one way
to pin a query count; and the Celery app pointed at a real Redis for the worker tests."""

import os
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client as Browser
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from accounts import filters as accounts_filters
from accounts.views import clients as client_views
from kam import filters, fragments
from kam.celery import app
from plans.day import selectors as day_selectors
from segmentation.segments import tiers, totals
from tests.factories import AdminFactory, ClientFactory, DirectorFactory, ManagerFactory

T = TypeVar("T")


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the site's language: a request signed in as a Russian-speaking user
    activates Russian for the thread (kam.users.middleware), and a test after it in the same
    worker would otherwise read Russian where it expects the default."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with nothing cached: a rendered fragment is keyed by its data's version,
    such as a nightly run's pk, and a rolled-back test's pks are given out again on SQLite.
    The fragments each process keeps besides (`kam.fragments`) are forgotten with it, and so
    are the list's filter choices and fields kept for a version (a rolled-back test's version is
    the one before it again), as are the tier overrides and the filtered lists' queries kept
    for one, the policy with the last run's totals kept for the policy's version, and the day's
    flag counts kept for both."""
    forget = (
        cache.clear,
        fragments.forget,
        filters._kept_fields.clear,
        accounts_filters._kept_choices.clear,
        tiers._kept_overrides.clear,
        client_views._FILTERED.clear,
        totals._kept_pair.clear,
        day_selectors._kept_counts.clear,
    )
    for each in forget:
        each()
    yield
    for each in forget:
        each()


class AssertQueries(Protocol):
    def __call__(self, expected: int, action: Callable[[], T]) -> T: ...


@pytest.fixture
def assert_queries(django_assert_num_queries: DjangoAssertNumQueries) -> AssertQueries:
    """`assert_queries(n, action)` runs `action`, fails unless it ran exactly `n` queries, and
    returns what it returned. An exact count, not a bound: a query that appears or disappears
    should be noticed and the number updated on purpose. Run with -v to see the queries."""

    def run(expected: int, action: Callable[[], T]) -> T:
        with django_assert_num_queries(expected):
            return action()

    return run


@pytest.fixture(autouse=True)
def no_broker(settings):
    """No Celery broker unless a test configures one, whatever REDIS_URL says: with one, imports
    and large exports go to a worker, and every export counts its rows first."""
    settings.CELERY_BROKER_URL = ""


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager", first_name="Anna", last_name="Smirnova")


@pytest.fixture
def outsider(db):
    return ManagerFactory(username="outsider", first_name="Oleg", last_name="Petrov")


@pytest.fixture
def director(db):
    return DirectorFactory(username="director", first_name="Dmitry", last_name="Volkov")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin", first_name="Alla", last_name="Kuznetsova")


@pytest.fixture
def client_card(manager):
    return ClientFactory(name="Siberian Steel", responsible_manager=manager)


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_outsider(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def as_director(client, director):
    client.force_login(director)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def browser_for(db) -> Callable[[Any], Browser]:
    """An independent browser (own cookies) logged in as `user`, or anonymous for None."""

    def make(user: Any) -> Browser:
        browser = Browser()
        if user is not None:
            browser.force_login(user)
        return browser

    return make


WORKER_BROKER = "redis://127.0.0.1:6379/15"
# A queue per test process: parallel test runs must not take each other's tasks.
WORKER_QUEUE = f"kam-test-worker-{os.getpid()}"
WORKER_SETTINGS = ["broker_url", "result_backend", "task_default_queue"]


def _forget_connections() -> None:
    """Drop what the app built from its old settings: broker pool, queues, result backend."""
    app._pool = None
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    vars(app._local).pop("backend", None)


@pytest.fixture
def redis_app() -> Iterator[Any]:
    """The Celery app pointed at Redis database 15 and a queue of its own for the test, and put
    back afterwards (skipped without Redis). Start a worker in a thread of this process with
    celery.contrib.testing.worker.start_worker; the test must be transactional."""
    try:
        redis.Redis.from_url(WORKER_BROKER, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {WORKER_BROKER}")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Django's in-memory test database is a shared-cache SQLite database that other threads
        # of this process open too; check that the worker thread will really see it.
        assert "mode=memory&cache=shared" in connection.settings_dict["NAME"]
    saved = {name: app.conf[name] for name in WORKER_SETTINGS}
    app.conf.update(broker_url=WORKER_BROKER, result_backend=WORKER_BROKER, task_default_queue=WORKER_QUEUE)
    _forget_connections()
    app.control.purge()  # nothing left over from an interrupted run
    yield app
    app.conf.update(saved)
    _forget_connections()
