"""Reads of a user's own notifications."""

from django.db.models import QuerySet

from kam.users import roles
from kam.users.models import User
from segmentation.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own notifications with the client and the change (and its client) pre-joined."""
    return Notification.objects.filter(user=user).select_related("client", "change", "change__client")


def unread_count(user: User) -> int:
    """One COUNT over the (user, read_at) index."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def directors() -> QuerySet[User]:
    """The active sales directors: who is told about key clients now bronze and the key cap
    (DOMAIN §4 flags those for the directors)."""
    return User.objects.filter(is_active=True, groups__name=roles.SALES_DIRECTOR)
