"""Moving clients between managers (DOMAIN §9), for those who decide who is responsible for whom:
pick clients in the list (or one on its card), choose the new manager, see both managers' loads
before and after and the KAM rules the move breaks, give a reason and apply. A manager who leaves
hands all their active clients over at once, to one manager or split by size class."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page
from kam.users.models import User
from kam.users.services import user_deactivate
from segmentation.droute.views import selection_refused
from segmentation.models import Policy, Reassignment, SizeClass
from segmentation.moves import selectors, services
from segmentation.moves.forms import LeaveForm, MoveForm, MoveSelectionForm, ReasonForm
from segmentation.moves.selectors import Preview
from segmentation.workload.selectors import SIZES, Load, loads

MOVE = "accounts.assign_client"
MANAGE_USERS = "users.manage_users"
ITEMS_PER_PAGE = 50


@permission_or_403(MOVE)
@require_http_methods(["GET", "HEAD", "POST"])
def reassign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the picked clients and, once a new manager is chosen, the move's preview. POST: the
    move, with the reason, unless something changed since the preview."""
    data = request.POST if request.method == "POST" else request.GET
    selection = MoveSelectionForm(data, user=request.user)
    if not selection.is_valid():
        return selection_refused(request, selection)
    target = MoveForm(data if "to" in data or request.method == "POST" else None)
    reason = ReasonForm(request.POST if request.method == "POST" else None)
    policy = Policy.current()
    clients = selection.selection()
    if not target.is_valid():
        found = selectors.preview(clients, {}, policy=policy, asked=selection.asked())
        status = 400 if request.method == "POST" else 200
        return _move_page(request, selection, target, reason, found, status=status)
    preview = selectors.preview(
        clients, selectors.targets(target.plan()), policy=policy, asked=selection.asked()
    )
    if request.method != "POST":
        return _move_page(request, selection, target, reason, preview)
    if not reason.is_valid():
        return _move_page(request, selection, target, reason, preview, status=400)
    try:
        moved = services.clients_reassign(
            selection=clients,
            to=target.plan(),
            reason=reason.cleaned_data["reason"],
            by=request.user,
            token=selection.cleaned_data["token"],
            asked=selection.asked(),
        )
    except services.MoveError as error:
        found = _refusal(request, error) or preview
        return _move_page(request, selection, target, reason, found, status=_status(error))
    _moved(request, moved)
    return redirect(moved)


@permission_or_403(MOVE)
@require_http_methods(["GET", "HEAD", "POST"])
def manager_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A manager leaves: their active clients by size class, where each class goes, every
    receiving manager's load after, and the handover in one move (and, for an admin, the
    deactivation of the manager after it)."""
    departing = get_object_or_404(User, pk=pk)
    clients = selectors.leaving_clients(departing)
    counts = loads(clients).get(departing.pk, Load()).by_size()
    data = request.POST if request.method == "POST" else request.GET
    target = LeaveForm(data if data else None, departing=departing, counts=counts)
    initial = {"reason": _("%(manager)s leaves") % {"manager": departing}}
    reason = ReasonForm(request.POST if request.method == "POST" else None, initial=initial)
    policy = Policy.current()
    context = {"departing": departing, "counts": counts, "total": sum(counts.values())}
    if not target.is_valid():
        status = 400 if request.method == "POST" else 200
        return _leave_page(request, context, target, reason, None, status=status)
    preview = selectors.preview(clients, selectors.targets(target.plan()), policy=policy)
    if request.method != "POST":
        return _leave_page(request, context, target, reason, preview)
    if not reason.is_valid():
        return _leave_page(request, context, target, reason, preview, status=400)
    try:
        moved = services.clients_reassign(
            selection=clients,
            to=target.plan(),
            reason=reason.cleaned_data["reason"],
            by=request.user,
            token=request.POST.get("token", "")[:64],
            departing=departing,
        )
    except services.MoveError as error:
        found = _refusal(request, error) or preview
        return _leave_page(request, context, target, reason, found, status=_status(error))
    _moved(request, moved)
    if reason.cleaned_data["deactivate"] and request.user.has_perm(MANAGE_USERS) and departing.is_active:
        _deactivate(request, departing)
    return redirect(moved)


def _deactivate(request: AuthenticatedHttpRequest, user: User) -> None:
    try:
        user_deactivate(actor=request.user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(user)s was deactivated.") % {"user": user})


@permission_or_403(MOVE)
@require_safe
def reassignments(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The moves made so far, newest first, a page at a time."""
    page = keyset_page(
        selectors.reassignments(),
        order=["-applied_at", "-pk"],
        after=request.GET.get("after", "")[:400],
        before=request.GET.get("before", "")[:400],
    )
    context = {"page": page, "page_query": "", "nav": "workload"}
    return render(request, "segmentation/moves/reassignment_list.html", context)


@permission_or_403(MOVE)
@require_safe
def reassignment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One move: who made it, when and why, its clients by previous and new manager, and each
    client from whom to whom, a page at a time."""
    moved = get_object_or_404(selectors.reassignments(), pk=pk)
    page = keyset_page(
        selectors.reassignment_items(moved),
        order=["client_name", "pk"],
        after=request.GET.get("after", "")[:400],
        before=request.GET.get("before", "")[:400],
        size=ITEMS_PER_PAGE,
    )
    context = {
        "reassignment": moved,
        "summary": selectors.reassignment_summary(moved),
        "page": page,
        "page_query": "",
        "may_deactivate": (
            moved.departing is not None and moved.departing.is_active and request.user.has_perm(MANAGE_USERS)
        ),
        "nav": "workload",
    }
    return render(request, "segmentation/moves/reassignment.html", context)


def _moved(request: AuthenticatedHttpRequest, moved: Reassignment) -> None:
    names = ", ".join(str(user) for user in selectors.new_managers(moved))
    text = ngettext(
        "%(count)d client was moved to %(manager)s.",
        "%(count)d clients were moved to %(manager)s.",
        moved.clients,
    )
    messages.success(request, text % {"count": moved.clients, "manager": names})


def _refusal(request: AuthenticatedHttpRequest, error: Exception) -> Preview | None:
    """Say why nothing was moved; the preview as it is now, where the refusal brings one."""
    if isinstance(error, services.StalePreviewError):
        messages.error(
            request,
            _(
                "Nothing was changed: the clients, their managers or the managers' loads changed "
                "since the preview. Here is the preview as it is now; check it and apply again."
            ),
        )
        return error.preview
    if isinstance(error, services.KamRuleError):
        messages.error(
            request, _("Nothing was changed: the policy forbids this move.") + " " + " ".join(error.rules)
        )
        return error.preview
    if isinstance(error, services.NothingToMoveError):
        messages.error(request, _("Nothing was changed: every selected client has this manager already."))
        return None
    assert isinstance(error, services.MoveRefused)
    messages.error(request, error.message)
    return None


def _status(error: Exception) -> int:
    return 409 if isinstance(error, services.StalePreviewError | services.KamRuleError) else 400


def _move_page(
    request: AuthenticatedHttpRequest,
    selection: MoveSelectionForm,
    target: MoveForm,
    reason: ReasonForm,
    preview: Preview,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "preview": preview,
        "planned": bool(preview.plan),
        "target": target,
        "reason": reason,
        "selection": selection.hidden_fields_to_repeat(),
        "back": selection.back_query(),
        "nav": "workload",
    }
    return render(request, "segmentation/moves/move.html", context, status=status)


def _leave_page(
    request: AuthenticatedHttpRequest,
    context: dict[str, Any],
    target: LeaveForm,
    reason: ReasonForm,
    preview: Preview | None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        **context,
        "sizes": [(size, SizeClass(size).label, target[size], context["counts"][size]) for size in SIZES],
        "target": target,
        "plan_fields": [(name, target.data[name]) for name in ("to", *SIZES) if target.data.get(name)],
        "reason": reason,
        "preview": preview,
        "may_deactivate": context["departing"].is_active and request.user.has_perm(MANAGE_USERS),
        "nav": "workload",
    }
    return render(request, "segmentation/moves/leave.html", context, status=status)
