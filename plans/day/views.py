"""The manager's day: the landing page of account managers, and logging a birthday
congratulation as a touch in one click."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import EDIT, get_client_for_user
from accounts.models import Contact, Touch
from accounts.services import card_entry_save
from kam.http import AuthenticatedHttpRequest
from plans.day import selectors


@login_required
@require_GET
def day(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    context = {
        "today": today,
        "steps": selectors.plan_steps(user, today),
        "actions": selectors.action_items(user, today),
        "birthdays": selectors.birthdays(user, today),
        "flags": selectors.flag_counts(user),
        "next_steps": selectors.next_steps_due(user, today),
        "birthday_days": selectors.BIRTHDAY_DAYS,
        "nav": "day",
    }
    return render(request, "plans/day.html", context)


@login_required
@require_POST
def congratulate(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Log today's birthday congratulation of a contact as a touch of its client, by the user."""
    client = get_client_for_user(request, pk, need=EDIT)
    contact = get_object_or_404(Contact, pk=contact_pk, client=client, is_active=True)
    touch = Touch(
        kind=Touch.Kind.CONGRATULATION, date=timezone.localdate(), summary=_("Birthday congratulations")
    )
    card_entry_save(
        entry=touch,
        client=client,
        author=request.user,
        many_to_many={"contacts": [contact], "participants": [request.user]},
    )
    messages.success(
        request, _("Your congratulation of %(contact)s is logged as a touch.") % {"contact": contact.name}
    )
    return redirect("plans:day")
