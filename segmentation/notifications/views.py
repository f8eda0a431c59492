"""The user's own notifications: the list, opening one, marking them all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.forms import PageForm
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page
from segmentation.notifications import selectors, services
from segmentation.notifications.words import notification_target, notification_text


@login_required
@require_safe
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own notifications, newest first, a page at a time."""
    form = PageForm(request.GET)
    cursor = form.cleaned_data if form.is_valid() else {}
    page = keyset_page(
        selectors.notifications_of(request.user),
        order=selectors.ORDER,
        after=cursor.get("after", ""),
        before=cursor.get("before", ""),
        size=selectors.PAGE_SIZE,
        narrow=False,  # the (user, created_at, id) index serves the page's order
        first=selectors.first_notifications(request.user),
    )
    rows = [(n, notification_text(n)) for n in page.rows]
    return render(
        request, "segmentation/notification_list.html", {"page": page, "rows": rows, "nav": "notifications"}
    )


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and open what it is about (a POST: it writes):
    the client's card, or the key list for the key cap."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(notification=notification)
    return redirect(notification_target(notification))


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        text = ngettext(
            "%(count)d notification was marked read.", "%(count)d notifications were marked read.", count
        )
        messages.success(request, text % {"count": count})
    return redirect("segmentation:notification_list")
