"""Login, logout, password change, where each role lands, and brute-force lockout (django-axes)."""

import datetime

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.urls import reverse

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
    assert as_manager.get("/").url == "/clients/"


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
    assert as_manager.get("/").url == "/clients/"


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
    [("manager", "/clients/"), ("director", "/clients/"), ("admin_user", "/users/")],
)
def test_home_sends_each_role_to_its_work(client, request, persona, landing):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == landing
    assert landing == (
        reverse("users:user_list") if persona == "admin_user" else reverse("accounts:client_list")
    )


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
