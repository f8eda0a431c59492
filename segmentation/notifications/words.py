"""Each kind of notification in words, and where opening it leads: one small entry per kind.

A new kind adds its `Notification.Kind` value and one `KindView` to `KINDS`; the list, the
open view and the daily digest read nothing else.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import TextChoices
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kam.cells import label
from segmentation.models import Category, League, LostStatus, Notification, SegmentChange, SizeClass, Tier
from segmentation.segments.words import number

Change = SegmentChange.Kind

# (the change, a first value that has no "was")
SENTENCES = {
    Change.CATEGORY: (
        gettext_lazy("%(client)s: category %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: category %(new)s"),
    ),
    Change.TIER: (
        gettext_lazy("%(client)s: tier %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: tier %(new)s"),
    ),
    Change.LEAGUE: (
        gettext_lazy("%(client)s: league %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: league %(new)s"),
    ),
    Change.SIZE: (
        gettext_lazy("%(client)s: size class %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: size class %(new)s"),
    ),
    Change.LOST: (
        gettext_lazy("%(client)s: purchase status %(new)s (was %(old)s)"),
        gettext_lazy("%(client)s: purchase status %(new)s"),
    ),
}
VALUES: dict[str, type[TextChoices]] = {
    Change.CATEGORY: Category,
    Change.TIER: Tier,
    Change.LEAGUE: League,
    Change.SIZE: SizeClass,
    Change.LOST: LostStatus,
}


def change_text(change: SegmentChange) -> str:
    """The change in words in the active language, e.g. "Siberian Steel: category B (was C)"."""
    changed, first = SENTENCES[Change(change.kind)]
    return str(changed if change.old else first) % {
        "client": change.client.name,
        "new": value_label(change.kind, change.new),
        "old": value_label(change.kind, change.old),
    }


def value_label(kind: str, value: str) -> str:
    """A segment value's label ("Gold", "At risk"); "—" for none."""
    if not value:
        return "—"
    return label(VALUES[kind], value)


def _segment_text(notification: Notification) -> str:
    assert notification.change is not None  # a constraint: segment notifications have their change
    return change_text(notification.change)


def _key_bronze_text(notification: Notification) -> str:
    return _("%(client)s is a key client and now bronze: review its key status.") % {
        "client": notification.client.name if notification.client else "—"
    }


def _cap_overrun_text(notification: Notification) -> str:
    figures = notification.details
    return ngettext(
        "Key clients over the cap: %(count)s key client, the cap is %(limit)s "
        "(%(share)s%% of %(base)s active clients).",
        "Key clients over the cap: %(count)s key clients, the cap is %(limit)s "
        "(%(share)s%% of %(base)s active clients).",
        int(figures.get("count", 0)),
    ) % {
        "count": figures.get("count", "—"),
        "limit": figures.get("limit", "—"),
        "share": _share(figures.get("share", "")),
        "base": figures.get("base", "—"),
    }


def _share(value: str) -> str:
    """The policy share as the run recorded it ("12.5"), in the reader's number format."""
    try:
        return number(Decimal(value))
    except (ArithmeticError, ValueError):
        return "—"


def _action_item_text(notification: Notification) -> str:
    details = notification.details
    try:
        due = date_format(date.fromisoformat(str(details.get("due"))), "SHORT_DATE_FORMAT")
    except ValueError:
        due = "—"
    return _("%(by)s gave you an action item on %(client)s: %(what)s (due %(due)s).") % {
        "by": details.get("by", "—"),
        "client": notification.client.name if notification.client else "—",
        "what": details.get("what", "—"),
        "due": due,
    }


def _reassigned_text(notification: Notification) -> str:
    details = notification.details
    count = int(details.get("count", 0))
    return ngettext(
        "%(by)s handed %(count)s client over to you: %(reason)s",
        "%(by)s handed %(count)s clients over to you: %(reason)s",
        count,
    ) % {"by": details.get("by", "—"), "count": count, "reason": details.get("reason", "—")}


def _my_clients(notification: Notification) -> str:
    return reverse("accounts:client_list")


def _action_list(notification: Notification) -> str:
    return reverse("segmentation:action_list")


def _client_card(notification: Notification) -> str:
    client_id = notification.client_id or (notification.change.client_id if notification.change else None)
    return reverse("accounts:client_detail", args=[client_id])


def _key_list(notification: Notification) -> str:
    return reverse("segmentation:candidates")


@dataclass(frozen=True)
class KindView:
    """How one kind of notification reads, and the page that opening it leads to."""

    text: Callable[[Notification], str]
    target: Callable[[Notification], str]


KINDS: dict[str, KindView] = {
    Notification.Kind.SEGMENT: KindView(_segment_text, _client_card),
    Notification.Kind.KEY_BRONZE: KindView(_key_bronze_text, _client_card),
    Notification.Kind.CAP_OVERRUN: KindView(_cap_overrun_text, _key_list),
    Notification.Kind.ACTION_ITEM: KindView(_action_item_text, _action_list),
    Notification.Kind.REASSIGNED: KindView(_reassigned_text, _my_clients),
}


def notification_text(notification: Notification) -> str:
    return KINDS[notification.kind].text(notification)


def notification_target(notification: Notification) -> str:
    return KINDS[notification.kind].target(notification)
