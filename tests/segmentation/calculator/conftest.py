"""A hand-made base for the workload calculator: 3 A, 5 B, 10 C and 2 D active clients over two
managers, nobody and a manager who has left, two active clients without a category, and the
clients the calculator must leave out (inactive and prospect cards)."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import Client
from kam.users.models import User
from segmentation.models import ClientSegment
from tests.factories import ClientFactory, ManagerFactory

URL = reverse("segmentation:calculator")


@dataclass
class Base:
    anna: User
    boris: User
    left: User


def clients(manager, category, count=1, status=Client.Status.ACTIVE):
    """`count` clients of `manager` in `category` ("" no category yet, None no segment row)."""
    made = ClientFactory.create_batch(count, responsible_manager=manager, status=status)
    if category is not None:
        ClientSegment.objects.bulk_create([ClientSegment(client=c, category=category) for c in made])
    return made


@pytest.fixture
def base(db, policy):
    """Anna: 2 A, 3 B, 4 C, 1 D and one client the nightly run has not seen (no segment row);
    Boris: 1 A, 1 B, 5 C and one with no category; nobody: 1 C, 1 D; a manager who has left: 1 B.
    Left out: an inactive A client of Anna's and a prospect A client of Boris's."""
    anna = ManagerFactory(username="anna", first_name="Anna", last_name="Antonova")
    boris = ManagerFactory(username="boris", first_name="Boris", last_name="Borisov")
    left = ManagerFactory(username="left", first_name="Lev", last_name="Leavov", is_active=False)
    for manager, counts in [(anna, "AABBBCCCCD"), (boris, "ABCCCCC"), (None, "CD"), (left, "B")]:
        for category in set(counts):
            clients(manager, category, counts.count(category))
    clients(anna, None)
    clients(boris, "")
    clients(anna, "A", status=Client.Status.INACTIVE)
    clients(boris, "A", status=Client.Status.PROSPECT)
    return Base(anna=anna, boris=boris, left=left)
