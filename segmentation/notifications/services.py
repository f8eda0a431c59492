"""Notifications: telling users, marking them read, and the daily e-mail digest.

`notify` writes one notification per user in one statement. The nightly engine inserts the
segment notifications of its many clients itself, set-based, in its own SQL.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
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


@dataclass(frozen=True)
class DigestSection:
    """Something besides notifications that the daily e-mail lists (an app registers it from its
    `AppConfig.ready()`): `users(today)` those who have any today, in one query, and
    `lines(user, today)` theirs, in the user's language."""

    heading: str | Promise
    users: Callable[[date], QuerySet[User]]
    lines: Callable[[User, date], list[str]]


_SECTIONS: list[DigestSection] = []


def register_digest_section(section: DigestSection) -> None:
    _SECTIONS.append(section)


def send_digests(*, now: datetime | None = None) -> int:
    """E-mail every active user with an address one digest of their un-e-mailed notifications
    and of the registered sections (the day's birthdays, overdue steps...).

    1. read the pending notifications user by user, oldest first, and who has section lines today;
    2. write each user one e-mail in their own language (or the site's default);
    3. mark that user's notifications e-mailed, so a failure later on does not send them twice.
    Users without an e-mail address are left out and their notifications stay pending.
    Returns the number of e-mails sent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "change__client", "client")
        .order_by("user_id", "created_at", "id")
    )
    by_user = {
        user_id: list(group)
        for user_id, group in groupby(pending.iterator(chunk_size=2000), key=lambda n: n.user_id)
    }
    with_sections = set()
    for section in _SECTIONS:
        with_sections |= set(section.users(today).values_list("pk", flat=True))
    recipients = User.objects.filter(pk__in=by_user.keys() | with_sections, is_active=True).exclude(email="")
    sent = 0
    for user in recipients.order_by("pk"):
        notifications = by_user.get(user.pk, [])
        if not _send_digest(user, notifications, today):
            continue
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
        sent += 1
    logger.info("sent %s notification digests", sent)
    return sent


def _send_digest(user: User, notifications: list[Notification], today: date) -> bool:
    """Write and send the user's e-mail; False when there is nothing to say."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        sections = [(section.heading, section.lines(user, today)) for section in _SECTIONS]
        sections = [(heading, lines) for heading, lines in sections if lines]
        if not notifications and not sections:
            return False
        count = len(notifications)
        subject = (
            ngettext("KAM: %(count)d new notification", "KAM: %(count)d new notifications", count)
            % {"count": count}
            if notifications
            else _("KAM: your day")
        )
        lines = [_("Hello, %(name)s.") % {"name": user.get_full_name() or user.username}, ""]
        if notifications:
            lines += [
                _("New since the last e-mail:"),
                "",
                *(f"- {notification_text(n)}" for n in notifications),
                "",
            ]
        for heading, section_lines in sections:
            lines += [str(heading), "", *(f"- {line}" for line in section_lines), ""]
        lines.append(_("The client cards and all notifications are in the app."))
    send_mail(subject, "\n".join(lines), None, [user.email])
    return True
