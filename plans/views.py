"""Plans on the card (the Plans tab: start, tick and edit steps, the offer, closing) and the plan
templates (admins).

The card's pages go through the card's gate: whoever may open the card reads its plans, whoever
may edit it runs them. Steps are edited inline with htmx (the row turns into its form and the
plans come back after a save) and, without JavaScript, on a page of their own.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from accounts.access import EDIT, get_client_for_user
from accounts.audit import Conflict
from accounts.extensions import card_context
from accounts.models import Client
from accounts.views.conflicts import merged_form
from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from plans import selectors, services
from plans.forms import OfferForm, PlanCloseForm, PlanStepForm, TemplateStepForm, TickForm
from plans.models import Plan, PlanKind, PlanStep, PlanTemplate, TemplateStep

PLANS_PAGE = "plans/client_plans.html"
MANAGE_TEMPLATES = "segmentation.manage_policy"


# The Plans tab


def plans_context(request: AuthenticatedHttpRequest, client: Client) -> dict[str, Any]:
    """The tab's plans, what the strategy suggests and which kinds may be started."""
    cards = selectors.plan_cards(client, today=timezone.localdate())
    active = {card.plan.kind for card in cards if card.plan.is_active}
    winning_back = any(card.plan.kind == PlanKind.WIN_BACK for card in cards)
    return card_context(request, client, "plans") | {
        "cards": cards,
        "suggestion": selectors.suggestion(client),
        "startable": [kind for kind in PlanKind if kind not in active],
        "refusals": selectors.refusals_summary(client) if winning_back else None,
    }


@login_required
@require_GET
def client_plans(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plans(request, get_client_for_user(request, pk))


def _plans(
    request: AuthenticatedHttpRequest, client: Client, notice: tuple[str, str] | None = None
) -> HttpResponse:
    """The tab, or for htmx its plans alone in place of `#plans` (after a save, or to cancel a form)."""
    context = plans_context(request, client) | {"notice": notice}
    if not request.htmx:
        return render(request, PLANS_PAGE, context)
    return reswap(retarget(render(request, f"{PLANS_PAGE}#plans", context), "#plans"), "outerHTML")


def _changed(
    request: AuthenticatedHttpRequest, client: Client, text: str, level: str = "success"
) -> HttpResponse:
    """htmx gets the refreshed plans with the message on top; others the message and a redirect."""
    if request.htmx:
        return _plans(request, client, notice=(level, text))
    messages.add_message(request, messages.SUCCESS if level == "success" else messages.ERROR, text)
    return redirect("plans:client_plans", pk=client.pk)


@login_required
@require_POST
def plan_start(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Start a plan of `kind` from its template, owned by the responsible manager (one click)."""
    client = get_client_for_user(request, pk, need=EDIT)
    if kind not in PlanKind.values:
        raise Http404
    label = PlanKind(kind).label
    try:
        services.plan_create(client=client, kind=kind, by=request.user)
    except services.ActivePlanExistsError:
        messages.error(
            request, _("Not started: the client already has an active %(plan)s.") % {"plan": label}
        )
    except services.NoOwnerError:
        messages.error(
            request, _("Not started: nobody is responsible for the client, so the plan has no owner.")
        )
    else:
        messages.success(request, _("The %(plan)s was started.") % {"plan": label})
    return redirect("plans:client_plans", pk=client.pk)


def _step(client: Client, step_pk: int) -> PlanStep:
    return get_object_or_404(PlanStep.objects.select_related("plan"), pk=step_pk, plan__client=client)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: AuthenticatedHttpRequest, pk: int, step_pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=EDIT)
    step = _step(client, step_pk)
    form = PlanStepForm(request.POST or None, instance=step, client=client)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            services.plan_step_save(
                step=step, values=form.step_values(), expected_version=version, by=request.user
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            step = _step(client, step_pk)
            form = merged_form(PlanStepForm, request.POST, step, version, client=client)
        except services.PlanClosedError as error:
            return _changed(request, client, _closed(error.plan), "error")
        else:
            return _changed(request, client, _("The step was saved."))
    context = card_context(request, client, "plans") | {"form": form, "step": step, "conflict": conflict}
    template = "plans/step_form.html#row" if request.htmx else "plans/step_form.html"
    return render(request, template, context, status=409 if conflict else 200)


@login_required
@require_POST
def step_tick(request: AuthenticatedHttpRequest, pk: int, step_pk: int) -> HttpResponse:
    """Mark a step done today, or not done; refused if the step changed since the page showed it."""
    client = get_client_for_user(request, pk, need=EDIT)
    step = _step(client, step_pk)
    form = TickForm(request.POST)
    if not form.is_valid():
        return _changed(request, client, _("Not saved: reload the page and try again."), "error")
    try:
        services.plan_step_save(
            step=step,
            values={"done_on": form.done_on()},
            expected_version=form.cleaned_data["version"],
            by=request.user,
        )
    except services.StaleVersionError as error:
        return _changed(request, client, _stale_step(error.conflict), "error")
    except services.PlanClosedError as error:
        return _changed(request, client, _closed(error.plan), "error")
    return _changed(
        request,
        client,
        _("The step was marked done.") if form.done_on() else _("The step was marked not done."),
    )


def _stale_step(conflict: Conflict) -> str:
    return _("Not saved: %(who)s changed this step at %(when)s. Check it and try again.") % _who(conflict)


def _who(conflict: Conflict) -> dict[str, str]:
    when = (
        formats.date_format(timezone.localtime(conflict.changed_at), "DATETIME_FORMAT")
        if conflict.changed_at
        else "—"
    )
    return {"who": str(conflict.changed_by or _("another user")), "when": when}


def _closed(plan: Plan) -> str:
    closed_on = formats.date_format(plan.closed_on, "SHORT_DATE_FORMAT") if plan.closed_on else "—"
    return _("Not saved: the plan was closed on %(date)s; its steps stay as they were.") % {"date": closed_on}


def _plan(client: Client, plan_pk: int) -> Plan:
    return get_object_or_404(Plan, pk=plan_pk, client=client)


@login_required
@require_http_methods(["GET", "POST"])
def plan_close(request: AuthenticatedHttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    """Close an active plan with its outcome; a stale form is refused with who changed the plan."""
    client = get_client_for_user(request, pk, need=EDIT)
    plan = _plan(client, plan_pk)
    form: forms.Form = PlanCloseForm(request.POST or None, plan=plan)
    conflict = None
    if request.method == "POST" and plan.is_active and form.is_valid():
        values = form.cleaned_data
        try:
            services.plan_close(
                plan=plan,
                outcome=values["outcome"],
                note=values["note"],
                expected_version=values["version"],
                by=request.user,
            )
        except services.StaleVersionError as error:
            conflict, plan, form = error.conflict, *_again(PlanCloseForm, request, client, plan_pk)
        else:
            return _changed(
                request,
                client,
                _("The plan was closed: %(outcome)s.") % {"outcome": plan.get_outcome_display()},
            )
    return _plan_form(request, client, plan, form, conflict, "plans/plan_close.html")


@login_required
@require_http_methods(["GET", "POST"])
def plan_offer(request: AuthenticatedHttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    """The offer of a win-back plan (special offer, gift, discount or other, in words)."""
    client = get_client_for_user(request, pk, need=EDIT)
    plan = get_object_or_404(Plan, pk=plan_pk, client=client, kind=PlanKind.WIN_BACK)
    form: forms.Form = OfferForm(request.POST or None, plan=plan)
    conflict = None
    if request.method == "POST" and plan.is_active and form.is_valid():
        values = form.cleaned_data
        try:
            services.plan_offer_save(
                plan=plan,
                kind=values["offer_kind"],
                text=values["offer_text"],
                expected_version=values["version"],
                by=request.user,
            )
        except services.StaleVersionError as error:
            conflict, plan, form = error.conflict, *_again(OfferForm, request, client, plan_pk)
        else:
            return _changed(request, client, _("The offer was saved."))
    return _plan_form(request, client, plan, form, conflict, "plans/plan_offer.html")


def _again(
    form_class: Any, request: AuthenticatedHttpRequest, client: Client, plan_pk: int
) -> tuple[Plan, forms.Form]:
    """The plan as it is now, and the user's input on its latest version, to check and save again."""
    plan = _plan(client, plan_pk)
    data = request.POST.copy()
    data["version"] = str(plan.version)
    form = form_class(data, plan=plan)
    form.is_valid()
    return plan, form


def _plan_form(
    request: AuthenticatedHttpRequest,
    client: Client,
    plan: Plan,
    form: forms.Form,
    conflict: Conflict | None,
    template: str,
) -> HttpResponse:
    context = card_context(request, client, "plans") | {"plan": plan, "form": form, "conflict": conflict}
    status = 409 if conflict or (request.method == "POST" and not plan.is_active) else 200
    return render(request, template, context, status=status)


# Plan templates (admins)


@permission_or_403(MANAGE_TEMPLATES)
@require_safe
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"templates": selectors.templates(), "nav": "policy"}
    return render(request, "plans/template_list.html", context)


@permission_or_403(MANAGE_TEMPLATES)
@require_http_methods(["GET", "HEAD", "POST"])
def template_detail(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """A template's steps, each to reword, move, retire or restore; a new step is added at the end."""
    template = get_object_or_404(PlanTemplate, kind=kind)
    form = TemplateStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.template_step_add(template=template, values=form.step_values(), by=request.user)
        messages.success(
            request, _("The step was added. New plans start with it; running plans do not change.")
        )
        return redirect("plans:template_detail", kind=kind)
    context = {
        "template": template,
        "steps": selectors.template_steps(template),
        "form": form,
        "nav": "policy",
    }
    return render(request, "plans/template_detail.html", context)


@permission_or_403(MANAGE_TEMPLATES)
@require_http_methods(["GET", "HEAD", "POST"])
def template_step_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(TemplateStep.objects.select_related("template"), pk=pk)
    form = TemplateStepForm(request.POST or None, instance=step)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            services.template_step_update(
                step=step, values=form.step_values(), expected_version=version, by=request.user
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            step = get_object_or_404(TemplateStep.objects.select_related("template"), pk=pk)
            form = merged_form(TemplateStepForm, request.POST, step, version)
        else:
            messages.success(
                request, _("The step was saved. New plans use the new wording; running plans do not change.")
            )
            return redirect("plans:template_detail", kind=step.template.kind)
    context = {"step": step, "form": form, "conflict": conflict, "nav": "policy"}
    return render(request, "plans/template_step_form.html", context, status=409 if conflict else 200)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


@permission_or_403(MANAGE_TEMPLATES)
@require_POST
def template_step_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(TemplateStep.objects.select_related("template"), pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not moved: choose up or down."))
    elif not services.template_step_move(
        step=step, up=form.cleaned_data["direction"] == "up", by=request.user
    ):
        messages.info(request, _("The step is already at the end of the list."))
    return redirect("plans:template_detail", kind=step.template.kind)


class RetireForm(forms.Form):
    retire = forms.BooleanField(required=False)
    version = forms.IntegerField(min_value=0)


@permission_or_403(MANAGE_TEMPLATES)
@require_POST
def template_step_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Retire a step (new plans leave it out, running plans keep it) or restore it."""
    step = get_object_or_404(TemplateStep.objects.select_related("template"), pk=pk)
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved: reload the page and try again."))
        return redirect("plans:template_detail", kind=step.template.kind)
    retire = form.cleaned_data["retire"]
    try:
        services.template_step_retire(
            step=step, retire=retire, expected_version=form.cleaned_data["version"], by=request.user
        )
    except services.StaleVersionError as error:
        messages.error(request, _stale_step(error.conflict))
    else:
        messages.success(
            request,
            _("The step was retired: new plans leave it out.") if retire else _("The step is in use again."),
        )
    return redirect("plans:template_detail", kind=step.template.kind)
