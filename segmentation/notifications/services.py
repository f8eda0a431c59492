"""Notifications of segment changes: their text, marking them read, and the daily e-mail digest.

The nightly engine inserts the notification rows itself (set-based); this module only
reads and updates them.
"""

import logging
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kam.users.models import User
from segmentation.models import Category, League, LostStatus, Notification, SegmentChange, SizeClass, Tier

logger = logging.getLogger(__name__)

Kind = SegmentChange.Kind

# (the change, a first value that has no "was")
SENTENCES = {
    Kind.CATEGORY: (
        gettext_lazy("%(client)s: category %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: category %(new)s"),
    ),
    Kind.TIER: (
        gettext_lazy("%(client)s: tier %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: tier %(new)s"),
    ),
    Kind.LEAGUE: (
        gettext_lazy("%(client)s: league %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: league %(new)s"),
    ),
    Kind.SIZE: (
        gettext_lazy("%(client)s: size class %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: size class %(new)s"),
    ),
    Kind.LOST: (
        gettext_lazy("%(client)s: purchase status %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: purchase status %(new)s"),
    ),
}
VALUES: dict[str, type[TextChoices]] = {
    Kind.CATEGORY: Category,
    Kind.TIER: Tier,
    Kind.LEAGUE: League,
    Kind.SIZE: SizeClass,
    Kind.LOST: LostStatus,
}


def change_text(change: SegmentChange) -> str:
    """The change in words in the active language, e.g. "Siberian Steel: category B (was C)"."""
    changed, first = SENTENCES[Kind(change.kind)]
    return str(changed if change.old else first) % {
        "client": change.client.name,
        "new": _value(change.kind, change.new),
        "old": _value(change.kind, change.old),
    }


def _value(kind: str, value: str) -> str:
    if not value:
        return "—"
    labels = dict(VALUES[kind].choices)
    return str(labels.get(value, value))


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
        .select_related("user", "change__client")
        .order_by("user_id", "created_at", "id")
    )
    sent = 0
    for _user_id, group in groupby(pending.iterator(chunk_size=2000), key=lambda n: n.user_id):
        notifications = list(group)
        user = notifications[0].user
        _send_digest(user, [n.change for n in notifications])
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
        sent += 1
    logger.info("sent %s notification digests", sent)
    return sent


def _send_digest(user: User, changes: list[SegmentChange]) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        count = len(changes)
        subject = ngettext(
            "KAM: %(count)d change in your clients' segments",
            "KAM: %(count)d changes in your clients' segments",
            count,
        ) % {"count": count}
        lines = [
            _("Hello, %(name)s.") % {"name": user.get_full_name() or user.username},
            "",
            _("The nightly recomputation changed the segments of your clients:"),
            "",
            *(f"- {change_text(change)}" for change in changes),
            "",
            _("The client cards and all notifications are in the app."),
        ]
    send_mail(subject, "\n".join(lines), None, [user.email])
