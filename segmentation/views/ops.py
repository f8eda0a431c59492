"""The policy page, the nightly run log and notifications."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from kombu.exceptions import OperationalError as BrokerError

from kam.pagination import keyset_page
from segmentation import selectors_ops as selectors
from segmentation.forms import NotificationPageForm, PolicyForm
from segmentation.models import NightlyRun, Policy
from segmentation.services import notifications
from segmentation.services.engine import recompute
from segmentation.services.policy import StalePolicyError, policy_update, policy_version
from segmentation.tasks import recompute_segments

logger = logging.getLogger(__name__)

NOTIFICATIONS_PER_PAGE = 50


def policy_admin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; signed-in users without the permission get 403."""
    return login_required(permission_required("segmentation.manage_policy", raise_exception=True)(view))


@policy_admin_only
@require_http_methods(["GET", "HEAD", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """Every threshold of the segment rules; a save takes effect at the next recomputation."""
    current = Policy.current()
    form = PolicyForm(request.POST or None, instance=current, initial={"version": policy_version(current)})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = policy_update(
                values=form.policy_values(), version=form.cleaned_data["version"], author=request.user
            )
        except StalePolicyError:
            form, status = _stale_form(request), 409
        else:
            _report_saved(request, len(changed))
            return redirect("segmentation:policy")
    context = {"form": form, "changes": selectors.policy_changes(), "nav": "policy"}
    return render(request, "segmentation/policy.html", context, status=status)


def _stale_form(request: HttpRequest) -> PolicyForm:
    """The user's values over the latest policy, so saving again is a deliberate choice."""
    latest = Policy.current()
    data = request.POST.copy()
    data["version"] = policy_version(latest)
    form = PolicyForm(data, instance=latest)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Not saved: someone else saved the policy while you were editing. Their change is in the "
            "list of changes below; your values are still in the form. Check them and save again."
        ),
    )
    return form


def _report_saved(request: HttpRequest, count: int) -> None:
    if not count:
        messages.info(request, _("Nothing changed."))
        return
    text = ngettext(
        "%(count)d value was changed. It takes effect at the next recomputation.",
        "%(count)d values were changed. They take effect at the next recomputation.",
        count,
    )
    messages.success(request, text % {"count": count})


@policy_admin_only
@require_safe
def run_list(request: HttpRequest) -> HttpResponse:
    """The latest nightly runs, newest first."""
    context = {"rows": selectors.run_rows(), "limit": selectors.RUN_LIST_LIMIT, "nav": "runs"}
    return render(request, "segmentation/run_list.html", context)


@policy_admin_only
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Queue a recomputation on the Celery worker, or run it in the request when there is no broker."""
    trigger = str(request.user)
    if settings.CELERY_BROKER_URL:
        _enqueue_after_commit(trigger)
        messages.success(
            request, _("The recomputation was queued. It shows in this log as soon as the worker starts it.")
        )
    else:
        _run_now(request, trigger)
    return redirect("segmentation:run_list")


def _enqueue_after_commit(trigger: str) -> None:
    def enqueue() -> None:
        try:
            recompute_segments.delay(trigger=trigger)
        except BrokerError:
            logger.exception("could not queue recompute_segments for %s: the broker is unreachable", trigger)

    transaction.on_commit(enqueue)


def _run_now(request: HttpRequest, trigger: str) -> None:
    try:
        run = recompute(trigger=trigger)
    except Exception:  # the engine has logged it and recorded the failed run
        messages.error(request, _("The recomputation failed and the segments were left as they were."))
        return
    if run.status == NightlyRun.Status.SKIPPED:
        messages.warning(request, _("Another recomputation was running, so this one was skipped."))
        return
    count = sum(run.changes.values())
    text = ngettext(
        "Recomputation finished: %(count)d segment change.",
        "Recomputation finished: %(count)d segment changes.",
        count,
    )
    messages.success(request, text % {"count": count})


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first, a page at a time."""
    form = NotificationPageForm(request.GET)
    cursor = form.cleaned_data if form.is_valid() else {}
    page = keyset_page(
        selectors.notifications_of(request.user),
        order=["-created_at", "-pk"],
        after=cursor.get("after", ""),
        before=cursor.get("before", ""),
        size=NOTIFICATIONS_PER_PAGE,
    )
    rows = [(n, notifications.change_text(n.change)) for n in page.rows]
    return render(
        request, "segmentation/notification_list.html", {"page": page, "rows": rows, "nav": "notifications"}
    )


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and open the client's card."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    notifications.notification_mark_read(notification=notification)
    return redirect("accounts:client_detail", notification.change.client_id)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.notifications_mark_all_read(user=request.user)
    if count:
        text = ngettext(
            "%(count)d notification was marked read.", "%(count)d notifications were marked read.", count
        )
        messages.success(request, text % {"count": count})
    return redirect("segmentation:notification_list")
