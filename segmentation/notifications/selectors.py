"""Reads of a user's own notifications."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import Case, Exists, Func, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from kam.links import BADGE_MOST
from kam.pagination import first_page
from kam.prepared import Prepared
from kam.users import extensions as users_extensions
from kam.users import roles
from kam.users.models import User
from segmentation.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own notifications with the client and the change (and its client) pre-joined."""
    return _of(user.pk)


def _of(user: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user).select_related("client", "change", "change__client")


ORDER = ["-created_at", "-pk"]
PAGE_SIZE = 50
# The page the list opens on, newest first: compiled once per process (`keyset_page(first=...)`).
_FIRST = Prepared(lambda user: first_page(_of(user), order=ORDER, size=PAGE_SIZE))


def first_notifications(user: User) -> Callable[[], list[Notification]]:
    """The first page of `notifications_of(user)` in `ORDER`, from a prepared query."""
    return partial(_FIRST, user.pk)


UNREAD = "unread_notifications"


def _unread(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by()


def unread_of_signed_in(user: str) -> Case:
    """The signed-in user's unread count, read with them (`kam.users.extensions.register_read_with`):
    an expression of the outer query's column `user`, their id. Counted up to `BADGE_MOST` + 1
    (the badge then says "99+"), so a user who never reads them costs every page no more than
    that: whether there are more is one probe of the (user, read_at) index at that offset."""
    unread = _unread(OuterRef(user))
    beyond = Exists(unread[BADGE_MOST : BADGE_MOST + 1])
    # COUNT(*), not of a column: the (user, read_at) index alone answers it.
    counted = Subquery(unread.values(n=Func(template="COUNT(*)", output_field=IntegerField())))
    return Case(When(beyond, then=Value(BADGE_MOST + 1)), default=counted, output_field=IntegerField())


def unread_count(user: User) -> int:
    """The badge of every page, up to `BADGE_MOST` + 1: read with the signed-in user
    (`unread_of_signed_in`); one COUNT of its own for a user read otherwise."""
    read_with_user = users_extensions.read_with(user, UNREAD)
    return read_with_user if read_with_user is not None else _unread(user.pk)[: BADGE_MOST + 1].count()


def directors() -> QuerySet[User]:
    """The active sales directors: who is told about key clients now bronze and the key cap
    (DOMAIN §4 flags those for the directors)."""
    return User.objects.filter(is_active=True, groups__name=roles.SALES_DIRECTOR)
