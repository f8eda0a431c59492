"""Every write to the questionnaires and to a client's surveys; each is atomic and keeps the history.

Questions and surveys carry a version that every save moves on (`accounts.services._claim`): a save
made on a version someone else has moved on is refused with StaleVersionError.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.utils import bulk_create_with_history

from accounts.models import Client, Contact
from accounts.services import StaleVersionError, _claim
from kam.users.models import User
from plans.models import Answer, PlanStep, Question, Questionnaire, Survey
from plans.questionnaires import selectors
from plans.selectors import Suggestion
from plans.services import move_among, plan_step_add

__all__ = [
    "AlreadyAStepError",
    "NoActivePlanError",
    "NotLowError",
    "QuestionsChangedError",
    "StaleVersionError",
]

FIX_DUE_DAYS = 14  # a shortcoming's step is due two weeks after it is taken up
TEXT_MAX = 300  # PlanStep's wording, in each language

# (score, comment) for each question id
Scores = dict[int, tuple[int, str]]


class QuestionsChangedError(Exception):
    """The answers are not to the questions the survey asks (an admin changed them meanwhile)."""


class NotLowError(Exception):
    """Only a low score is a shortcoming to fix."""


class AlreadyAStepError(Exception):
    """The answer was already turned into a plan step (perhaps meanwhile, by someone else)."""

    def __init__(self, step: PlanStep) -> None:
        super().__init__(step.pk)
        self.step = step


class NoActivePlanError(Exception):
    """The client runs no plan to add the step to; `strategy` is the plan to start, if any."""

    def __init__(self, strategy: Suggestion | None) -> None:
        super().__init__(strategy.kind if strategy else None)
        self.strategy = strategy


# Questions (admins)


def question_add(*, questionnaire: Questionnaire, values: dict[str, Any], by: User) -> Question:
    """A new question at the end; surveys already taken do not change."""
    with transaction.atomic():
        Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()  # one adder at a time
        last = questionnaire.questions.aggregate(last=Max("position"))["last"] or 0
        question = Question(questionnaire=questionnaire, position=last + 1, **values)
        question._history_user = by  # type: ignore[attr-defined]
        question.save()
    return question


def question_update(
    *, question: Question, values: dict[str, Any], expected_version: int | None, by: User
) -> Question:
    """Reword a question (or retire it), if nobody saved it since `expected_version`."""
    with transaction.atomic():
        question.version = _claim(Question, question.pk, expected_version)
        for name, value in values.items():
            setattr(question, name, value)
        question._history_user = by  # type: ignore[attr-defined]
        question.save(update_fields=[*values, "version"])
    return question


def question_retire(*, question: Question, retire: bool, expected_version: int | None, by: User) -> None:
    """Retire a question (new surveys leave it out; answers and history stay) or put it back."""
    question_update(
        question=question, values={"is_active": not retire}, expected_version=expected_version, by=by
    )


def question_move(*, question: Question, up: bool, by: User) -> bool:
    """Swap the question with its neighbour among those in use (or the retired ones); False at an end."""
    with transaction.atomic():
        found = Question.objects.select_for_update().filter(questionnaire_id=question.questionnaire_id)
        return move_among(list(found), question.pk, up=up, by=by)


# Surveys


@dataclass
class SurveyValues:
    """What a survey form gives: the date, who answered, and each question's score and comment."""

    taken_on: date
    respondent: Contact
    scores: Scores


def survey_create(*, client: Client, questionnaire: Questionnaire, values: SurveyValues, by: User) -> Survey:
    """Record a survey with an answer to every question in use (QuestionsChangedError otherwise)."""
    _check_respondent(client, values.respondent)
    with transaction.atomic():
        asked = {q.pk for q in selectors.active_questions(questionnaire)}
        if set(values.scores) != asked:
            raise QuestionsChangedError
        survey = Survey(
            client=client,
            questionnaire=questionnaire,
            taken_on=values.taken_on,
            respondent=values.respondent,
            created_by=by,
        )
        survey._history_user = by  # type: ignore[attr-defined]
        survey.save()
        answers = [
            Answer(survey=survey, question_id=pk, score=score, comment=comment)
            for pk, (score, comment) in values.scores.items()
        ]
        bulk_create_with_history(answers, Answer, default_user=by)
    return survey


def survey_update(*, survey: Survey, values: SurveyValues, expected_version: int | None, by: User) -> Survey:
    """Correct a survey's date, respondent, scores and comments, if nobody saved it since
    `expected_version`; only the answers that changed are written (and kept in the history)."""
    _check_respondent(survey.client, values.respondent)
    with transaction.atomic():
        survey.version = _claim(Survey, survey.pk, expected_version)
        survey.taken_on, survey.respondent = values.taken_on, values.respondent
        survey._history_user = by  # type: ignore[attr-defined]
        survey.save(update_fields=["taken_on", "respondent", "version"])
        answers = list(survey.answers.all())
        if {a.question_id for a in answers} != set(values.scores):
            raise QuestionsChangedError
        for answer in answers:
            score, comment = values.scores[answer.question_id]
            if (answer.score, answer.comment) != (score, comment):
                answer.score, answer.comment = score, comment
                answer._history_user = by  # type: ignore[attr-defined]
                answer.save(update_fields=["score", "comment"])
    return survey


def _check_respondent(client: Client, respondent: Contact) -> None:
    if respondent.client_id != client.pk:
        raise ValueError("the respondent is another client's contact")


# A low score becomes a plan step


def answer_make_step(*, answer: Answer, by: User, today: date | None = None) -> PlanStep:
    """Turn a low score into a step "Fix: <question> (score N, <comment>)" of the client's running plan.

    1. Refuse a score that is not low (NotLowError) or an answer already made a step
       (AlreadyAStepError; the answer's row is locked, so two clicks at once make one step).
    2. The plan is the active one of the kind the strategy calls for, else any active plan
       (NoActivePlanError with the plan to start when none runs).
    3. The step goes at the end of the plan, assigned to its owner, due in FIX_DUE_DAYS days.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Answer.objects.select_for_update().select_related("question", "survey").get(pk=answer.pk)
        if locked.plan_step_id is not None:
            raise AlreadyAStepError(PlanStep.objects.select_related("plan").get(pk=locked.plan_step_id))
        if not locked.is_low:
            raise NotLowError
        target = selectors.fix_target(locked.survey.client)
        if target.plan is None:
            raise NoActivePlanError(target.strategy)
        text_en, text_ru = fix_texts(locked)
        step = plan_step_add(
            plan=target.plan,
            text_en=text_en,
            text_ru=text_ru,
            assignee=target.plan.owner,
            due=today + timedelta(days=FIX_DUE_DAYS),
            by=by,
        )
        locked.plan_step = step
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["plan_step"])
    answer.plan_step = step
    return step


def fix_texts(answer: Answer) -> tuple[str, str]:
    """The step's wording in English and Russian: the question in that language (or the other),
    the score and the comment, the comment shortened to fit."""
    question = answer.question
    comment = " ".join(answer.comment.split())
    english = _fit(
        "Fix: {question} (score {score}{comment})",
        question.text_en or question.text_ru,
        answer.score,
        comment,
    )
    russian = _fit(
        "Исправить: {question} (оценка {score}{comment})",
        question.text_ru or question.text_en,
        answer.score,
        comment,
    )
    return english, russian


def _fit(pattern: str, question: str, score: int, comment: str) -> str:
    bare = pattern.format(question=question, score=score, comment="")
    room = TEXT_MAX - len(bare) - 2  # ", " before the comment
    if comment and room > 1:
        return pattern.format(question=question, score=score, comment=", " + Truncator(comment).chars(room))
    return Truncator(bare).chars(TEXT_MAX)
