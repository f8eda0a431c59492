"""Personas shared by every test: the responsible manager, a colleague on another team,
a sales director and an admin, around one client; browsers signed in as them; and the one way
to pin a query count."""

from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

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
