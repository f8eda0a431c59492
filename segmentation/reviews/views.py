"""The key-list review meeting: the reviews, one review, its clients one by one, the minutes,
and the action items of their owners. Directors decide; admins read; managers see only the
action items they own."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import People
from kam import fragments
from kam.access import permission_or_403
from kam.excel import workbook_response
from kam.http import AuthenticatedHttpRequest, safe_next
from kam.links import pk_url
from kam.pagination import keyset_page, query_without
from kam.prepared import Prepared
from segmentation.keys.services import DecisionRefused
from segmentation.models import ActionItem, Review, ReviewItem
from segmentation.reviews import cells, selectors, services
from segmentation.reviews.export import review_workbook
from segmentation.reviews.forms import ActionFilterForm, ActionItemForm, CloseForm, DecisionForm

REVIEW = "segmentation.review_keys"
DECIDE = "segmentation.decide_for_client"


@permission_or_403(REVIEW)
@require_GET
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reviews, newest first: their table drawn once per state of the reviews (how many, the
    newest, the sum of their versions: every decision and action item moves one), page and
    language; names may lag by a minute."""
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    state = selectors.reviews_state()

    def table() -> str:
        page = keyset_page(
            selectors.reviews(),
            order=["-opened_at", "-pk"],
            after=after,
            before=before,
            size=selectors.REVIEWS_PER_PAGE,
        )
        return render_to_string("segmentation/reviews/_list_table.html", {"page": page, "page_query": ""})

    context = {
        "table": fragments.cached("reviews", state, after, before, render=table),
        "open_review_url": pk_url("segmentation:review_detail", state.open) if state.open else "",
        "nav": "reviews",
    }
    return render(request, "segmentation/reviews/list.html", context)


@permission_or_403(DECIDE)
@require_POST
def review_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        review = services.review_open(by=request.user, today=timezone.localdate())
    except services.ReviewRefused as refused:
        messages.error(request, refused.message)
        return redirect("segmentation:review_list")
    messages.success(request, _("The review is open: %(count)s clients.") % {"count": review.items.count()})
    return redirect(review)


def _review(pk: int) -> Review:
    for review in _REVIEW(pk):
        return review
    raise Http404


_REVIEW = Prepared(
    lambda pk: Review.objects.filter(pk=pk).select_related("opened_by", "closed_by", "previous")
)


@permission_or_403(REVIEW)
@require_GET
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
    undecided = request.GET.get("undecided") == "1"
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    page_query = query_without(request.GET, "after", "before")
    can_decide = request.user.has_perm(DECIDE)

    def body() -> str:
        """The review, its minutes, the difference from the previous one and a page of its
        clients, drawn once per version of the review (`Review.version`), page and language:
        names may lag by a minute."""
        context = {
            "review": review,
            "page": selectors.item_page(review, after=after, before=before, undecided=undecided),
            "undecided": undecided,
            "page_query": page_query,
            "diff": selectors.difference(review),
            "attendees": review.attendees.all() if not review.is_open else [],
            "can_decide": can_decide,
        }
        return render_to_string("segmentation/reviews/_detail_body.html", context)

    version = (review.pk, review.version, after, before, undecided, page_query, can_decide)
    context = {
        "review": review,
        "body": fragments.cached("review", *version, render=body),
        "nav": "reviews",
    }
    return render(request, "segmentation/reviews/detail.html", context)


@permission_or_403(DECIDE)
@require_http_methods(["GET", "POST"])
def review_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The minutes, on a page of their own: who attended and what was agreed. Closing makes the
    review read-only; a closed review's address leads back to it."""
    review = _review(pk)
    if request.method == "GET" and not review.is_open:
        messages.info(request, _("This review is closed already."))
        return redirect(review)
    if request.method == "GET":
        form = CloseForm(initial={"attendees": [request.user]})
    else:
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                services.review_close(review=review, by=request.user, **form.cleaned_data)
            except services.ReviewRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The review is closed and its minutes are kept."))
                return redirect(review)
    context = {"review": review, "form": form, "nav": "reviews"}
    return render(request, "segmentation/reviews/close.html", context, status=400 if form.is_bound else 200)


def _meeting_page(
    request: AuthenticatedHttpRequest,
    review: Review,
    position: int,
    *,
    decision: DecisionForm | None = None,
    action: ActionItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = selectors.meeting(review, position, today=timezone.localdate())
    if meeting is None:
        raise Http404
    item = meeting.item
    initial: dict[str, Any] = {"decision": item.decision, "note": item.note}
    if not item.decision:
        initial["reasons"] = meeting.now.key_status.reasons if hasattr(meeting.now, "key_status") else []
    people = People()  # the two forms' selects of people, read in one query
    context = {
        "review": review,
        "meeting": meeting,
        "decision_form": decision or DecisionForm(initial=initial, people=people),
        "action_form": action
        or ActionItemForm(initial={"owner": item.client.responsible_manager_id}, people=people),
        "can_decide": review.is_open and request.user.has_perm(DECIDE),
        "can_change_actions": request.user.has_perm(DECIDE),
        "today": timezone.localdate(),
        "nav": "reviews",
    }
    return render(request, "segmentation/reviews/meeting.html", context, status=status)


@permission_or_403(REVIEW)
@require_GET
def review_client(request: AuthenticatedHttpRequest, pk: int, position: int) -> HttpResponse:
    return _meeting_page(request, _review(pk), position)


def _item(review: Review, position: int) -> ReviewItem:
    return get_object_or_404(review.items.select_related("client"), position=position)


@permission_or_403(DECIDE)
@require_POST
def review_decide(request: AuthenticatedHttpRequest, pk: int, position: int) -> HttpResponse:
    review = _review(pk)
    item = _item(review, position)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            warnings = services.review_decide(item=item, by=request.user, **form.cleaned_data)
        except DecisionRefused as refused:
            form.add_error(None, refused.message)
        else:
            label = dict(form.fields["decision"].choices)[form.cleaned_data["decision"]]  # type: ignore[attr-defined]
            messages.success(
                request, _("%(client)s: %(decision)s.") % {"client": item.client, "decision": label}
            )
            for warning in warnings:
                messages.warning(request, warning)
            return _next(review, position, request)
    return _meeting_page(request, review, position, decision=form, status=400)


def _next(review: Review, position: int, request: AuthenticatedHttpRequest) -> HttpResponse:
    """After a decision the meeting moves on to the next client (or stays on the last one)."""
    following = selectors.next_position(review, position)
    stay = request.POST.get("stay") == "1" or following is None
    return redirect("segmentation:review_client", pk=review.pk, position=position if stay else following)


@permission_or_403(DECIDE)
@require_POST
def action_add(request: AuthenticatedHttpRequest, pk: int, position: int) -> HttpResponse:
    review = _review(pk)
    item = _item(review, position)
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            services.action_add(item=item, by=request.user, **form.cleaned_data)
        except services.ReviewRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, _("Action item for %(owner)s added.") % {"owner": form.cleaned_data["owner"]}
            )
            return redirect("segmentation:review_client", pk=review.pk, position=position)
    return _meeting_page(request, review, position, action=form, status=400)


@login_required
@require_GET
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The action items of the user; a director or an admin sees everyone's, by owner."""
    everyone = request.user.has_perm(REVIEW)
    filters = ActionFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    actions = selectors.actions_of(
        request.user, everyone=everyone, owner=data.get("owner"), status=data.get("status", "")
    )
    context = {
        "page": selectors.action_page(actions, after=data.get("after", ""), before=data.get("before", "")),
        "filters": filters,
        "everyone": everyone,
        "can_change_actions": request.user.has_perm(DECIDE),
        "today": timezone.localdate(),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "actions",
    }
    return render(request, "segmentation/reviews/actions.html", context)


@login_required
@require_POST
def action_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its owner or a director marks an action item done (or open again)."""
    everyone = request.user.has_perm(DECIDE)
    action = get_object_or_404(
        ActionItem.objects.all() if everyone else request.user.action_items.all(), pk=pk
    )
    try:
        services.action_set_status(action=action, status=request.POST.get("status", ""), by=request.user)
    except services.ReviewRefused as refused:
        messages.error(request, refused.message)
    else:
        words = {"what": action.what, "status": action.get_status_display()}
        messages.success(request, _("“%(what)s”: %(status)s.") % words)
    return redirect(safe_next(request, request.POST.get("next", ""), "segmentation:action_list"))


@permission_or_403(REVIEW)
@require_GET
def review_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The review on A4 landscape: every client with its flags and decision, the action items, the minutes.

    Drawn once per version of the review (`Review.version`), day (an action item falls overdue)
    and language, as the review's page is: names may lag by a minute."""
    review = _review(pk)
    today = timezone.localdate()

    def sheet() -> str:
        context = {
            "review": review,
            "items": review.items.order_by("position").values_list(*cells.PRINTED),
            "actions": ActionItem.objects.filter(item__review=review)
            .select_related("item__client", "owner")
            .order_by("due", "pk"),
            "attendees": review.attendees.all(),
            "today": today,
        }
        return render_to_string("segmentation/reviews/print.html", context)

    return HttpResponse(fragments.cached("review-print", review.pk, review.version, today, render=sheet))


@permission_or_403(REVIEW)
@require_GET
def review_export(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    review = _review(pk)
    name = f"review-{timezone.localtime(review.opened_at):%Y-%m-%d}-{review.pk}.xlsx"
    return workbook_response(review_workbook(review), name)
