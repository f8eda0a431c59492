"""Reads of the questionnaires and of a client's surveys. The caller has already passed the client
through `accounts.access.get_client_for_user`."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from accounts.audit import FieldChange
from accounts.models import Client, Contact
from kam.prepared import Prepared, related
from plans.models import Answer, Plan, PlanKind, Question, Questionnaire, QuestionnaireKind, Survey
from plans.selectors import Suggestion, strategy

# Which running plan takes a shortcoming when the strategy's own kind has none: developing and
# retaining both "fix the shortcomings" (DOMAIN §7); a win-back plan is the last resort.
FIX_ORDER = [PlanKind.DEVELOPMENT, PlanKind.RETENTION, PlanKind.WIN_BACK]


def questionnaires() -> list[Questionnaire]:
    """Both questionnaires with the number of their questions in use, "Ideal supplier" first."""
    found = Questionnaire.objects.annotate(in_use=Count("questions", filter=Q(questions__is_active=True)))
    order = list(QuestionnaireKind.values)
    return sorted(found, key=lambda questionnaire: order.index(questionnaire.kind))


def questions(questionnaire: Questionnaire) -> list[Question]:
    """The questionnaire's questions, those in use first in their order, then the retired ones."""
    return list(questionnaire.questions.order_by("-is_active", "position", "pk"))


def active_questions(questionnaire: Questionnaire) -> list[Question]:
    """What a new survey asks, in order."""
    return list(questionnaire.questions.filter(is_active=True).order_by("position", "pk"))


def respondents(client: Client, *, keep: int | None = None) -> QuerySet[Contact]:
    """Who may answer: the client's active contacts (and `keep`, a survey's respondent now, even if
    they left since)."""
    condition = Q(is_active=True)
    if keep is not None:
        condition |= Q(pk=keep)
    return Contact.objects.filter(condition, client=client).order_by("name", "pk")


def average(scores: list[int]) -> Decimal | None:
    """The mean score to one decimal (half up); None for no scores."""
    if not scores:
        return None
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def trend(change: int | Decimal | None) -> str:
    """ "up", "down" or "same" against the previous survey; "" when there is nothing to compare."""
    if change is None:
        return ""
    return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass
class AnswerRow:
    """One answer with the score the same question had in the previous survey (None: not asked)."""

    answer: Answer
    before: int | None

    @property
    def change(self) -> int | None:
        return None if self.before is None else self.answer.score - self.before

    @property
    def trend(self) -> str:
        return trend(self.change)


@dataclass
class SurveyCard:
    """A survey as the card shows it: each answer against the previous survey of the same
    questionnaire for the client, and both averages."""

    survey: Survey
    rows: list[AnswerRow]
    previous: Survey | None
    average: Decimal | None
    average_before: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.average is None or self.average_before is None:
            return None
        return self.average - self.average_before

    @property
    def trend(self) -> str:
        return trend(self.change)

    @property
    def low(self) -> int:
        return sum(1 for row in self.rows if row.answer.is_low)


def survey_cards(client: Client) -> list[SurveyCard]:
    """The client's surveys, newest first, each compared with the one before it of the same
    questionnaire: two queries whatever the number of surveys and answers, one for none."""
    surveys = _SURVEYS(client.pk, attach=("client", client))
    answers = related(surveys, _ANSWERS, "survey_id")
    cards = []
    for index, survey in enumerate(surveys):
        previous = next(
            (s for s in surveys[index + 1 :] if s.questionnaire_id == survey.questionnaire_id), None
        )
        cards.append(_card(survey, previous, answers))
    return cards


_SURVEYS = Prepared(
    lambda client: (
        Survey.objects.filter(client_id=client)
        .select_related("questionnaire", "respondent", "created_by")
        .order_by("-taken_on", "-pk")
    )
)
# The surveys' answers, as a prefetch of `answers` would read them, but compiled once.
_ANSWERS = Prepared(
    lambda surveys: (
        Answer.objects.filter(survey__any=surveys)
        .select_related("question", "plan_step__plan")
        .order_by("question__position", "pk")
    )
)


def _card(survey: Survey, previous: Survey | None, answers: dict[int, list[Answer]]) -> SurveyCard:
    """`answers`: each survey's, by its pk."""
    before = {a.question_id: a.score for a in answers[previous.pk]} if previous else {}
    rows = [AnswerRow(answer, before.get(answer.question_id)) for answer in answers[survey.pk]]
    average_before = average(list(before.values())) if previous else None
    return SurveyCard(survey, rows, previous, average([r.answer.score for r in rows]), average_before)


@dataclass
class FixTarget:
    """Where a low score goes: the running plan that takes it (None: no plan runs), and the plan
    the strategy calls for (to offer starting it)."""

    plan: Plan | None
    strategy: Suggestion | None


def fix_target(client: Client) -> FixTarget:
    """The active plan of the kind the strategy calls for, else any active plan (development,
    retention, then win-back). Two queries."""
    found = strategy(client)
    active = Plan.objects.filter(client=client, status=Plan.Status.ACTIVE).select_related("owner")
    running = {plan.kind: plan for plan in active}
    order = ([found.kind] if found else []) + FIX_ORDER
    plan = next((running[kind] for kind in order if kind in running), None)
    return FixTarget(plan, found)


def answer_changes(survey: Survey, since_version: int) -> list[FieldChange]:
    """The answers someone changed after the survey's `since_version` was saved: each question with
    its score and comment then and now (a stale correction shows them next to the survey's own
    changes). Three queries."""
    base = Survey.history.filter(id=survey.pk, version=since_version).order_by("-history_id").first()
    if base is None:
        return []
    then: dict[int, str] = {}
    rows = Answer.history.filter(survey_id=survey.pk, history_date__lte=base.history_date)
    for row in rows.order_by("history_date", "history_id"):
        then[row.id] = _said(row.score, row.comment)
    answers = survey.answers.select_related("question").order_by("question__position", "pk")
    return [
        FieldChange(str(answer.question), then.get(answer.pk, "—"), _said(answer.score, answer.comment))
        for answer in answers
        if then.get(answer.pk) != _said(answer.score, answer.comment)
    ]


def _said(score: int, comment: str) -> str:
    return f"{score} — {comment}" if comment else str(score)
