from django.contrib.auth.models import Group, Permission

from kam.users import roles
from kam.users.backends import RoleBackend, load
from kam.users.models import User


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_roles_and_permissions_come_in_one_query(director, django_assert_num_queries):
    user = fresh(director)
    with django_assert_num_queries(1):
        assert roles.role_names(user) == {roles.SALES_DIRECTOR}
        assert user.get_all_permissions() == {
            "accounts.view_all_clients",
            "accounts.assign_client",
            "segmentation.decide_key_status",
        }
        assert user.has_perm("accounts.assign_client")
        assert not user.has_perm("users.manage_users")
        assert roles.is_sales_director(user)
        assert not roles.is_admin(user)


def test_permissions_first_then_roles_is_still_one_query(manager, django_assert_num_queries):
    user = fresh(manager)
    with django_assert_num_queries(1):
        assert user.has_perm("accounts.change_client")
        assert roles.is_account_manager(user)


def give_extras(user: User, group: str) -> None:
    """A group that is no role, with a permission, and a permission of the user's own."""
    extra = Group.objects.create(name=group)
    extra.permissions.add(Permission.objects.get(codename="manage_reference_data"))
    user.groups.add(extra)
    user.user_permissions.add(Permission.objects.get(codename="view_all_clients"))


def test_a_users_own_permission_and_a_group_that_is_no_role_count(manager):
    give_extras(manager, "Auditors")
    user = fresh(manager)

    assert roles.role_names(user) == {roles.ACCOUNT_MANAGER, "Auditors"}
    assert user.get_user_permissions() == {"accounts.view_all_clients"}
    assert user.get_group_permissions() == {
        "accounts.add_client",
        "accounts.change_client",
        "accounts.manage_reference_data",
    }
    assert user.has_perm("accounts.manage_reference_data")
    assert user.has_perm("accounts.view_all_clients")


def test_an_inactive_user_holds_no_permission_whatever_their_groups(manager):
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    user = fresh(manager)

    assert user.get_all_permissions() == set()
    assert not user.has_perm("accounts.change_client")
    assert roles.role_names(user) == {roles.ACCOUNT_MANAGER}


def test_a_superuser_holds_every_permission(db):
    user = User.objects.create_superuser("root", password="x")

    assert user.has_perm("users.manage_users")
    assert user.has_perm("segmentation.manage_policy")
    assert len(user.get_all_permissions()) == Permission.objects.count()


# The signed-in user, read with their roles, permissions and badges


def test_the_signed_in_user_comes_with_their_roles_and_permissions_in_one_query(director, assert_queries):
    def signed_in_and_asked():
        user = RoleBackend().get_user(director.pk)
        assert user is not None
        return (
            user,
            roles.role_names(user),
            user.get_all_permissions(),
            user.has_perm("accounts.assign_client"),
            user.has_perm("users.manage_users"),
        )

    user, names, permissions, may_assign, may_manage = assert_queries(1, signed_in_and_asked)

    assert (user.pk, user.username, user.first_name) == (director.pk, "director", "Dmitry")
    assert names == {roles.SALES_DIRECTOR}
    assert permissions == {
        "accounts.view_all_clients",
        "accounts.assign_client",
        "segmentation.decide_key_status",
    }
    assert (may_assign, may_manage) == (True, False)
    assert not any(name.startswith("signed_in_") for name in vars(user))


def test_the_signed_in_user_holds_what_a_user_read_otherwise_loads(manager):
    give_extras(manager, "Auditors, north")  # a comma in a name: the joined names still split
    other = fresh(manager)
    load(other)

    signed_in = RoleBackend().get_user(manager.pk)

    assert signed_in is not None
    assert (
        roles.role_names(signed_in) == roles.role_names(other) == {roles.ACCOUNT_MANAGER, "Auditors, north"}
    )
    assert signed_in.get_user_permissions() == other.get_user_permissions() == {"accounts.view_all_clients"}
    assert signed_in.get_group_permissions() == other.get_group_permissions()
    assert len(signed_in.get_group_permissions()) == 3


def test_a_signed_in_user_without_groups_or_permissions_holds_none(db, assert_queries):
    user = User.objects.create_user("nobody", password="x")

    signed_in = RoleBackend().get_user(user.pk)

    assert signed_in is not None
    assert assert_queries(0, lambda: (roles.role_names(signed_in), signed_in.get_all_permissions())) == (
        set(),
        set(),
    )


def test_an_inactive_or_unknown_user_is_not_signed_in(manager):
    manager.is_active = False
    manager.save(update_fields=["is_active"])

    assert RoleBackend().get_user(manager.pk) is None
    assert RoleBackend().get_user(manager.pk + 1000) is None


def test_a_signed_in_superuser_holds_every_permission_and_their_groups(db):
    user = User.objects.create_superuser("root", password="x")
    user.groups.add(Group.objects.get(name=roles.ADMIN))

    signed_in = RoleBackend().get_user(user.pk)

    assert signed_in is not None
    assert roles.role_names(signed_in) == {roles.ADMIN}
    assert len(signed_in.get_all_permissions()) == Permission.objects.count()
