"""Notifications of every kind: `notify`, their words (en/ru), where opening one leads, the badge
and the digest."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from segmentation.models import Notification
from segmentation.notifications.selectors import directors
from segmentation.notifications.services import notify, send_digests
from tests.factories import ClientFactory, DirectorFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("segmentation:notification_list")
NOW = datetime.datetime(2025, 6, 30, 7, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
CAP = {"count": 12, "limit": 10, "share": "20", "base": 52}


@pytest.fixture
def flagged(director):
    """A key client now bronze and a cap overrun, told to the director."""
    client = ClientFactory(name="Angara Timber")
    notify(directors(), Notification.Kind.KEY_BRONZE, client=client)
    notify(directors(), Notification.Kind.CAP_OVERRUN, details=CAP)
    return client


def test_notify_tells_each_active_director_in_one_insert(director, manager, assert_queries):
    DirectorFactory(username="gone", is_active=False)
    other = DirectorFactory(username="second")
    client = ClientFactory()

    told = assert_queries(2, lambda: notify(directors(), Notification.Kind.KEY_BRONZE, client=client))

    rows = Notification.objects.order_by("user_id").values_list("user_id", "kind", "client_id", "change_id")
    assert told == 2
    assert list(rows) == [
        (director.pk, "key_bronze", client.pk, None),
        (other.pk, "key_bronze", client.pk, None),
    ]


def test_the_list_says_each_kind_in_words(as_director, flagged):
    response = as_director.get(LIST_URL)

    assert [text for _n, text in response.context["rows"]] == [
        "Key clients over the cap: 12 key clients, the cap is 10 (20% of 52 active clients).",
        "Angara Timber is a key client and now bronze: review its key status.",
    ]


def test_the_list_says_each_kind_in_russian(as_director, director, flagged):
    director.language = "ru"
    director.save()

    response = as_director.get(LIST_URL)

    assert [text for _n, text in response.context["rows"]] == [
        "Ключевых клиентов больше предела: 12 ключевых клиентов, предел 10 (20% от 52 активных клиентов).",
        "Angara Timber — ключевой клиент, а теперь бронзовый: пересмотрите его ключевой статус.",
    ]


def test_opening_a_key_bronze_notification_opens_the_card_and_marks_it_read(as_director, flagged):
    notification = Notification.objects.get(kind="key_bronze")

    response = as_director.post(reverse("segmentation:notification_open", args=[notification.pk]))

    notification.refresh_from_db()
    assert response.url == reverse("accounts:client_detail", args=[flagged.pk])
    assert notification.read_at is not None


def test_opening_a_cap_notification_opens_the_key_list(as_director, flagged):
    notification = Notification.objects.get(kind="cap_overrun")

    response = as_director.post(reverse("segmentation:notification_open", args=[notification.pk]))

    assert response.url == reverse("segmentation:candidates")


def test_a_director_cannot_open_another_directors_notification(flagged, browser_for):
    other = DirectorFactory(username="other")
    notification = Notification.objects.get(kind="cap_overrun")

    response = browser_for(other).post(reverse("segmentation:notification_open", args=[notification.pk]))

    notification.refresh_from_db()
    assert response.status_code == 404
    assert notification.read_at is None


def test_the_badge_counts_every_kind(as_director, flagged):
    response = as_director.get(LIST_URL)

    assert response.context["unread_notification_count"]() == 2


def test_the_digest_lists_every_kind(director, flagged):
    send_digests(now=NOW)

    assert mail.outbox[0].subject == "KAM: 2 new notifications"
    assert (
        "- Angara Timber is a key client and now bronze: review its key status.\n"
        "- Key clients over the cap: 12 key clients, the cap is 10 (20% of 52 active clients).\n"
    ) in mail.outbox[0].body
