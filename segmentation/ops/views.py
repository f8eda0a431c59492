"""The policy page and the nightly runs log (admins)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kam.access import permission_or_403
from kam.crispy import kept_fields
from kam.http import AuthenticatedHttpRequest
from kam.queue import enqueue_after_commit
from segmentation.locations.selectors import active_location_rows
from segmentation.models import NightlyRun, Policy
from segmentation.ops import selectors
from segmentation.ops.forms import PolicyForm
from segmentation.ops.services import StalePolicyError, policy_update, policy_version
from segmentation.segments.engine import TRACKED_KINDS, recompute
from segmentation.tasks import recompute_segments

MANAGE_POLICY = "segmentation.manage_policy"


@permission_or_403(MANAGE_POLICY)
@require_http_methods(["GET", "HEAD", "POST"])
def policy(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    context = {
        "form": form,
        "fields": kept_fields(form, form.employee_choices()),
        "changes": selectors.policy_changes(),
        "locations": active_location_rows(),
        "nav": "policy",
    }
    return render(request, "segmentation/policy.html", context, status=status)


def _stale_form(request: AuthenticatedHttpRequest) -> PolicyForm:
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


def _report_saved(request: AuthenticatedHttpRequest, count: int) -> None:
    if not count:
        messages.info(request, _("Nothing changed."))
        return
    text = ngettext(
        "%(count)d value was changed. It takes effect at the next recomputation.",
        "%(count)d values were changed. They take effect at the next recomputation.",
        count,
    )
    messages.success(request, text % {"count": count})


@permission_or_403(MANAGE_POLICY)
@require_safe
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The latest nightly runs, newest first."""
    context = {"rows": selectors.run_rows(), "limit": selectors.RUN_LIST_LIMIT, "nav": "runs"}
    return render(request, "segmentation/run_list.html", context)


@permission_or_403(MANAGE_POLICY)
@require_POST
def run_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Queue a recomputation on the Celery worker, or run it in the request when there is no broker."""
    trigger = str(request.user)
    if not settings.CELERY_BROKER_URL:
        _run_now(request, trigger)
    elif enqueue_after_commit(
        recompute_segments, f"recompute_segments for {trigger}", trigger=trigger
    ).failed:
        messages.error(
            request,
            _("The recomputation could not be queued: the task queue is unreachable. Try again later."),
        )
    else:
        messages.success(
            request, _("The recomputation was queued. It shows in this log as soon as the worker starts it.")
        )
    return redirect("segmentation:run_list")


def _run_now(request: AuthenticatedHttpRequest, trigger: str) -> None:
    try:
        run = recompute(trigger=trigger)
    except Exception:  # the engine has logged it and recorded the failed run
        messages.error(request, _("The recomputation failed and the segments were left as they were."))
        return
    if run.status == NightlyRun.Status.SKIPPED:
        messages.warning(request, _("Another recomputation was running, so this one was skipped."))
        return
    count = sum(int(run.changes.get(kind, 0)) for kind in TRACKED_KINDS)
    text = ngettext(
        "Recomputation finished: %(count)d segment change.",
        "Recomputation finished: %(count)d segment changes.",
        count,
    )
    messages.success(request, text % {"count": count})
