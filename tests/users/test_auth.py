"""Login, logout, password change, where each role lands, and brute-force lockout (django-axes)."""

import datetime

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from kam.client_ip import client_ip
from tests.users.conftest import PASSWORD, login

BAD_LOGIN = "Please enter a correct username and password. Note that both fields may be case-sensitive."


@pytest.fixture(autouse=True)
def no_failed_logins(db):
    reset()
    yield
    reset()


def test_login_signs_the_user_in_and_goes_home(client, manager):
    response = login(client, "manager")

    assert response.status_code == 302
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(manager.pk)
    manager.refresh_from_db()
    assert manager.last_login is not None


def test_login_follows_a_safe_next(client, manager):
    response = client.post(
        "/login/?next=/users/", {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )

    assert response.url == "/users/"


def test_login_with_a_wrong_password_fails(client, manager):
    response = login(client, "manager", "wrong-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [BAD_LOGIN]
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client, manager):
    manager.is_active = False
    manager.save()

    response = login(client, "manager")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [BAD_LOGIN]


def test_signed_in_user_visiting_login_goes_home(as_manager):
    response = as_manager.get("/login/")

    assert response.status_code == 302
    assert response.url == "/"


def test_logout_is_post_only(as_manager):
    assert as_manager.get("/logout/").status_code == 405
    assert as_manager.get("/").url == "/plans/day/"


def test_logout_ends_the_session(as_manager):
    response = as_manager.post("/logout/")

    assert response.status_code == 302
    assert response.url == "/login/"
    assert "_auth_user_id" not in as_manager.session
    assert as_manager.get("/").url == "/login/?next=/"


def test_password_change_needs_login(client):
    response = client.get("/password/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/password/"


def test_password_change_keeps_the_user_signed_in(as_manager, manager):
    data = {"old_password": PASSWORD, "new_password1": "Quartz-Heron-71", "new_password2": "Quartz-Heron-71"}

    response = as_manager.post("/password/", data)

    assert response.status_code == 302
    assert response.url == "/password/done/"
    manager.refresh_from_db()
    assert manager.check_password("Quartz-Heron-71")
    assert as_manager.get("/").url == "/plans/day/"


def test_password_change_with_a_wrong_old_password_changes_nothing(as_manager, manager):
    data = {"old_password": "nope", "new_password1": "Quartz-Heron-71", "new_password2": "Quartz-Heron-71"}

    response = as_manager.post("/password/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "old_password": ["Your old password was entered incorrectly. Please enter it again."]
    }
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


def test_home_sends_anonymous_users_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/"


@pytest.mark.parametrize(
    ("persona", "landing"),
    [("manager", "/plans/day/"), ("director", "/clients/"), ("admin_user", "/users/")],
)
def test_home_sends_each_role_to_its_work(client, request, persona, landing):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == landing
    expected = {"manager": "plans:day", "director": "accounts:client_list", "admin_user": "users:user_list"}
    assert landing == reverse(expected[persona])


def test_home_refuses_post(as_manager):
    assert as_manager.post("/").status_code == 405


# Brute force: django-axes locks a username from one IP address.


def fail_five_times(client, username="manager", ip="10.0.0.1"):
    return [login(client, username, "wrong-password", ip).status_code for _attempt in range(5)]


def test_fifth_failure_locks_the_username_from_that_address(client, manager):
    statuses = fail_five_times(client)

    assert statuses == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get(username="manager", ip_address="10.0.0.1").failures_since_start == 5


def test_locked_out_user_cannot_log_in_even_with_the_right_password(client, manager):
    fail_five_times(client)

    response = login(client, "manager")

    assert response.status_code == 429
    assert "registration/locked_out.html" in [template.name for template in response.templates]
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, manager, director):
    fail_five_times(client)

    assert login(client, "director").status_code == 302
    client.logout()
    assert login(client, "manager", ip="10.0.0.9").status_code == 302


def test_lockout_ends_after_the_cool_off(client, manager):
    fail_five_times(client)
    expired = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(tz=datetime.UTC) - expired)

    assert login(client, "manager").status_code == 302


def test_cool_off_is_half_an_hour_by_default():
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME) == (5, 0.5)


def test_admin_reset_unlocks_the_username(client, manager):
    fail_five_times(client)

    assert reset(username="manager") == 1
    assert login(client, "manager").status_code == 302


def test_successful_login_clears_earlier_failures(client, manager):
    for _attempt in range(4):
        login(client, "manager", "wrong-password")

    login(client, "manager")
    client.logout()

    assert AccessAttempt.objects.count() == 0
    assert fail_five_times(client)[-1] == 429


# Behind a proxy: the address is read from X-Forwarded-For only through trusted proxies.

PROXY = "10.0.0.254"


def login_via(client, forwarded_for, password="wrong-password", remote_addr=PROXY):
    data = {"username": "manager", "password": password}
    return client.post("/login/", data, REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_no_proxy_is_trusted_by_default():
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "kam.client_ip.client_ip"


def test_without_trusted_proxies_a_spoofed_forwarded_for_changes_nothing(client, manager):
    statuses = [
        login_via(client, f"203.0.113.{attempt}", remote_addr="10.0.0.1").status_code for attempt in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [("10.0.0.1", 5)]
    assert login_via(client, "198.51.100.7", PASSWORD, remote_addr="10.0.0.1").status_code == 429
    assert login_via(client, "10.0.0.1", PASSWORD, remote_addr="10.0.0.9").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_clients_are_counted_apart(client, manager):
    statuses = [login_via(client, "203.0.113.5").status_code for _attempt in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    attempts = AccessAttempt.objects.values_list("ip_address", "failures_since_start")
    assert list(attempts) == [("203.0.113.5", 5)]
    assert not AccessAttempt.objects.filter(ip_address=PROXY).exists()
    assert login_via(client, "203.0.113.5", PASSWORD).status_code == 429
    assert login_via(Client(), "198.51.100.7", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_locked_out_client_cannot_escape_by_prepending_an_address(client, manager):
    for _attempt in range(5):
        login_via(client, "203.0.113.5")

    response = login_via(client, "198.51.100.7, 203.0.113.5", PASSWORD)

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "address"),
    [
        (0, "203.0.113.5", "10.0.0.254"),
        (0, None, "10.0.0.254"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),
        (1, " 203.0.113.5 ", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, None, "10.0.0.254"),
        (1, "", "10.0.0.254"),
        (1, "not-an-address", "10.0.0.254"),
        (2, "198.51.100.7, 203.0.113.5, 10.0.0.253", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.254"),
    ],
)
def test_client_ip_reads_through_the_trusted_proxies_only(proxies, forwarded_for, address, rf):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    request = rf.get("/login/", REMOTE_ADDR=PROXY, **headers)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == address
