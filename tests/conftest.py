"""Personas shared by every test: the responsible manager, a colleague on another team,
a sales director and an admin, around one client."""

import pytest

from tests.factories import AdminFactory, ClientFactory, DirectorFactory, ManagerFactory


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
