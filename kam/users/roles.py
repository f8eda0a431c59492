"""The three roles of DOMAIN §1 as Django groups, and the permissions each one holds.

Groups are (re)synchronised after every migrate, so a fresh database has them
and a permission added here reaches existing installations.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

from kam.users import backends
from kam.users.models import AnyUser

ACCOUNT_MANAGER = "account_manager"
SALES_DIRECTOR = "sales_director"
ADMIN = "admin"

ROLE_LABELS = {
    ACCOUNT_MANAGER: _("Account manager"),
    SALES_DIRECTOR: _("Sales director"),
    ADMIN: _("Admin"),
}

ROLE_PERMISSIONS = {
    ACCOUNT_MANAGER: ["accounts.add_client", "accounts.change_client"],
    SALES_DIRECTOR: ["accounts.view_all_clients", "accounts.assign_client", "segmentation.decide_key_status"],
    ADMIN: [
        "accounts.view_all_clients",
        "accounts.assign_client",
        "users.manage_users",
        "segmentation.manage_policy",
        "accounts.manage_reference_data",
    ],
}


def ensure_roles(**kwargs: Any) -> None:
    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = [_permission(code) for code in perms]
        group.permissions.set([p for p in wanted if p is not None])


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def role_names(user: AnyUser) -> set[str]:
    """The user's groups, read once per request with their permissions (`backends.load`)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        backends.load(user)
    names: set[str] = getattr(user, "_role_names")  # noqa: B009 -- a per-request cache, not a field
    return names


def is_account_manager(user: AnyUser) -> bool:
    return ACCOUNT_MANAGER in role_names(user)


def is_sales_director(user: AnyUser) -> bool:
    return SALES_DIRECTOR in role_names(user)


def is_admin(user: AnyUser) -> bool:
    return user.is_authenticated and (user.is_superuser or ADMIN in role_names(user))
