"""The version of the client list's filter choices (`ChoicesVersion`): changed by the database
with whatever the filters offer, so that a process keeps the choices it read until it changes."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.filters import ManagerListFilter, reference_choices
from accounts.models import ChoicesVersion, Client, Industry, PointOfPresence
from kam.users.backends import RoleBackend
from kam.users.models import User
from kam.users.roles import ACCOUNT_MANAGER
from tests.factories import ClientFactory, IndustryFactory, ManagerFactory, PointFactory, UserFactory

LIST_URL = reverse("accounts:client_list")
# Committed, as a request's changes are: on PostgreSQL the version changes as a transaction
# commits, and inside one the list reads its choices every time.
pytestmark = pytest.mark.django_db(transaction=True)


def version() -> int:
    return ChoicesVersion.objects.get().version


@pytest.fixture
def world(db, manager, outsider) -> dict[str, Any]:
    ChoicesVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks it
    steel = IndustryFactory(name="Steel")
    unused = IndustryFactory(name="Wood")
    client = ClientFactory(name="Alpha Mills", industry=steel, responsible_manager=manager)
    point = PointFactory(client=client, country="RU", region="RU-MOW", city="Moscow")
    plain = UserFactory()  # no role
    people = {"manager": manager, "outsider": outsider, "plain": plain}
    return {**people, "steel": steel, "unused": unused, "client": client, "point": point}


def _regroup(user: User, role: str, add: bool) -> None:
    group = Group.objects.get(name=role)
    (user.groups.add if add else user.groups.remove)(group)


CHANGES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "a point in a new region": lambda w: PointFactory(client=w["client"], country="RU", region="RU-SPE"),
    "a point moved to another region": lambda w: PointOfPresence.objects.filter(pk=w["point"].pk).update(
        region="RU-KDA"
    ),
    "a point removed": lambda w: w["point"].delete(),
    "an industry added": lambda w: IndustryFactory(name="Food"),
    "an industry renamed": lambda w: Industry.objects.filter(pk=w["steel"].pk).update(name="Steel and iron"),
    "an industry removed": lambda w: Industry.objects.filter(pk=w["unused"].pk).delete(),
    "a manager added": lambda w: ManagerFactory(),
    "a user renamed": lambda w: User.objects.filter(pk=w["outsider"].pk).update(last_name="Renamed"),
    "a user deactivated": lambda w: User.objects.filter(pk=w["manager"].pk).update(is_active=False),
    "a role taken away": lambda w: _regroup(w["outsider"], ACCOUNT_MANAGER, add=False),
    "a role given": lambda w: _regroup(w["plain"], ACCOUNT_MANAGER, add=True),
    "a role renamed": lambda w: Group.objects.filter(name=ACCOUNT_MANAGER).update(name="Sellers"),
    "a client added": lambda w: ClientFactory(responsible_manager=w["outsider"]),
    "a client reassigned": lambda w: Client.objects.filter(pk=w["client"].pk).update(
        responsible_manager=w["outsider"]
    ),
    "a client left unassigned": lambda w: Client.objects.filter(pk=w["client"].pk).update(
        responsible_manager=None
    ),
    "a client removed": lambda w: Client.objects.filter(pk=w["client"].pk).delete(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_of_what_the_filters_offer_changes_the_version(world, change):
    before = version()

    CHANGES[change](world)

    assert version() != before


UNCHANGED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "a client renamed": lambda w: Client.objects.filter(pk=w["client"].pk).update(name="Alpha Steel"),
    "a client's notes": lambda w: Client.objects.filter(pk=w["client"].pk).update(notes="Call in May"),
    "a point's city": lambda w: PointOfPresence.objects.filter(pk=w["point"].pk).update(city="Zelenograd"),
    "a login": lambda w: User.objects.filter(pk=w["manager"].pk).update(last_login=timezone.now()),
}


@pytest.mark.parametrize("change", UNCHANGED)
def test_what_the_filters_do_not_show_leaves_the_version(world, change):
    before = version()

    UNCHANGED[change](world)

    assert version() == before


def test_the_choices_are_read_once_for_a_version_and_again_when_it_changes(world, django_assert_num_queries):
    now = version()
    first = reference_choices(people=True, version=now)
    with django_assert_num_queries(0):
        kept = reference_choices(people=True, version=now)
    assert kept is first

    IndustryFactory(name="Food")
    changed = version()

    with django_assert_num_queries(1):
        again = reference_choices(people=True, version=changed)
    assert [name for _pk, name in again.industries] == ["Food", "Steel", "Wood"]
    with django_assert_num_queries(1):  # no version: read every time
        assert reference_choices(people=True) == again


def test_the_list_reads_its_choices_once_and_shows_a_change_at_once(
    world, director, browser_for, assert_queries
):
    # the session with the user (their columns and the choices' version among what is read with
    # them), the choices, the count, the keys, the rows
    browser = browser_for(director)
    assert_queries(5, lambda: browser.get(LIST_URL))

    response = assert_queries(4, lambda: browser.get(LIST_URL))  # the choices kept
    assert ">Steel</option>" in response.content.decode()

    IndustryFactory(name="Food")
    response = assert_queries(5, lambda: browser.get(LIST_URL))
    assert ">Food</option>" in response.content.decode()

    PointFactory(client=world["client"], country="RU", region="RU-SPE", city="Saint Petersburg")
    response = assert_queries(5, lambda: browser.get(LIST_URL))
    assert 'value="RU-SPE"' in response.content.decode()
    response = assert_queries(4, lambda: browser.get(LIST_URL))
    assert 'value="RU-SPE"' in response.content.decode()


def test_without_its_row_the_choices_are_read_every_time(world, director, browser_for, assert_queries):
    browser = browser_for(director)
    ChoicesVersion.objects.all().delete()

    assert_queries(5, lambda: browser.get(LIST_URL))
    assert_queries(5, lambda: browser.get(LIST_URL))


def test_the_filter_fields_are_made_once_for_a_version(world, director, browser_for):
    browser = browser_for(director)
    fields = browser.get(LIST_URL).context["filters"].form.fields

    kept = browser.get(LIST_URL, {"status": "active"}).context["filters"].form.fields
    assert kept["region"] is fields["region"]
    assert kept["manager"] is fields["manager"]

    PointFactory(client=world["client"], country="RU", region="RU-SPE", city="Saint Petersburg")
    made = browser.get(LIST_URL).context["filters"].form.fields
    assert made["region"] is not fields["region"]
    assert [code for code, _name in made["region"].choices] == ["", "RU-MOW", "RU-SPE"]


def test_kept_fields_speak_each_language(world, director, browser_for):
    browser = browser_for(director)
    english = browser.get(LIST_URL).content.decode()
    User.objects.filter(pk=director.pk).update(language="ru")  # the version stays

    russian = browser.get(LIST_URL).content.decode()
    User.objects.filter(pk=director.pk).update(language="en")
    again = browser.get(LIST_URL).content.decode()

    assert '<option value="RU-MOW">Moscow</option>' in english
    assert '<option value="RU-MOW">Москва</option>' in russian
    assert '<option value="RU-MOW">Moscow</option>' in again


def test_a_value_not_offered_is_refused_once_and_leaves_the_kept_fields_alone(world, director, browser_for):
    browser = browser_for(director)
    browser.get(LIST_URL)

    refused = browser.get(LIST_URL, {"region": "XX-NOPE"}).content.decode()
    fine = browser.get(LIST_URL, {"region": "RU-MOW"})

    assert "Some filters were not understood" in refused
    assert "Some filters were not understood" not in fine.content.decode()
    assert [client.name for client in fine.context["page"].rows] == ["Alpha Mills"]


@pytest.mark.django_db(transaction=False)
def test_in_a_transaction_the_list_reads_its_choices_every_time(world, director, browser_for, assert_queries):
    """Its own changes change the version only as it commits (PostgreSQL): a list read in a
    transaction keeps nothing, and reads what the transaction wrote."""
    browser = browser_for(director)
    assert_queries(5, lambda: browser.get(LIST_URL))
    assert_queries(5, lambda: browser.get(LIST_URL))

    IndustryFactory(name="Food")

    assert ">Food</option>" in browser.get(LIST_URL).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_a_long_transaction_does_not_hold_back_another_change_of_the_version(world):
    """An import adding clients in one long transaction does not make every other change of
    what the filters offer (an industry renamed here) wait for it: the version changes as each
    transaction commits."""
    before = version()
    done: list[str] = []

    def rename() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
            Industry.objects.filter(pk=world["steel"].pk).update(name="Steel and iron")
            done.append("renamed")
        finally:
            connections["default"].close()

    with transaction.atomic():
        ClientFactory(name="Imported", responsible_manager=world["manager"])
        other = threading.Thread(target=rename)
        other.start()
        other.join()
        assert done == ["renamed"]  # not held back by the open transaction
        during = version()

    assert during != before  # the rename, committed
    assert version() != during  # the import, as it commits


def test_a_list_by_manager_reads_its_people_once_for_a_version_and_shows_a_new_one_at_once(
    world, director, browser_for, assert_queries
):
    """A filter by manager (`ManagerListFilter`: the key candidates, the estimates to do) takes
    the people of the client list's choices, kept for the version read with the signed-in user."""

    def people() -> list[Any]:
        signed_in = RoleBackend().get_user(director.pk)  # as a request reads them, with the version
        filters = ManagerListFilter(None, queryset=Client.objects.all(), user=signed_in)
        return list(iter(filters.form.fields["manager"].choices))  # not len(): a COUNT

    first = assert_queries(2, people)  # the user, then the people among the choices
    assert assert_queries(1, people) == first  # the user alone: the people kept
    assert (world["manager"].pk, "Anna Smirnova") in first

    newcomer = ManagerFactory(first_name="Nina", last_name="Newcomer")
    assert (newcomer.pk, "Nina Newcomer") in assert_queries(2, people)
    assert (newcomer.pk, "Nina Newcomer") in assert_queries(1, people)

    page = browser_for(director).get(reverse("segmentation:candidates")).content.decode()
    assert f'<option value="{newcomer.pk}">Nina Newcomer</option>' in page
