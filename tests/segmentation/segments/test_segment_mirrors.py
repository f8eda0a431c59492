"""What a segment keeps of its client in step with it, in the database (migration segmentation
0038; the name: tests/test_joins.py): whether the client is key, which the win-back list's lost
key clients are read by."""

import pytest
from django.db import connection

from segmentation.models import ClientSegment, KeyStatus, LostStatus
from segmentation.segments import engine
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def is_key(client):
    return ClientSegment.objects.values_list("is_key", flat=True).get(client=client)


def test_a_segment_follows_its_clients_key_status():
    client = ClientFactory()
    ClientSegment.objects.create(client=client, lost_status=LostStatus.LOST)
    assert is_key(client) is False
    status = KeyStatus.objects.create(client=client, is_key=True)
    assert is_key(client) is True
    status.is_key = False
    status.save()
    assert is_key(client) is False
    KeyStatus.objects.filter(client=client).update(is_key=True)
    assert is_key(client) is True
    status.delete()
    assert is_key(client) is False


def test_a_segment_inserted_after_the_status_takes_it():
    key, revoked, plain = ClientFactory(), ClientFactory(), ClientFactory()
    KeyStatus.objects.create(client=key, is_key=True)
    KeyStatus.objects.create(client=revoked, is_key=False)
    ClientSegment.objects.bulk_create([ClientSegment(client=c) for c in (key, revoked, plain)])
    assert [is_key(c) for c in (key, revoked, plain)] == [True, False, False]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # no foreign key check pending, which TRUNCATE refuses
def test_truncating_the_key_statuses_clears_every_segment():
    client = ClientFactory()
    ClientSegment.objects.create(client=client)
    KeyStatus.objects.create(client=client, is_key=True)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {KeyStatus._meta.db_table}")
    assert is_key(client) is False


@pytest.mark.django_db(transaction=True)
def test_the_nightly_run_writes_each_new_segment_with_its_clients_key_status():
    key, plain = ClientFactory(), ClientFactory()
    KeyStatus.objects.create(client=key, is_key=True)
    engine.recompute()
    assert dict(ClientSegment.objects.values_list("client_id", "is_key")) == {key.pk: True, plain.pk: False}
