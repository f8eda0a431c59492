"""A review as an Excel workbook (DOMAIN §8): the clients with their flags as columns and the
decisions, the action items, and the minutes. Headers follow the active language; every sheet
has a frozen header row and an autofilter. A text that a spreadsheet would run as a formula
(starting with =, +, -, @, or a tab or carriage return) is written with a leading apostrophe.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from segmentation.keys.words import reason_labels
from segmentation.models import ActionItem, Review
from segmentation.radar.flags import FLAGS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDTH_LIMIT = 60


def escaped(value: Any) -> Any:
    """A cell's value as data, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _sheet(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append([escaped(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(header) for header in headers]
    for row in rows:
        values = [escaped(_plain(value)) for value in row]
        sheet.append(values)
        widths = [max(width, len(str(value or ""))) for width, value in zip(widths, values, strict=True)]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, WIDTH_LIMIT)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"


def _plain(value: Any) -> Any:
    """Values a spreadsheet takes: local naive datetimes, floats for amounts, text otherwise."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (int, float, date)):
        return value
    return str(value)


def review_workbook(review: Review) -> bytes:
    """The review's workbook: three sheets, a constant number of queries."""
    book = Workbook()
    clients = book.active
    assert clients is not None
    clients.title = str(_("Clients"))[:31]
    yes = _("yes")
    items = review.items.select_related("client", "manager", "decided_by").order_by("position")
    _sheet(
        clients,
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
                item.get_tier_display(),
                item.category,
                item.get_league_display(),
                item.get_size_class_display(),
                item.get_lost_status_display(),
                item.manager or _("Nobody"),
                item.potential,
                item.revenue,
                *[yes if flag.name in item.flags else "" for flag in FLAGS],
                item.get_decision_display(),
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
        book.create_sheet(str(_("Action items"))[:31]),
        [_("Client"), _("What"), _("Owner"), _("Due"), _("Status"), _("Overdue")],
        (
            [
                action.item.client.name,
                action.what,
                action.owner,
                action.due,
                action.get_status_display(),
                yes if action.status == ActionItem.Status.OPEN and action.due < today else "",
            ]
            for action in actions
        ),
    )
    attendees = ", ".join(str(user) for user in review.attendees.all())
    _sheet(
        book.create_sheet(str(_("Minutes"))[:31]),
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
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
