"""The write layer on its own: what it refuses even when a form did not."""

import pytest
from django.core.exceptions import ValidationError

from kam.users import roles, services
from kam.users.models import User


def profile(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": [roles.ACCOUNT_MANAGER],
        "is_active": user.is_active,
        "language": user.language,
    }
    return {**data, **overrides}


def test_user_create_normalises_and_hashes(db):
    user = services.user_create(
        username="\uff50etrov",  # fullwidth p: NFKC makes it "petrov"
        first_name="Pyotr",
        last_name="Petrov",
        email="Petrov@EXAMPLE.COM",
        roles=[roles.SALES_DIRECTOR],
        is_active=True,
        language="en",
        password="Quartz-Heron-71",
    )

    user.refresh_from_db()
    assert (user.username, user.email) == ("petrov", "Petrov@example.com")
    assert user.password != "Quartz-Heron-71"
    assert user.check_password("Quartz-Heron-71")
    assert list(user.groups.values_list("name", flat=True)) == [roles.SALES_DIRECTOR]


def test_user_create_refuses_a_duplicate_username(manager):
    with pytest.raises(ValidationError) as error:
        services.user_create(**profile(manager, first_name="Other"), password="Quartz-Heron-71")

    assert error.value.message_dict == {"username": ["A user with that username already exists."]}
    assert User.objects.filter(username="manager").count() == 1


@pytest.mark.parametrize(
    ("chosen", "message"),
    [([], "Choose at least one role."), (["emperor"], "Unknown role: emperor")],
)
def test_user_create_refuses_bad_roles_and_writes_nothing(db, chosen, message):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            username="ghost",
            first_name="",
            last_name="",
            email="",
            roles=chosen,
            is_active=True,
            language="",
            password="Quartz-Heron-71",
        )

    assert error.value.message_dict == {"roles": [message]}
    assert not User.objects.filter(username="ghost").exists()


def test_user_update_refuses_self_lockout_and_writes_nothing(admin_user):
    with pytest.raises(ValidationError) as error:
        services.user_update(
            actor=admin_user, user=admin_user, **profile(admin_user, first_name="Alina", is_active=False)
        )

    assert error.value.message_dict == {
        "is_active": ["You cannot deactivate yourself."],
        "roles": ["You cannot remove your own admin role."],
    }
    admin_user.refresh_from_db()
    assert (admin_user.first_name, admin_user.is_active) == ("Alla", True)
    assert list(admin_user.groups.values_list("name", flat=True)) == [roles.ADMIN]


def test_superuser_may_drop_the_admin_role_from_themselves(db):
    root = User.objects.create_superuser("root", "root@example.com", "Quartz-Heron-71")

    services.user_update(actor=root, user=root, **profile(root, roles=[roles.SALES_DIRECTOR]))

    assert list(root.groups.values_list("name", flat=True)) == [roles.SALES_DIRECTOR]


def test_user_update_deactivates(admin_user, manager):
    services.user_update(actor=admin_user, user=manager, **profile(manager, is_active=False))

    manager.refresh_from_db()
    assert manager.is_active is False


def test_user_set_language_refuses_an_unknown_language(manager):
    with pytest.raises(ValidationError):
        services.user_set_language(user=manager, language="xx")

    manager.refresh_from_db()
    assert manager.language == ""
