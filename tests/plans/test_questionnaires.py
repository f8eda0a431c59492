"""The "Ideal supplier" and "Ideal service" questionnaires: the seeded questions, recording and
correcting surveys, the comparison with the previous answers, and a low score made a plan step."""

import datetime
from decimal import Decimal

import pytest

from plans import services as plan_services
from plans.models import Answer, Plan, PlanKind, PlanStep, Question, Questionnaire, Survey
from plans.questionnaires import selectors, services
from plans.questionnaires.services import SurveyValues
from tests.factories import ClientFactory, ContactFactory
from tests.plans.conftest import TODAY, segment

pytestmark = pytest.mark.django_db


def questionnaire(kind="ideal_supplier"):
    return Questionnaire.objects.get(kind=kind)


def take(client, by, scores, *, kind="ideal_supplier", taken_on=TODAY, comments=None, respondent=None):
    """A survey of `client` answering the questions in use with `scores` (and `comments`), in order."""
    asked = selectors.active_questions(questionnaire(kind))
    comments = comments or {}
    values = SurveyValues(
        taken_on=taken_on,
        respondent=respondent or ContactFactory(client=client, name="Ivan Kuzmin"),
        scores={
            q.pk: (score, comments.get(n, "")) for n, (q, score) in enumerate(zip(asked, scores, strict=True))
        },
    )
    return services.survey_create(client=client, questionnaire=questionnaire(kind), values=values, by=by)


SUPPLIER = [5, 4, 2, 3, 4, 5, 4, 3]


# The seeded questions


def test_both_questionnaires_are_seeded_with_questions_in_both_languages():
    for kind in ("ideal_supplier", "ideal_service"):
        asked = selectors.active_questions(questionnaire(kind))
        assert len(asked) == 8
        assert all(q.text_en and q.text_ru for q in asked)
    assert Question.objects.get(text_en="We keep our deadlines and promises").text_ru == (
        "Мы соблюдаем сроки и выполняем обещания"
    )


# Recording surveys


def test_a_survey_records_every_answer_with_who_and_when(client_card, manager):
    survey = take(client_card, manager, SUPPLIER, comments={2: "Too dear for cables"})

    answers = list(survey.answers.order_by("question__position").values_list("score", "comment"))
    assert answers[:3] == [(5, ""), (4, ""), (2, "Too dear for cables")]
    assert (survey.created_by, survey.taken_on, survey.respondent.name) == (manager, TODAY, "Ivan Kuzmin")
    assert Answer.history.filter(survey_id=survey.pk).count() == 8
    assert Answer.history.filter(survey_id=survey.pk, history_user=manager).count() == 8


def test_answers_to_other_questions_than_those_in_use_are_refused(client_card, manager):
    first = selectors.active_questions(questionnaire())[0]
    values = SurveyValues(TODAY, ContactFactory(client=client_card), {first.pk: (3, "")})

    with pytest.raises(services.QuestionsChangedError):
        services.survey_create(client=client_card, questionnaire=questionnaire(), values=values, by=manager)
    assert not Survey.objects.exists()


def test_another_clients_contact_cannot_answer(client_card, manager):
    with pytest.raises(ValueError, match="another client's contact"):
        take(client_card, manager, SUPPLIER, respondent=ContactFactory(client=ClientFactory()))
    assert not Survey.objects.exists()


def test_correcting_a_survey_writes_only_the_answers_that_changed(client_card, manager, director):
    survey = take(client_card, manager, SUPPLIER)
    scores = {a.question_id: (a.score, a.comment) for a in survey.answers.all()}
    changed = survey.answers.order_by("question__position").first()
    scores[changed.question_id] = (1, "Broken drums twice")
    values = SurveyValues(datetime.date(2026, 6, 10), survey.respondent, scores)

    services.survey_update(survey=survey, values=values, expected_version=1, by=director)

    survey.refresh_from_db()
    assert (survey.version, survey.taken_on) == (2, datetime.date(2026, 6, 10))
    assert Answer.objects.get(pk=changed.pk).comment == "Broken drums twice"
    assert Answer.history.filter(survey_id=survey.pk, history_type="~").count() == 1


def test_a_stale_correction_is_refused_and_writes_nothing(client_card, manager, director):
    survey = take(client_card, manager, SUPPLIER)
    scores = {a.question_id: (1, "Mine") for a in survey.answers.all()}
    values = SurveyValues(TODAY, survey.respondent, scores)
    services.survey_update(survey=survey, values=values, expected_version=1, by=director)

    with pytest.raises(services.StaleVersionError):
        services.survey_update(
            survey=Survey.objects.get(pk=survey.pk),
            values=SurveyValues(TODAY, survey.respondent, dict.fromkeys(scores, (5, ""))),
            expected_version=1,
            by=manager,
        )
    assert set(Answer.objects.values_list("score", flat=True)) == {1}


# The comparison


def test_each_survey_is_compared_with_the_previous_one_of_its_questionnaire(client_card, manager):
    first = take(client_card, manager, [3, 3, 3, 3, 3, 3, 3, 3], taken_on=datetime.date(2026, 1, 10))
    take(
        client_card,
        manager,
        [1, 1, 1, 1, 1, 1, 1, 1],
        kind="ideal_service",
        taken_on=datetime.date(2026, 3, 1),
    )
    latest = take(client_card, manager, SUPPLIER, taken_on=datetime.date(2026, 6, 1))

    cards = selectors.survey_cards(client_card)

    assert [card.survey.questionnaire.kind for card in cards] == [
        "ideal_supplier",
        "ideal_service",
        "ideal_supplier",
    ]
    newest = cards[0]
    assert (newest.survey, newest.previous) == (latest, first)
    assert [(row.answer.score, row.before, row.change, row.trend) for row in newest.rows[:4]] == [
        (5, 3, 2, "up"),
        (4, 3, 1, "up"),
        (2, 3, -1, "down"),
        (3, 3, 0, "same"),
    ]
    assert (newest.average, newest.average_before, newest.change, newest.trend) == (
        Decimal("3.8"),
        Decimal("3.0"),
        Decimal("0.8"),
        "up",
    )
    assert newest.low == 1
    assert (cards[1].previous, cards[1].average_before, cards[1].trend) == (None, None, "")
    assert [row.before for row in cards[2].rows] == [None] * 8


def test_a_question_added_since_has_nothing_to_compare_with(client_card, manager, admin_user):
    take(client_card, manager, SUPPLIER, taken_on=datetime.date(2026, 1, 10))
    services.question_add(
        questionnaire=questionnaire(), values={"text_en": "Samples arrive fast", "text_ru": ""}, by=admin_user
    )
    take(client_card, manager, [*SUPPLIER, 1])

    rows = selectors.survey_cards(client_card)[0].rows

    assert [(row.answer.question.text_en, row.before, row.trend) for row in rows[-1:]] == [
        ("Samples arrive fast", None, "")
    ]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([], None), ([4], Decimal("4.0")), ([4, 5], Decimal("4.5")), ([1, 2, 2], Decimal("1.7"))],
)
def test_the_average_has_one_decimal_rounded_half_up(scores, expected):
    assert selectors.average(scores) == expected


# A low score becomes a plan step


def low_answer(survey):
    return survey.answers.get(score=2)


def start(client, manager, kind):
    return plan_services.plan_create(client=client, kind=kind, by=manager, today=TODAY)


def test_a_low_score_becomes_a_step_of_the_plan_the_strategy_calls_for(client_card, manager, director):
    segment(client_card, category="B")  # retain
    start(client_card, manager, PlanKind.DEVELOPMENT)
    retention = start(client_card, manager, PlanKind.RETENTION)
    answer = low_answer(take(client_card, manager, SUPPLIER, comments={2: "Too dear for cables"}))

    step = services.answer_make_step(answer=answer, by=director, today=TODAY)

    assert step.plan == retention
    assert (step.position, step.assignee, step.due) == (10, manager, datetime.date(2026, 6, 29))
    assert step.text_en == "Fix: Our prices are fair for what you get (score 2, Too dear for cables)"
    assert (
        step.text_ru
        == "Исправить: Наши цены справедливы за то, что вы получаете (оценка 2, Too dear for cables)"
    )
    assert Answer.objects.get(pk=answer.pk).plan_step == step
    assert PlanStep.history.filter(id=step.pk, history_user=director).exists()


def test_without_the_strategys_plan_any_running_plan_takes_the_step(client_card, manager):
    segment(client_card, category="C")  # develop, but only a win-back plan runs
    win_back = start(client_card, manager, PlanKind.WIN_BACK)
    answer = low_answer(take(client_card, manager, SUPPLIER))

    step = services.answer_make_step(answer=answer, by=manager, today=TODAY)

    assert (step.plan, step.text_en) == (win_back, "Fix: Our prices are fair for what you get (score 2)")


def test_with_no_plan_running_nothing_is_added_and_the_strategys_plan_is_named(client_card, manager):
    segment(client_card, category="A")
    closed = start(client_card, manager, PlanKind.DEVELOPMENT)
    plan_services.plan_close(plan=closed, outcome="achieved", note="", expected_version=1, by=manager)
    answer = low_answer(take(client_card, manager, SUPPLIER))

    with pytest.raises(services.NoActivePlanError) as refused:
        services.answer_make_step(answer=answer, by=manager, today=TODAY)

    assert refused.value.strategy.kind == PlanKind.DEVELOPMENT
    assert PlanStep.objects.filter(plan=closed).count() == 6
    assert Answer.objects.get(pk=answer.pk).plan_step is None


def test_an_answer_becomes_one_step_only(client_card, manager):
    start(client_card, manager, PlanKind.DEVELOPMENT)
    answer = low_answer(take(client_card, manager, SUPPLIER))
    step = services.answer_make_step(answer=Answer.objects.get(pk=answer.pk), by=manager, today=TODAY)

    with pytest.raises(services.AlreadyAStepError) as refused:
        services.answer_make_step(answer=answer, by=manager, today=TODAY)

    assert refused.value.step == step
    assert PlanStep.objects.count() == 7


@pytest.mark.parametrize("score", [3, 4, 5])
def test_only_a_low_score_becomes_a_step(client_card, manager, score):
    start(client_card, manager, PlanKind.DEVELOPMENT)
    answer = take(client_card, manager, SUPPLIER).answers.filter(score=score).first()

    with pytest.raises(services.NotLowError):
        services.answer_make_step(answer=answer, by=manager, today=TODAY)
    assert PlanStep.objects.count() == 6


def test_a_long_comment_is_shortened_to_fit_the_step(client_card, manager):
    start(client_card, manager, PlanKind.DEVELOPMENT)
    answer = low_answer(take(client_card, manager, SUPPLIER, comments={2: "word " * 200}))

    step = services.answer_make_step(answer=answer, by=manager, today=TODAY)

    assert len(step.text_en) == len(step.text_ru) == 300
    assert step.text_en.startswith("Fix: Our prices are fair for what you get (score 2, word word")
    assert step.text_en.endswith("…)")


def test_a_step_is_not_added_to_a_plan_closed_meanwhile(client_card, manager):
    plan = start(client_card, manager, PlanKind.DEVELOPMENT)
    Plan.objects.filter(pk=plan.pk).update(status="closed", outcome="abandoned", closed_on=TODAY)

    with pytest.raises(plan_services.PlanClosedError):
        plan_services.plan_step_add(
            plan=plan, text_en="Fix", text_ru="", assignee=manager, due=TODAY, by=manager
        )
    assert plan.steps.count() == 6


# The questions (admins)


def test_questions_are_added_at_the_end_moved_and_retired(admin_user):
    supplier = questionnaire()
    added = services.question_add(
        questionnaire=supplier, values={"text_en": "", "text_ru": "Образцы приходят быстро"}, by=admin_user
    )
    first = selectors.active_questions(supplier)[0]

    assert services.question_move(question=added, up=True, by=admin_user)
    services.question_retire(
        question=Question.objects.get(pk=first.pk), retire=True, expected_version=1, by=admin_user
    )

    asked = [q.text_ru for q in selectors.active_questions(supplier)]
    assert asked[-2:] == ["Образцы приходят быстро", "Мы помогаем повышать эффективность вашего бизнеса"]
    assert len(asked) == 8
    assert selectors.questions(supplier)[-1] == first
    assert not services.question_move(question=Question.objects.get(pk=first.pk), up=False, by=admin_user)
