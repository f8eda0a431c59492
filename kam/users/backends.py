"""Permissions and role groups of the signed-in user, read in one query a request.

Every page asks both what the user's roles are (the navigation, `roles.role_names`) and what
they may do (`perms` in templates, `has_perm` in views): Django's `ModelBackend` reads the
user's own permissions and their groups' permissions in two queries and the groups in a third.
This backend reads the three in one and keeps them on the user object, as `ModelBackend` does.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value
from django.db.models.functions import Concat

from kam.users.models import AnyUser

GROUP, OWN, VIA_GROUP = "g", "u", "p"


def load(user: Any) -> None:
    """Fill the user's per-request caches: `_role_names` (every group's name) and the three
    permission caches `ModelBackend` keeps (`_user_perm_cache`, `_group_perm_cache`,
    `_perm_cache`)."""
    dotted = Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
    rows = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list(Value(GROUP, output_field=CharField()), "name")
        .union(
            Permission.objects.filter(user=user)
            .order_by()
            .values_list(Value(OWN, output_field=CharField()), dotted),
            Permission.objects.filter(group__user=user)
            .order_by()
            .values_list(Value(VIA_GROUP, output_field=CharField()), dotted),
            all=True,
        )
    )
    found: dict[str, set[str]] = {GROUP: set(), OWN: set(), VIA_GROUP: set()}
    for kind, name in rows:
        found[kind].add(name)
    user._role_names = found[GROUP]
    user._user_perm_cache = found[OWN]
    user._group_perm_cache = found[VIA_GROUP]
    user._perm_cache = found[OWN] | found[VIA_GROUP]


class RoleBackend(ModelBackend):
    """`ModelBackend` whose permission caches are filled by `load` (superusers keep Django's
    path: they hold every permission)."""

    def get_all_permissions(self, user_obj: AnyUser, obj: object = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not user_obj.is_superuser and not hasattr(user_obj, "_perm_cache"):
            load(user_obj)
        return super().get_all_permissions(user_obj, obj)
