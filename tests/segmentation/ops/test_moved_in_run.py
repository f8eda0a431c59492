"""The client list filtered by run: the clients that moved in a nightly run, of one kind or any."""

import datetime

import pytest
from django.urls import reverse

from segmentation.models import NightlyRun, SegmentChange
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("accounts:client_list")


@pytest.fixture
def moved(manager, outsider):
    """In one run: Siberian Steel changed tier and category, Ural Pipes (another manager's) tier;
    Baikal Paper moved in an earlier run only."""
    earlier = NightlyRun.objects.create(run_on=datetime.date(2026, 6, 14), status="success")
    run = NightlyRun.objects.create(run_on=datetime.date(2026, 6, 15), status="success")
    steel = ClientFactory(name="Siberian Steel", responsible_manager=manager)
    pipes = ClientFactory(name="Ural Pipes", responsible_manager=outsider)
    paper = ClientFactory(name="Baikal Paper", responsible_manager=manager)
    ClientFactory(name="Angara Timber", responsible_manager=manager)
    SegmentChange.objects.create(run=run, client=steel, kind="tier", old="bronze", new="silver")
    SegmentChange.objects.create(run=run, client=steel, kind="category", old="C", new="B")
    SegmentChange.objects.create(run=run, client=pipes, kind="tier", old="silver", new="gold")
    SegmentChange.objects.create(run=earlier, client=paper, kind="league", old="third", new="second")
    return run


def names(response):
    return [c.name for c in response.context["page"].rows]


def test_the_list_shows_the_clients_that_moved_in_the_run(as_director, moved):
    response = as_director.get(LIST_URL, {"run": moved.pk})

    assert names(response) == ["Siberian Steel", "Ural Pipes"]
    assert "Moved in run: " in response.content.decode()


def test_the_list_shows_the_clients_of_one_kind_of_change(as_director, moved):
    response = as_director.get(LIST_URL, {"run": moved.pk, "moved": "category"})

    assert names(response) == ["Siberian Steel"]
    assert "Moved: Category" in response.content.decode()


def test_a_manager_sees_only_their_own_clients_that_moved(as_manager, moved):
    assert names(as_manager.get(LIST_URL, {"run": moved.pk, "moved": "tier"})) == ["Siberian Steel"]


@pytest.mark.parametrize("run", ["abc", "-1", "99999999999999999999999"])
def test_a_malformed_run_is_ignored_and_said_so(as_director, moved, run):
    response = as_director.get(LIST_URL, {"run": run})

    assert names(response) == ["Angara Timber", "Baikal Paper", "Siberian Steel", "Ural Pipes"]
    assert "Some filters were not understood and were ignored." in response.content.decode()


def test_an_unknown_run_shows_no_client(as_director, moved):
    assert names(as_director.get(LIST_URL, {"run": moved.pk + 100})) == []
