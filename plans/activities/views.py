"""Development activities on the card (their own tab: add, edit, delete) and the directors' loyalty
ladder across the base.

The card's pages go through the card's gate: whoever may open the card reads its activities,
whoever may edit it writes them. Each form works inline with htmx (it opens above the list, and
the list with its ladder refreshes after a save) and as a plain page without JavaScript.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import EDIT, get_client_for_user
from accounts.audit import Conflict
from accounts.extensions import card_context
from accounts.forms import VersionForm
from accounts.models import Client
from accounts.views.conflicts import merged_form
from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from plans.activities import selectors, services
from plans.activities.forms import ActivityForm
from plans.models import Activity, Rung

TAB = "activities"
PAGE = "plans/client_activities.html"
FORM = "plans/activity_form.html"


def tab_context(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    """The card around the tab, the client's activities and its ladder (the rungs held, the top one)."""
    today = timezone.localdate()
    return card_context(request, client, TAB) | {
        "activities": selectors.client_activities(client),
        "reached": selectors.rungs_reached(client, today=today),
        "summary": selectors.ladder_summary(client, today=today),
        "rungs": list(Rung),
        "today": today,
    }


@login_required
@require_GET
def client_activities(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, PAGE, tab_context(request, get_client_for_user(request, pk)))


def _activity(client: Client, activity_pk: int | None) -> tuple[Activity | None, Conflict | None]:
    """The client's activity (None for a new one), or who deleted it meanwhile; 404 if it never
    was the client's."""
    if activity_pk is None:
        return None, None
    found = Activity.objects.filter(client=client, pk=activity_pk).first()
    if found is not None:
        return found, None
    history = Activity.history.filter(id=activity_pk, client_id=client.pk).select_related("history_user")
    latest = history.order_by("-history_date", "-history_id").first()
    if latest is None or latest.history_type != "-":
        raise Http404
    return None, Conflict([], latest.history_user, latest.history_date, deleted=True)


@login_required
@require_http_methods(["GET", "POST"])
def activity_form(request: AuthenticatedHttpRequest, pk: int, activity_pk: int | None = None) -> HttpResponse:
    """Add or edit an activity; a stale save is refused with what the other person changed, the
    user's input kept on their version (or, if they deleted it, offered as a new activity)."""
    client = get_client_for_user(request, pk, need=EDIT)
    activity, conflict = _activity(client, activity_pk)
    form = ActivityForm(request.POST or None, instance=activity, client=client)
    if request.method == "POST" and conflict is None and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            services.activity_save(
                activity=form.instance,
                client=client,
                many_to_many=form.many_to_many(),
                expected_version=version,
                by=request.user,
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            activity, form = _after_conflict(request, client, activity_pk, version)
        else:
            return _saved(request, client, _("The activity was saved."))
    elif conflict is not None and form.is_bound:
        form.is_valid()  # the activity is gone: the input stays, to be saved as a new one
    shown = form if form.is_bound or conflict is None else None
    return _form_page(request, client, activity=activity, form=shown, conflict=conflict)


def _after_conflict(
    request: AuthenticatedHttpRequest, client: Client, activity_pk: int | None, version: int | None
) -> tuple[Activity | None, ActivityForm]:
    """The activity as it is now with the user's input merged on, or a new one if it was deleted."""
    current = Activity.objects.filter(client=client, pk=activity_pk or 0).first()
    if current is None:
        form = ActivityForm(request.POST, client=client)
        form.is_valid()
        return None, form
    return current, merged_form(ActivityForm, request.POST, current, version, client=client)


@login_required
@require_POST
def activity_delete(request: AuthenticatedHttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """Delete an activity, unless someone changed it after the page showed it."""
    client = get_client_for_user(request, pk, need=EDIT)
    activity, conflict = _activity(client, activity_pk)
    if activity is not None:
        try:
            services.activity_delete(
                activity=activity, expected_version=VersionForm(request.POST).value(), by=request.user
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            activity = Activity.objects.filter(client=client, pk=activity_pk).first()
        else:
            return _saved(request, client, _("The activity was deleted."))
    form = ActivityForm(instance=activity, client=client) if activity is not None else None
    return _form_page(request, client, activity=activity, form=form, conflict=conflict, deleting=True)


def _form_page(
    request: AuthenticatedHttpRequest,
    client: Client,
    *,
    activity: Activity | None,
    form: ActivityForm | None,
    conflict: Conflict | None,
    deleting: bool = False,
) -> HttpResponse:
    """The activity's form, or the refusal of a stale save or delete (409) with what the other
    person did. When the activity is gone, htmx also gets the refreshed list, out of band."""
    context = card_context(request, client, TAB) | {
        "form": form,
        "activity": activity,
        "conflict": conflict,
        "deleting": deleting,
    }
    status = 409 if conflict else 200
    if not request.htmx:
        return render(request, FORM, context, status=status)
    html = render_to_string(f"{FORM}#form", context, request)
    if conflict is not None and activity is None:
        html += render_to_string(f"{PAGE}#activities", tab_context(request, client) | {"oob": True}, request)
    return HttpResponse(html, status=status)


def _saved(request: AuthenticatedHttpRequest, client: Client, message: str) -> HttpResponse:
    """htmx gets the refreshed list and ladder (out of band) and an empty form slot; others a redirect."""
    if request.htmx:
        return render(request, f"{PAGE}#activities", tab_context(request, client) | {"oob": True})
    messages.success(request, message)
    return redirect("plans:client_activities", pk=client.pk)


# The directors' loyalty ladder


@permission_or_403("segmentation.review_keys")
@require_GET
def ladder(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Clients by ABCD category and the highest rung of the loyalty ladder reached; each count
    opens the client list filtered by both."""
    context = {
        "rows": selectors.ladder_table(timezone.localdate()),
        "rungs": list(Rung),
        "nav": "ladder",
    }
    return render(request, "plans/ladder.html", context)
