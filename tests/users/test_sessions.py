"""The session store (kam/sessions.py): Django's database sessions, each naming its user, read
with that user in one statement."""

import datetime
import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session as OldSession
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from kam.sessions import SessionStore
from kam.users import roles
from kam.users.backends import RoleBackend
from kam.users.models import Session, User
from kam.users.tasks import clear_expired_sessions


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


# The session's user, read with it


def signed_in(client: Client, user: User) -> str:
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_session_names_the_user_signed_in_on_it_and_none_before(client, manager):
    anonymous = SessionStore()
    anonymous["language"] = "ru"
    anonymous.create()

    key = signed_in(client, manager)

    assert Session.objects.get(pk=key).user_id == manager.pk
    assert Session.objects.get(pk=anonymous.session_key).user_id is None


def test_signing_in_through_the_form_names_the_user(client, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "secret-pass-1"})

    assert response.status_code == 302
    assert Session.objects.get().user_id == manager.pk


def test_the_session_and_its_user_come_in_one_query(client, director, assert_queries):
    key = signed_in(client, director)
    request = RequestFactory().get("/")
    request.session = SessionStore(key)

    def who() -> tuple[Any, set[str], bool]:
        user = auth.get_user(request)
        return user, roles.role_names(user), user.has_perm("accounts.assign_client")

    user, names, may_assign = assert_queries(1, who)

    assert (user.pk, names, may_assign) == (director.pk, {roles.SALES_DIRECTOR}, True)


def test_a_session_without_a_user_is_read_in_one_query(db, assert_queries):
    anonymous = SessionStore()
    anonymous["language"] = "ru"
    anonymous.create()

    read = assert_queries(1, lambda: dict(SessionStore(anonymous.session_key).items()))

    assert read == {"language": "ru"}


def test_the_user_read_with_a_session_is_not_kept_past_the_request(client, manager, assert_queries):
    """Read with a session and never asked for (a request that does not look at its user), the user
    is forgotten when the request ends: asked later, they are read anew."""
    SessionStore(signed_in(client, manager)).load()
    User.objects.filter(pk=manager.pk).update(first_name="Renamed")
    request_finished.disconnect(close_old_connections)  # as the test client does
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)

    user = assert_queries(1, lambda: RoleBackend().get_user(manager.pk))

    assert user.first_name == "Renamed"


def test_the_user_read_with_a_session_serves_only_their_own_id(client, manager, director):
    SessionStore(signed_in(client, manager)).load()

    user = RoleBackend().get_user(director.pk)

    assert (user.pk, roles.role_names(user)) == (director.pk, {roles.SALES_DIRECTOR})


def test_a_deleted_users_sessions_go_with_them(client, manager):
    signed_in(client, manager)
    signed_in(Client(), manager)  # a second browser

    manager.delete()

    assert Session.objects.count() == 0


def test_a_deactivated_user_is_signed_out(client, manager):
    signed_in(client, manager)
    User.objects.filter(pk=manager.pk).update(is_active=False)

    response = client.get(reverse("accounts:client_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_password_signs_out_the_other_sessions(client, manager):
    signed_in(client, manager)
    manager.set_password("another-pass-2")
    manager.save()

    response = client.get(reverse("accounts:client_list"))

    assert response.status_code == 302
    assert not Session.objects.filter(user=manager).exists()  # flushed


def test_signing_out_removes_the_session(client, manager):
    key = signed_in(client, manager)

    client.post(reverse("logout"))

    assert not Session.objects.filter(pk=key).exists()


# Sessions signed in before the table named their users (migration users 0002)


def old_session(data: dict[str, Any]) -> str:
    store = DjangoStore()
    store.update(data)
    store.create()
    return store.session_key


def test_the_sessions_kept_before_move_with_their_users(manager):
    users_0002 = importlib.import_module("kam.users.migrations.0002_sessions_with_their_user")
    named = old_session({SESSION_KEY: str(manager.pk), "language": "en"})
    anonymous = old_session({"language": "ru"})
    gone = old_session({SESSION_KEY: str(manager.pk + 1000)})

    users_0002.move_sessions(apps, None)

    moved = {s.pk: (s.user_id, SessionStore(s.pk)["language"]) for s in Session.objects.all()}
    assert moved == {named: (manager.pk, "en"), anonymous: (None, "ru")}
    assert gone not in moved
    assert not OldSession.objects.exists()


def test_the_daily_clearing_deletes_the_expired_sessions_only(client, manager):
    live = signed_in(client, manager)
    expired = SessionStore()
    expired.create()
    past = timezone.now() - datetime.timedelta(seconds=1)
    Session.objects.filter(pk=expired.session_key).update(expire_date=past)

    assert clear_expired_sessions() == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
