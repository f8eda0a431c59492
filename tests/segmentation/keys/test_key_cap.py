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


def kept_count(capture) -> int:
    """The key count as a page reads it once its request has committed: the count it kept."""
    with capture(execute=True):
        counted = key_cap(Policy.current()).count
    return counted


@pytest.mark.parametrize(
    "change",
    [
        lambda clients: key_client(),
        lambda clients: KeyStatus.objects.filter(client=clients[0]).update(is_key=False),
        lambda clients: KeyStatus.objects.filter(client=clients[0]).delete(),
        lambda clients: Client.objects.filter(pk=clients[1].pk).update(status=Client.Status.INACTIVE),
        lambda clients: Client.objects.filter(pk=clients[1].pk).delete(),
        lambda clients: Client.objects.filter(pk=clients[2].pk).update(status=Client.Status.ACTIVE),
    ],
    ids=["granted", "revoked", "status deleted", "card inactive", "card deleted", "card active"],
)
def test_the_kept_key_count_follows_every_change_at_once(change, django_capture_on_commit_callbacks):
    clients = [key_client(), key_client(), key_client(Client.Status.PROSPECT)]
    assert kept_count(django_capture_on_commit_callbacks) == 2

    change(clients)

    live = KeyStatus.objects.filter(is_key=True, client__status=Client.Status.ACTIVE).count()
    assert live != 2
    assert kept_count(django_capture_on_commit_callbacks) == live
    assert key_cap(Policy.current()).count == live


def test_the_key_count_is_kept_only_once_its_transaction_commits(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    key_client()
    policy = Policy.current()
    key_cap(policy)  # counted, not kept: nothing committed
    with django_assert_num_queries(3):  # the active clients, the version, the key clients
        key_cap(policy)
    kept_count(django_capture_on_commit_callbacks)

    with django_assert_num_queries(2):  # the active clients, the version
        assert key_cap(policy).count == 1
