"""A small base for moves between managers: Anna (who leaves) with clients of every size class,
one of them key and one inactive; Boris with a key client; Vera with nothing yet."""

from dataclasses import dataclass

import pytest

from accounts.models import Client
from kam.users.models import User
from segmentation.models import ClientSegment, KeyStatus, Policy
from tests.factories import ClientFactory, ManagerFactory


def sized(
    manager: User | None, name: str, size: str = "", *, key: bool = False, inactive: bool = False
) -> Client:
    client = ClientFactory(name=name, responsible_manager=manager)
    if inactive:
        Client.objects.filter(pk=client.pk).update(status=Client.Status.INACTIVE)
        client.refresh_from_db()
    if size:
        ClientSegment.objects.create(client=client, size_class=size)
    if key:
        KeyStatus.objects.create(client=client, is_key=True)
    return client


def managers_of(clients: list[Client]) -> dict[str, int | None]:
    """Each client's responsible manager, by the client's name."""
    rows = Client.objects.filter(pk__in=[c.pk for c in clients]).values_list("name", "responsible_manager")
    return dict(rows)


def forbid() -> Policy:
    policy = Policy.current()
    policy.kam_small_clients = Policy.SmallClientsRule.FORBID
    policy.save()
    return policy


@dataclass
class Base:
    anna: User
    boris: User
    vera: User
    anna_clients: list[Client]
    boris_clients: list[Client]

    @property
    def everyone(self) -> list[Client]:
        return [*self.anna_clients, *self.boris_clients]


@pytest.fixture
def base(db) -> Base:
    anna = ManagerFactory(username="anna", first_name="Anna", last_name="Smirnova")
    boris = ManagerFactory(username="boris", first_name="Boris", last_name="Orlov")
    vera = ManagerFactory(username="vera", first_name="Vera", last_name="Lis")
    anna_clients = [
        sized(anna, "Alfa Kiosk", "small"),
        sized(anna, "Beta Shop", "small"),
        sized(anna, "Gamma Mill", "medium"),
        sized(anna, "Delta Steel", "large", key=True),
        sized(anna, "Epsilon Oil", "largest"),
        sized(anna, "Zeta Old", "medium", inactive=True),
    ]
    boris_clients = [sized(boris, "Omega Plant", "largest", key=True)]
    return Base(anna, boris, vera, anna_clients, boris_clients)
