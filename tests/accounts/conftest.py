"""Fixtures for the client-account views: a fully filled card, and helpers to check what a request wrote."""

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Client, Contact, PointOfPresence, Refusal, TeamMember, Touch
from accounts.validators import WEIGHTS_10, inn_check_digit
from tests.factories import (
    ContactFactory,
    ManagerFactory,
    PointFactory,
    RefusalFactory,
    TeamMemberFactory,
    TouchFactory,
)


@dataclass
class Card:
    """A client with one entry of each kind and an account-team member."""

    client: Client
    entries: dict[str, Any]
    member: TeamMember


@pytest.fixture
def teammate(db):
    return ManagerFactory(username="teammate", first_name="Tanya", last_name="Orlova")


@pytest.fixture
def card(client_card, teammate):
    member = TeamMemberFactory.create(client=client_card, user=teammate, role=TeamMember.Role.TECHNICAL)
    entries = {
        "contacts": ContactFactory(client=client_card, name="Ivan Kuzmin", influence=60),
        "points": PointFactory(client=client_card, region="RU-KYA", city="Krasnoyarsk"),
        "touches": TouchFactory(client=client_card, summary="Agreed on a trial batch"),
        "refusals": RefusalFactory(client=client_card, reason=Refusal.Reason.PRICE),
    }
    return Card(client=client_card, entries=entries, member=member)


def valid_inn(body: str) -> str:
    """A 10-digit company INN: nine digits plus their check digit."""
    return body + str(inn_check_digit(body, WEIGHTS_10))


def card_state(client: Client) -> dict[str, Any]:
    """Everything a request on the card could write, to prove a refused one wrote nothing."""
    client.refresh_from_db()
    return {
        "client": (client.name, client.version, client.responsible_manager_id, client.status),
        "team": sorted(TeamMember.objects.filter(client=client).values_list("user_id", "role")),
        "contacts": sorted(Contact.objects.filter(client=client).values_list("id", "name", "influence")),
        "points": sorted(PointOfPresence.objects.filter(client=client).values_list("id", "region", "city")),
        "touches": sorted(Touch.objects.filter(client=client).values_list("id", "summary")),
        "refusals": sorted(Refusal.objects.filter(client=client).values_list("id", "reason", "note")),
    }
