"""The questionnaires on the card (the Questionnaires tab: run one, correct a survey, turn a low score
into a plan step) and their questions (admins).

The card's pages go through the card's gate: whoever may open the card reads its surveys, whoever
may edit it records them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from accounts.access import EDIT, get_client_for_user
from accounts.extensions import card_context
from accounts.models import Client
from accounts.views.conflicts import merged_form
from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from plans.models import LOW_SCORE, MAX_SCORE, Answer, Question, Questionnaire, QuestionnaireKind, Survey
from plans.questionnaires import selectors, services
from plans.questionnaires.forms import QuestionForm, SurveyForm
from plans.services import PlanClosedError
from plans.views import MANAGE_TEMPLATES, MoveForm, RetireForm

TAB = "questionnaires"


# The Questionnaires tab


@login_required
@require_GET
def client_surveys(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The client's surveys, newest first, each against the previous one of its questionnaire."""
    client = get_client_for_user(request, pk)
    context = card_context(request, client, TAB) | {
        "cards": selectors.survey_cards(client),
        "kinds": QuestionnaireKind,
        "has_respondents": selectors.respondents(client).exists(),
        "target": selectors.fix_target(client),
        "low_score": LOW_SCORE,
        "max_score": MAX_SCORE,
    }
    return render(request, "plans/client_surveys.html", context)


def _surveys(client: Client) -> HttpResponse:
    return redirect("plans:client_surveys", pk=client.pk)


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Run a questionnaire: a score and a comment for every question in use, the date, the respondent."""
    client = get_client_for_user(request, pk, need=EDIT)
    questionnaire = get_object_or_404(Questionnaire, kind=kind)
    questions = selectors.active_questions(questionnaire)
    if not questions:
        messages.error(request, _("The questionnaire has no questions in use: an admin adds them first."))
        return _surveys(client)
    form = SurveyForm(request.POST or None, client=client, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_create(
                client=client, questionnaire=questionnaire, values=form.survey_values(), by=request.user
            )
        except services.QuestionsChangedError:
            form.add_error(None, _("The questions changed while you were answering. Reload the page."))
        else:
            messages.success(request, _("The answers were saved."))
            return _surveys(client)
    context = card_context(request, client, TAB) | {"form": form, "questionnaire": questionnaire}
    return render(request, "plans/survey_form.html", context)


def _survey(client: Client, survey_pk: int) -> Survey:
    found = Survey.objects.select_related("questionnaire", "client").prefetch_related("answers")
    return get_object_or_404(found, pk=survey_pk, client=client)


def _survey_form(client: Client, survey: Survey, data: object) -> SurveyForm:
    questions = [a.question for a in survey.answers.select_related("question").order_by("question__position")]
    return SurveyForm(data, client=client, questions=questions, survey=survey)


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: AuthenticatedHttpRequest, pk: int, survey_pk: int) -> HttpResponse:
    """Correct a survey; a save made on a version someone else moved on is refused with their change."""
    client = get_client_for_user(request, pk, need=EDIT)
    survey = _survey(client, survey_pk)
    form = _survey_form(client, survey, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            services.survey_update(
                survey=survey, values=form.survey_values(), expected_version=version, by=request.user
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            survey = _survey(client, survey_pk)
            conflict.changes += selectors.answer_changes(survey, version or 0)
            data = request.POST.copy()
            data["version"] = str(survey.version)
            form = _survey_form(client, survey, data)
        else:
            messages.success(request, _("The answers were saved."))
            return _surveys(client)
    context = card_context(request, client, TAB) | {
        "form": form,
        "questionnaire": survey.questionnaire,
        "survey": survey,
        "conflict": conflict,
    }
    return render(request, "plans/survey_form.html", context, status=409 if conflict else 200)


@login_required
@require_POST
def answer_step(request: AuthenticatedHttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    """One click: a low score becomes a step "Fix: …" of the client's running plan."""
    client = get_client_for_user(request, pk, need=EDIT)
    answer = get_object_or_404(Answer, pk=answer_pk, survey__client=client)
    try:
        step = services.answer_make_step(answer=answer, by=request.user)
    except services.NotLowError:
        messages.error(
            request, _("Not added: only a score of %(low)s or less is a shortcoming.") % {"low": LOW_SCORE}
        )
    except services.AlreadyAStepError as error:
        messages.error(
            request,
            _("Not added: this answer is already a step of the %(plan)s.")
            % {"plan": error.step.plan.get_kind_display()},
        )
    except services.NoActivePlanError as error:
        messages.error(request, _no_plan(error))
    except PlanClosedError:
        messages.error(request, _("Not added: the plan was closed meanwhile. Reload the page and try again."))
    else:
        due = formats.date_format(step.due, "SHORT_DATE_FORMAT") if step.due else "—"
        messages.success(
            request,
            _("The step was added to the %(plan)s, assigned to %(owner)s, due %(due)s.")
            % {"plan": step.plan.get_kind_display(), "owner": step.plan.owner, "due": due},
        )
    return _surveys(client)


def _no_plan(error: services.NoActivePlanError) -> str:
    if error.strategy is None:
        return _("Not added: the client has no active plan. Start one on the Plans tab first.")
    return _(
        "Not added: the client has no active plan. Start the %(plan)s first (the strategy calls for it)."
    ) % {"plan": error.strategy.label}


# The questions (admins)


@permission_or_403(MANAGE_TEMPLATES)
@require_safe
def questionnaire_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"questionnaires": selectors.questionnaires(), "nav": "policy"}
    return render(request, "plans/questionnaire_list.html", context)


@permission_or_403(MANAGE_TEMPLATES)
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_detail(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """A questionnaire's questions, each to reword, move, retire or restore; a new one goes at the end."""
    questionnaire = get_object_or_404(Questionnaire, kind=kind)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.question_add(questionnaire=questionnaire, values=form.question_values(), by=request.user)
        messages.success(
            request, _("The question was added. New surveys ask it; surveys already taken do not change.")
        )
        return redirect("plans:questionnaire_detail", kind=kind)
    context = {
        "questionnaire": questionnaire,
        "questions": selectors.questions(questionnaire),
        "form": form,
        "nav": "policy",
    }
    return render(request, "plans/questionnaire_detail.html", context)


def _question(pk: int) -> Question:
    return get_object_or_404(Question.objects.select_related("questionnaire"), pk=pk)


@permission_or_403(MANAGE_TEMPLATES)
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    form = QuestionForm(request.POST or None, instance=question)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            services.question_update(
                question=question, values=form.question_values(), expected_version=version, by=request.user
            )
        except services.StaleVersionError as error:
            conflict = error.conflict
            question = _question(pk)
            form = merged_form(QuestionForm, request.POST, question, version)
        else:
            messages.success(request, _("The question was saved. Surveys already taken keep their answers."))
            return redirect("plans:questionnaire_detail", kind=question.questionnaire.kind)
    context = {"question": question, "form": form, "conflict": conflict, "nav": "policy"}
    return render(request, "plans/question_form.html", context, status=409 if conflict else 200)


@permission_or_403(MANAGE_TEMPLATES)
@require_POST
def question_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not moved: choose up or down."))
    elif not services.question_move(
        question=question, up=form.cleaned_data["direction"] == "up", by=request.user
    ):
        messages.info(request, _("The question is already at the end of the list."))
    return redirect("plans:questionnaire_detail", kind=question.questionnaire.kind)


@permission_or_403(MANAGE_TEMPLATES)
@require_POST
def question_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Retire a question (new surveys leave it out; answers given stay) or restore it."""
    question = _question(pk)
    form: forms.Form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved: reload the page and try again."))
        return redirect("plans:questionnaire_detail", kind=question.questionnaire.kind)
    retire = form.cleaned_data["retire"]
    try:
        services.question_retire(
            question=question, retire=retire, expected_version=form.cleaned_data["version"], by=request.user
        )
    except services.StaleVersionError:
        messages.error(
            request, _("Not saved: someone changed this question meanwhile. Check it and try again.")
        )
    else:
        messages.success(
            request,
            _("The question was retired: new surveys leave it out.")
            if retire
            else _("The question is in use again."),
        )
    return redirect("plans:questionnaire_detail", kind=question.questionnaire.kind)
