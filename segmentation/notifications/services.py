"""Notifications: telling users, marking them read, and the daily e-mail digest.

`notify` writes one notification per user in one statement. The nightly engine inserts the
segment notifications of its many clients itself, set-based, in its own SQL.
"""

import logging
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Client
from kam.users.models import User
from segmentation.models import Notification, SegmentChange
from segmentation.notifications.words import notification_text

logger = logging.getLogger(__name__)


def notify(
    users: QuerySet[User],
    kind: str,
    *,
    client: Client | None = None,
    details: dict[str, object] | None = None,
    change: SegmentChange | None = None,
) -> int:
    """Tell each of `users` about one thing of `kind` (see `Notification.Kind`), with the client
    it is about, the figures its words quote and, for a segment change, the change itself.
    One read of the users, one insert; returns how many were told."""
    rows = [
        Notification(user_id=user_id, kind=kind, client=client, details=details or {}, change=change)
        for user_id in users.values_list("pk", flat=True)
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, notification: Notification, now: datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of `user` read; returns how many were unread."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return unread.update(read_at=now or timezone.now())


def send_digests(*, now: datetime | None = None) -> int:
    """E-mail every active user with an address one digest of their un-e-mailed notifications.

    1. read the pending notifications user by user, oldest first;
    2. write each user one e-mail in their own language (or the site's default);
    3. mark that user's notifications e-mailed, so a failure later on does not send them twice.
    Users without an e-mail address are left out and their notifications stay pending.
    Returns the number of e-mails sent.
    """
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "change__client", "client")
        .order_by("user_id", "created_at", "id")
    )
    sent = 0
    for _user_id, group in groupby(pending.iterator(chunk_size=2000), key=lambda n: n.user_id):
        notifications = list(group)
        user = notifications[0].user
        _send_digest(user, notifications)
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
        sent += 1
    logger.info("sent %s notification digests", sent)
    return sent


def _send_digest(user: User, notifications: list[Notification]) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        count = len(notifications)
        subject = ngettext(
            "KAM: %(count)d new notification",
            "KAM: %(count)d new notifications",
            count,
        ) % {"count": count}
        lines = [
            _("Hello, %(name)s.") % {"name": user.get_full_name() or user.username},
            "",
            _("New since the last e-mail:"),
            "",
            *(f"- {notification_text(n)}" for n in notifications),
            "",
            _("The client cards and all notifications are in the app."),
        ]
    send_mail(subject, "\n".join(lines), None, [user.email])
