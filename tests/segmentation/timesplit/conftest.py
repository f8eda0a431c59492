"""A hand-made month of touches and development activities for two managers, Anna and Boris, with
clients of every category, and the figures it must give (worked out by hand below).

January 2026, today 10 February 2026:

| entry | client | date | minutes | our people (else the author) | counts for |
|---|---|---|---|---|---|
| touch 1 | A | 01.01 (first day) | 60 | Anna | Anna, communication |
| touch 2 | B | 31.01 (last day) | 30 | Anna, Boris | both, communication |
| touch 3 | C | 15.01 | 20 | nobody, author Anna | Anna, service |
| touch 4 | C | 15.01 | 40 | Boris, author Anna | Boris, service |
| touch 5 | D | 10.01 | 15 | Anna | Anna, other |
| touch 6 | no segment | 10.01 | 10 | nobody, author Boris | Boris, other |
| touch 7 | blank category | 11.01 | 5 | Anna | Anna, other |
| touch 8 | A | 12.01 | none | Anna | Anna, communication, without duration |
| touch 9 | A | 31.12.2025 | 100 | Anna | outside the period |
| touch 10 | A | 01.02 | 100 | Anna | outside the period |
| touch 11 | A | 05.01 | 50 | the director, author Anna | the director: not a manager |
| activity 1 | A | 20.01 | 120 | Anna | Anna, development |
| activity 2 | D | 21.01 | 60 | nobody, author Boris | Boris, development |
| activity 3 | C | 22.01 | none | Anna, Boris | both, development, without duration |
| activity 4 | C | 01.02 | 45 | Anna | outside the period |

Anna: communication 90, service 20, development 120, other 20 = 250 minutes.
Boris: communication 30, service 40, development 60, other 10 = 140 minutes.
"""

import datetime
from dataclasses import dataclass

import pytest

from accounts.models import Client
from kam.users.models import User
from plans.models import Activity, ActivityKind, Rung
from segmentation.models import ClientSegment
from tests.factories import ClientFactory, DirectorFactory, ManagerFactory, TouchFactory

SINCE = datetime.date(2026, 1, 1)
UNTIL = datetime.date(2026, 1, 31)
TODAY = datetime.date(2026, 2, 10)


def day(month: int, number: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, number)


@dataclass
class Month:
    anna: User
    boris: User
    director: User
    clients: dict[str, Client]


def touch(client, date, minutes, *, people=(), author):
    found = TouchFactory(client=client, date=date, duration_minutes=minutes, created_by=author)
    found.participants.set(people)
    return found


def activity(client, date, minutes, *, people=(), author):
    found = Activity.objects.create(
        client=client,
        kind=ActivityKind.TRAINING,
        rung=Rung.STAFF,
        title="Course",
        date=date,
        duration_minutes=minutes,
        created_by=author,
    )
    found.our_people.set(people)
    return found


@pytest.fixture
def month(db) -> Month:
    anna = ManagerFactory(username="anna", first_name="Anna", last_name="Smirnova")
    boris = ManagerFactory(username="boris", first_name="Boris", last_name="Belov")
    director = DirectorFactory(username="dima", first_name="Dmitry", last_name="Volkov")
    clients = {name: ClientFactory(name=f"Client {name}", responsible_manager=anna) for name in "ABCD"}
    clients["none"] = ClientFactory(name="Client without a segment", responsible_manager=boris)
    clients["blank"] = ClientFactory(name="Client without a category", responsible_manager=boris)
    for name in "ABCD":
        ClientSegment.objects.create(client=clients[name], category=name)
    ClientSegment.objects.create(client=clients["blank"], category="")
    a, b, c, d = (clients[name] for name in "ABCD")
    touch(a, day(1, 1), 60, people=[anna], author=anna)
    touch(b, day(1, 31), 30, people=[anna, boris], author=boris)
    touch(c, day(1, 15), 20, author=anna)
    touch(c, day(1, 15), 40, people=[boris], author=anna)
    touch(d, day(1, 10), 15, people=[anna], author=anna)
    touch(clients["none"], day(1, 10), 10, author=boris)
    touch(clients["blank"], day(1, 11), 5, people=[anna], author=anna)
    touch(a, day(1, 12), None, people=[anna], author=anna)
    touch(a, day(12, 31, 2025), 100, people=[anna], author=anna)
    touch(a, day(2, 1), 100, people=[anna], author=anna)
    touch(a, day(1, 5), 50, people=[director], author=anna)
    activity(a, day(1, 20), 120, people=[anna], author=anna)
    activity(d, day(1, 21), 60, author=boris)
    activity(c, day(1, 22), None, people=[anna, boris], author=anna)
    activity(c, day(2, 1), 45, people=[anna], author=anna)
    return Month(anna, boris, director, clients)
