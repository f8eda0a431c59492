"""The key cap counts the same clients in the key count and the base: active cards (DOMAIN §4)."""

import pytest

from accounts.models import Client
from segmentation.keys import services as key_status
from segmentation.keys.selectors import key_cap
from segmentation.keys.services import KeyStatusRefused
from segmentation.models import ClientSegment, KeyStatus, Policy
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def key_client(status: str = Client.Status.ACTIVE) -> Client:
    client = ClientFactory(status=status)
    KeyStatus.objects.create(client=client, is_key=True, reasons=["strategic"])
    return client


@pytest.mark.parametrize("status", [Client.Status.PROSPECT, Client.Status.INACTIVE])
def test_a_key_client_whose_card_is_not_active_is_in_neither_count(status):
    ClientFactory.create_batch(8)
    key_client()
    key_client()
    key_client(status)

    cap = key_cap(Policy.current())

    assert (cap.active, cap.count, cap.limit, cap.over) == (10, 2, 2, False)


def test_a_key_card_that_became_inactive_leaves_both_counts():
    ClientFactory.create_batch(9)
    leaving = key_client()
    before = key_cap(Policy.current())
    Client.objects.filter(pk=leaving.pk).update(status=Client.Status.INACTIVE)

    after = key_cap(Policy.current())

    assert (before.active, before.count) == (10, 1)
    assert (after.active, after.count) == (9, 0)


def test_the_refusal_quotes_the_same_counts(director):
    ClientFactory.create_batch(8)
    key_client()
    key_client()
    key_client(Client.Status.INACTIVE)  # neither in the base nor among the 2 key clients
    target = ClientFactory(name="Candidate", responsible_manager=director)
    ClientSegment.objects.create(client=target, tier="gold")

    with pytest.raises(KeyStatusRefused) as refused:
        key_status.key_grant(client=target, reasons=["potential"], note="", by=director)

    assert refused.value.message == (
        "Refused: key clients may not exceed 20% of the 11 active clients (2). "
        "There are already 2 key clients."
    )
    assert KeyStatus.objects.filter(client=target).exists() is False


def test_revoked_and_no_key_clients_count_none():
    ClientFactory.create_batch(4)
    assert key_cap(Policy.current()).count == 0

    revoked = key_client()
    KeyStatus.objects.filter(client=revoked).update(is_key=False)

    assert (key_cap(Policy.current()).count, key_cap(Policy.current(), excluding=revoked).count) == (0, 0)
    assert key_cap(Policy.current(), excluding=key_client()).count == 0
    assert key_cap(Policy.current()).count == 1
