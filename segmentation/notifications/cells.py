"""The notifications page's rows, written in Python (see `kam.cells`): fifty a page."""

from collections.abc import Iterable

from django.utils.safestring import SafeString

from kam.cells import esc, gettext, label, rows, short_datetime, text
from kam.links import pk_url
from segmentation.models import Notification


@rows()
def notification_rows(rows: Iterable[tuple[Notification, str]]) -> SafeString:
    """Each notification (with its text) as a button that opens it: its kind unless a segment
    change, its text, "new" while unread, and when it came."""
    new = f'<span class="badge text-bg-warning">{esc(gettext("new"))}</span>'
    html = []
    for notification, words in rows:
        unread = notification.read_at is None
        kind = ""
        if notification.kind != Notification.Kind.SEGMENT:
            kind_label = esc(label(Notification.Kind, notification.kind))
            kind = f'<span class="badge text-bg-danger fw-normal">{kind_label}</span>'
        when = esc(short_datetime(notification.created_at))
        html.append(
            f'<button type="submit" formaction="{pk_url("segmentation:notification_open", notification.pk)}"'
            ' class="list-group-item list-group-item-action d-flex gap-3 align-items-baseline text-start'
            f'{" list-group-item-warning fw-semibold" if unread else ""}">'
            f'{kind}<span class="me-auto">{text(words)}</span>{new if unread else ""}'
            f'<small class="text-muted text-nowrap fw-normal">{when}</small></button>'
        )
    return SafeString("\n".join(html))
