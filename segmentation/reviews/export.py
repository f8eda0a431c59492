"""A review as an Excel workbook (DOMAIN §8): the clients with their flags as columns and the
decisions, the action items, and the minutes, written by `kam.excel` (localised headers, a
frozen header row, an autofilter, formulas escaped)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kam.excel import by_index, new_workbook, write_sheet
from segmentation.keys.words import reason_labels
from segmentation.models import ActionItem, Decision, League, LostStatus, Review, SizeClass, Tier
from segmentation.radar.flags import FLAGS

# Labels by value, read per cell: a model's get_..._display() re-hashes its choices (every label
# translated) on each call, most of a row's time here.
TIERS = dict(Tier.choices)
LEAGUES = dict(League.choices)
SIZE_CLASSES = dict(SizeClass.choices)
PURCHASE_STATUSES = dict(LostStatus.choices)
DECISIONS = dict(Decision.choices)
ACTION_STATUSES = dict(ActionItem.Status.choices)


def _label(labels: dict[Any, Any], value: str) -> str:
    """The value's label in the active language, or the value itself (as get_..._display())."""
    return str(labels.get(value, value))


def _sheet(
    book: Workbook, title: str, headers: Sequence[str | Promise], rows: Iterable[Sequence[Any]]
) -> None:
    write_sheet(book, title, [by_index(header, n) for n, header in enumerate(headers)], rows)


def review_workbook(review: Review) -> Workbook:
    """The review's workbook: three sheets, a constant number of queries."""
    book = new_workbook()
    yes = _("yes")
    items = review.items.select_related("client", "manager", "decided_by").order_by("position")
    _sheet(
        book,
        _("Clients"),
        [
            "#",
            _("Client"),
            _("INN"),
            _("Key status"),
            _("Reasons"),
            _("Tier"),
            _("Category"),
            _("League"),
            _("Size class"),
            _("Purchase status"),
            _("Responsible manager"),
            _("Potential"),
            _("Revenue, 12 months"),
            *[str(flag.label) for flag in FLAGS],
            _("Decision"),
            _("Note"),
            _("Decided by"),
        ],
        (
            [
                item.position,
                item.client.name,
                item.client.inn,
                _("Key") if item.was_key else _("Candidate"),
                "; ".join(reason_labels(item.reasons)),
                _label(TIERS, item.tier),
                item.category,
                _label(LEAGUES, item.league),
                _label(SIZE_CLASSES, item.size_class),
                _label(PURCHASE_STATUSES, item.lost_status),
                item.manager or _("Nobody"),
                item.potential,
                item.revenue,
                *[yes if flag.name in item.flags else "" for flag in FLAGS],
                _label(DECISIONS, item.decision),
                item.note,
                item.decided_by or "",
            ]
            for item in items
        ),
    )
    today = timezone.localdate()
    actions = (
        ActionItem.objects.filter(item__review=review)
        .select_related("item__client", "owner")
        .order_by("due", "pk")
    )
    _sheet(
        book,
        _("Action items"),
        [_("Client"), _("What"), _("Owner"), _("Due"), _("Status"), _("Overdue")],
        (
            [
                action.item.client.name,
                action.what,
                action.owner,
                action.due,
                _label(ACTION_STATUSES, action.status),
                yes if action.status == ActionItem.Status.OPEN and action.due < today else "",
            ]
            for action in actions
        ),
    )
    attendees = ", ".join(str(user) for user in review.attendees.all())
    _sheet(
        book,
        _("Minutes"),
        [
            _("Opened"),
            _("Opened by"),
            _("Closed"),
            _("Closed by"),
            _("Attendees"),
            _("Other attendees"),
            _("Minutes"),
        ],
        [
            [
                review.opened_at,
                review.opened_by,
                review.closed_at,
                review.closed_by or "",
                attendees,
                review.guests,
                review.summary,
            ]
        ],
    )
    return book
