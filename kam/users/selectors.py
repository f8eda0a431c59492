"""Reads of staff users for the in-app user management (admins only)."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from kam.users import extensions, roles
from kam.users.backends import SEPARATOR, Joined
from kam.users.models import User


def user_list() -> QuerySet[User]:
    """Every user with the names of their role groups (`role_names`, joined): one query whatever
    the number of users. By name: those with one by their last and first name, then those
    without one by their username. `with_client_counts` adds their clients."""
    role_groups = Group.objects.filter(user=OuterRef("pk"), name__in=roles.ROLE_LABELS).order_by()
    unnamed = ExpressionWrapper(Q(first_name="", last_name=""), output_field=BooleanField())
    return User.objects.annotate(role_names=Subquery(role_groups.values(names=Joined("name")))).order_by(
        unnamed, "last_name", "first_name", "username", "pk"
    )


def with_client_counts(users: Iterable[User]) -> list[User]:
    """The users, each with `client_count`: the active clients they are responsible for, as the
    workload board keeps them (one row read, not every client counted); every client they are
    responsible for when no app keeps them."""
    users = list(users)
    counts = extensions.client_counts()
    if counts is None:
        counted = User.objects.filter(pk__in=[user.pk for user in users])
        counts = dict(counted.annotate(count=Count("responsible_for")).values_list("pk", "count"))
    for user in users:
        user.client_count = counts.get(user.pk, 0)  # type: ignore[attr-defined]
    return users


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
    """Translated role labels in the order of roles.ROLE_LABELS; needs user_list()'s `role_names`."""
    names = set((user.role_names or "").split(SEPARATOR))  # type: ignore[attr-defined]
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
