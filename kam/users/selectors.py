"""Reads of staff users for the in-app user management (admins only)."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kam.users import roles
from kam.users.models import User


def user_list() -> QuerySet[User]:
    """Every user with their role groups and the number of clients they are responsible for.

    Two queries whatever the number of users: the annotated list and the prefetched groups.
    The ordering is explicit because Meta.ordering does not apply to aggregate queries.
    """
    role_groups = Group.objects.filter(name__in=roles.ROLE_LABELS)
    return (
        User.objects.annotate(client_count=Count("responsible_for", distinct=True))
        .prefetch_related(Prefetch("groups", queryset=role_groups, to_attr="role_groups"))
        .order_by("last_name", "first_name", "username", "pk")
    )


def user_search(users: QuerySet[User], text: str) -> QuerySet[User]:
    """Every word must match the username, first or last name ("anna smir" finds Anna Smirnova)."""
    for word in text.split():
        users = users.filter(
            Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return users


def responsible_client_count(user: User) -> int:
    return user.responsible_for.count()


def user_role_labels(user: User) -> list[str]:
    """Translated role labels in the order of roles.ROLE_LABELS; needs user_list()'s prefetch."""
    names = {group.name for group in user.role_groups}  # type: ignore[attr-defined]
    return [str(label) for name, label in roles.ROLE_LABELS.items() if name in names]


def get_user_for_edit(requester: User, pk: int) -> User:
    """The access gate of the edit page: 404 for an unknown id, 403 for a superuser.

    Admins see superusers in the list but only another superuser may change one,
    so an admin cannot lock out the people who run the installation.
    """
    user = get_object_or_404(User, pk=pk)
    if not may_edit(requester, user):
        raise PermissionDenied
    return user


def may_edit(requester: User, user: User) -> bool:
    return requester.is_superuser or not user.is_superuser
