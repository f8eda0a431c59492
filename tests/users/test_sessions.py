"""The session store (kam/sessions.py): Django's database sessions, read by one statement."""

import datetime

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from kam.sessions import SessionStore


def test_a_session_is_read_back_as_it_was_saved(db):
    saved = SessionStore()
    saved["language"] = "ru"
    saved["count"] = 3
    saved.create()

    read = SessionStore(saved.session_key)

    assert (read["language"], read["count"]) == ("ru", 3)
    assert read.session_key == saved.session_key


def test_an_expired_or_unknown_session_reads_empty_and_forgets_its_key(db):
    saved = SessionStore()
    saved["language"] = "ru"
    saved.create()
    past = timezone.now() - datetime.timedelta(seconds=1)
    Session.objects.filter(pk=saved.session_key).update(expire_date=past)

    expired = SessionStore(saved.session_key)
    unknown = SessionStore("x" * 32)

    assert (dict(expired.items()), expired.session_key) == ({}, None)
    assert (dict(unknown.items()), unknown.session_key) == ({}, None)


def test_a_signed_in_user_stays_signed_in_until_the_session_expires(client, manager):
    client.force_login(manager)
    assert client.get(reverse("accounts:client_list")).status_code == 200

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get(reverse("accounts:client_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
