"""A small base for D-group routing: D clients of two managers, clients of other categories or
none, and the policy's route set to one employee, a partner or the website."""

from dataclasses import dataclass

import pytest

from accounts.models import Client
from kam.users.models import User
from segmentation.models import Category, ClientSegment, DRoute, DRouteKind, Policy
from tests.factories import ClientFactory, ManagerFactory


def d_client(manager: User | None, name: str, category: str = Category.D) -> Client:
    client = ClientFactory(name=name, responsible_manager=manager)
    if category:
        ClientSegment.objects.create(client=client, category=category)
    return client


def set_route(kind: str, *, employee: User | None = None, partner: str = "") -> Policy:
    policy = Policy.current()
    policy.d_route, policy.d_route_employee, policy.d_route_partner = kind, employee, partner
    policy.save()
    return policy


def state(clients: list[Client]) -> dict[int, tuple[int | None, str | None, str | None, int | None]]:
    """Each client's responsible manager and route mark (route, partner, batch)."""
    marks = {mark.client_id: mark for mark in DRoute.objects.filter(client__in=clients)}
    result = {}
    for client in Client.objects.filter(pk__in=[c.pk for c in clients]):
        mark = marks.get(client.pk)
        result[client.pk] = (
            client.responsible_manager_id,
            mark.route if mark else None,
            mark.partner if mark else None,
            mark.batch_id if mark else None,
        )
    return result


@dataclass
class Base:
    anna: User
    boris: User
    employee: User
    d: list[Client]
    others: list[Client]

    @property
    def everyone(self) -> list[Client]:
        return [*self.d, *self.others]


@pytest.fixture
def base(db) -> Base:
    anna = ManagerFactory(username="anna", first_name="Anna", last_name="Smirnova")
    boris = ManagerFactory(username="boris", first_name="Boris", last_name="Orlov")
    employee = ManagerFactory(username="dina", first_name="Dina", last_name="Small")
    d = [
        d_client(anna, "Alfa Trade"),
        d_client(anna, "Beta Mill"),
        d_client(boris, "Gamma Shop"),
        d_client(None, "Delta Kiosk"),
    ]
    others = [d_client(anna, "Omega Steel", Category.A), d_client(boris, "Sigma New", "")]
    return Base(anna, boris, employee, d, others)


@pytest.fixture
def to_employee(base: Base) -> Policy:
    return set_route(DRouteKind.EMPLOYEE, employee=base.employee)
