"""accounts.selectors.with_people: each touch's contacts and participants, as the prefetches
of `touches.contacts` and `touches.participants` read them, in two queries."""

import pytest

from accounts import selectors
from accounts.models import Touch
from tests.factories import ClientFactory, ContactFactory, ManagerFactory, TouchFactory


@pytest.fixture
def touches(db):
    client = ClientFactory()
    anna = ContactFactory(client=client, name="Anna", influence=1)
    boris = ContactFactory(client=client, name="Boris", influence=3)
    gone = ContactFactory(client=client, name="Aaron", influence=5, is_active=False)
    vera = ManagerFactory(first_name="Vera", last_name="Zotova")
    ivan = ManagerFactory(first_name="Ivan", last_name="Antonov")
    both, theirs_only, nobody = TouchFactory.create_batch(3, client=client)
    both.contacts.set([anna, gone, boris])
    both.participants.set([vera, ivan])
    theirs_only.contacts.set([anna])
    return client, [both, theirs_only, nobody]


def test_each_touch_has_its_people_in_their_models_order(touches):
    client, made = touches
    expected = {touch.pk: (list(touch.contacts.all()), list(touch.participants.all())) for touch in made}

    found = selectors.with_people(list(Touch.objects.filter(client=client)))

    assert {t.pk: (t.their_people, t.our_people) for t in found} == expected
    both = next(t for t in found if t.pk == made[0].pk)
    assert [c.name for c in both.their_people] == ["Boris", "Anna", "Aaron"]  # active, influence
    assert [u.last_name for u in both.our_people] == ["Antonov", "Zotova"]


def test_people_of_many_touches_take_two_queries(touches, django_assert_num_queries):
    client, _ = touches
    rows = list(Touch.objects.filter(client=client))
    with django_assert_num_queries(2):
        selectors.with_people(rows)


def test_no_touches_take_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.with_people([]) == []
