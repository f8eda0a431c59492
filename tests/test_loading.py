"""Models read without `Model.__init__` (kam.loading.QuickLoaded): the instance Django's own
way would make, and Django's way where that matters."""

from typing import Any
from unittest import mock

import pytest
from django.db import models
from django.db.models.signals import post_init

from accounts.models import Client, Industry
from kam.loading import QuickLoaded
from kam.users.models import User
from segmentation.models import ClientSegment
from tests.factories import ClientFactory, IndustryFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def _django_s(model: type[models.Model], row: models.Model) -> models.Model:
    """The instance `Model.from_db` makes of the same values."""
    names = [field.attname for field in model._meta.concrete_fields]
    return models.Model.from_db.__func__(model, "default", names, [row.__dict__[n] for n in names])


def _fields(instance: models.Model) -> dict[str, Any]:
    return {name: value for name, value in instance.__dict__.items() if name != "_state"}


@pytest.fixture
def client() -> Client:
    return ClientFactory(responsible_manager=ManagerFactory(), industry=IndustryFactory())


def test_a_row_becomes_the_instance_django_would_make(client: Client) -> None:
    read = Client.objects.select_related("industry", "responsible_manager").get(pk=client.pk)
    for model, row in ((Client, read), (Industry, read.industry), (User, read.responsible_manager)):
        assert issubclass(model, QuickLoaded)
        made = _django_s(model, row)
        assert _fields(row) == _fields(made)
        assert (row._state.adding, row._state.db) == (False, "default")
    assert read.industry.pk == client.industry_id
    assert read.responsible_manager.pk == client.responsible_manager_id


def test_no_init_runs(client: Client) -> None:
    with mock.patch.object(Client, "__init__", side_effect=AssertionError("__init__ ran")):
        read = Client.objects.get(pk=client.pk)
        with pytest.raises(AssertionError, match="__init__ ran"):
            Client.objects.only("name").get(pk=client.pk)  # deferred: Django's way
    assert read.name == client.name


def test_an_instance_read_so_changes_and_saves_as_any(client: Client) -> None:
    other = IndustryFactory.create()
    read = Client.objects.get(pk=client.pk)
    assert read.industry == client.industry  # read through its foreign key
    read.industry = other
    read.name = "Renamed"
    read.save()

    again = Client.objects.get(pk=client.pk)
    assert (again.name, again.industry_id) == ("Renamed", other.pk)
    assert not read._state.adding
    read.refresh_from_db()
    assert read.name == "Renamed"


def test_a_one_to_one_primary_key_reads_its_client(client: Client) -> None:
    ClientSegment.objects.create(client=client)
    segment = ClientSegment.objects.get(client_id=client.pk)
    assert segment.pk == client.pk
    assert segment.client == client


def test_a_row_with_deferred_fields_is_made_as_django_makes_it(client: Client) -> None:
    read = Client.objects.only("name").get(pk=client.pk)
    assert read.get_deferred_fields() >= {"inn", "industry_id"}
    assert read.inn == client.inn


def test_a_post_init_receiver_sees_every_instance(client: Client) -> None:
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Client)
    try:
        read = Client.objects.get(pk=client.pk)
    finally:
        post_init.disconnect(receiver, sender=Client)
    assert seen == [read]
    assert seen[0] is read
