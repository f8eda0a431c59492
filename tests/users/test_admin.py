"""The Django admin's user pages, for superusers (the in-app pages are for the admin role)."""

import pytest

from kam.users.models import User
from tests.factories import UserFactory


@pytest.fixture
def as_superuser(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_admin_user_change_page_has_the_language(as_superuser, manager):
    response = as_superuser.get(f"/django-admin/users/user/{manager.pk}/change/")

    assert response.status_code == 200
    assert "language" in response.context["adminform"].form.fields


def test_admin_user_change_saves_the_language(as_superuser, manager):
    page = as_superuser.get(f"/django-admin/users/user/{manager.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if key not in {"password", "groups", "user_permissions", "last_login", "date_joined"}
    }
    data.update(
        {
            "language": "ru",
            "groups": list(manager.groups.values_list("pk", flat=True)),
            "date_joined_0": "2026-01-05",
            "date_joined_1": "10:00:00",
        }
    )

    response = as_superuser.post(f"/django-admin/users/user/{manager.pk}/change/", data)

    assert response.status_code == 302
    assert User.objects.get(pk=manager.pk).language == "ru"


def test_admin_user_list_filters_by_language(as_superuser, manager):
    response = as_superuser.get("/django-admin/users/user/", {"language": ""})

    assert response.status_code == 200
    assert {user.username for user in response.context["cl"].result_list} == {"manager", "root"}
