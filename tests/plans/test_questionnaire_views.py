"""The Questionnaires tab, the survey form, the one-click plan step and the questions' admin pages:
access, bad input, stale saves, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from plans import services as plan_services
from plans.models import Answer, PlanKind, PlanStep, Question, Survey
from plans.questionnaires import selectors, services
from tests.factories import ClientFactory, ContactFactory
from tests.helpers import messages_of
from tests.plans.conftest import segment
from tests.plans.test_questionnaires import SUPPLIER, questionnaire, take

pytestmark = pytest.mark.django_db


@pytest.fixture
def respondent(client_card):
    return ContactFactory(client=client_card, name="Ivan Kuzmin", position="Director")


@pytest.fixture
def survey(client_card, manager, respondent):
    return take(client_card, manager, SUPPLIER, respondent=respondent, taken_on=timezone.localdate())


def shown(day):
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def tab(client):
    return reverse("plans:client_surveys", args=[client.pk])


def new_url(client, kind="ideal_supplier"):
    return reverse("plans:survey_new", args=[client.pk, kind])


def edit_url(survey):
    return reverse("plans:survey_edit", args=[survey.client_id, survey.pk])


def step_url(answer):
    return reverse("plans:answer_step", args=[answer.survey.client_id, answer.pk])


def card_urls(survey):
    """Every per-client questionnaire URL: (url, method that works, whether it writes)."""
    return [
        (tab(survey.client), "get", False),
        (new_url(survey.client), "get", True),
        (edit_url(survey), "get", True),
        (step_url(survey.answers.get(score=2)), "post", True),
    ]


def answers_post(respondent, scores=SUPPLIER, **values):
    """A complete new "Ideal supplier" survey, as the form posts it."""
    asked = selectors.active_questions(questionnaire())
    data = {
        "taken_on": "2026-06-01",
        "respondent": respondent.pk,
        "asked": ",".join(str(q.pk) for q in asked),
    }
    for question, score in zip(asked, scores, strict=True):
        data[f"score_{question.pk}"] = score
        data[f"comment_{question.pk}"] = ""
    return data | values


# Access: anonymous, outsider, read-only, wrong method


def test_anonymous_users_are_sent_to_log_in(client, survey):
    for url, method, _writes in card_urls(survey):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_an_outsider_finds_no_surveys_of_another_managers_client(as_outsider, survey):
    for url, method, _writes in card_urls(survey):
        assert getattr(as_outsider, method)(url).status_code == 404, url
    assert not PlanStep.objects.exists()


def test_a_director_reads_the_surveys_but_records_none(as_director, survey, english):
    page = as_director.get(tab(survey.client)).content.decode()

    assert "Our prices are fair for what you get" in page
    assert "Make it a plan step" not in page
    assert "Run the" not in page
    for url, method, writes in card_urls(survey):
        if writes:
            assert getattr(as_director, method)(url).status_code == 403, url
    assert Survey.objects.count() == 1


def test_wrong_methods_are_refused(as_manager, survey):
    assert as_manager.post(tab(survey.client)).status_code == 405
    assert as_manager.put(new_url(survey.client)).status_code == 405
    assert as_manager.delete(edit_url(survey)).status_code == 405
    assert as_manager.get(step_url(survey.answers.get(score=2))).status_code == 405


def test_an_unknown_questionnaire_is_not_found(as_manager, client_card):
    assert as_manager.get(new_url(client_card, "ideal_weather")).status_code == 404


def test_another_clients_answer_is_not_found(as_manager, survey, client_card, manager):
    other = take(ClientFactory(responsible_manager=manager), manager, SUPPLIER)

    response = as_manager.post(
        reverse("plans:answer_step", args=[client_card.pk, other.answers.get(score=2).pk])
    )

    assert response.status_code == 404


# Running a questionnaire


def test_a_manager_runs_a_questionnaire(as_manager, client_card, respondent, manager, english):
    data = answers_post(respondent)
    first = selectors.active_questions(questionnaire())[0]
    data[f"comment_{first.pk}"] = "  Drums arrive intact  "

    response = as_manager.post(new_url(client_card), data)

    assert response.status_code == 302
    assert messages_of(response) == ["The answers were saved."]
    survey = Survey.objects.get()
    assert (survey.respondent, survey.created_by, survey.taken_on) == (
        respondent,
        manager,
        datetime.date(2026, 6, 1),
    )
    assert Answer.objects.get(survey=survey, question=first).comment == "Drums arrive intact"
    assert sorted(survey.answers.values_list("score", flat=True)) == sorted(SUPPLIER)


def test_the_form_asks_every_question_in_use_and_offers_the_clients_active_contacts(
    as_manager, client_card, respondent, english
):
    ContactFactory(client=client_card, name="Gone Away", is_active=False)
    ContactFactory(name="Someone Else")

    response = as_manager.get(new_url(client_card, "ideal_service"))

    assert [str(q) for q in response.context["form"].questions][:2] == [
        "Your manager is easy to reach and answers quickly",
        "Your manager knows your business and your needs",
    ]
    choices = [label for value, label in response.context["form"].fields["respondent"].choices if value]
    assert choices == ["Ivan Kuzmin — Director"]


def first_question():
    return selectors.active_questions(questionnaire())[0]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda data, q: data | {"respondent": ContactFactory(client=ClientFactory()).pk},
            "respondent",
            "Choose one of the client's contacts.",
        ),
        (lambda data, q: data | {"respondent": ""}, "respondent", "This field is required."),
        (lambda data, q: data | {f"score_{q.pk}": "7"}, "score", "A score is a whole number from 1 to 5."),
        (lambda data, q: data | {f"score_{q.pk}": "four"}, "score", "A score is a whole number from 1 to 5."),
        (
            lambda data, q: data | {f"score_{q.pk}": ""},
            "score",
            "1 question has no score: every question needs one.",
        ),
        (
            lambda data, q: data | {"taken_on": "2099-01-01"},
            "taken_on",
            "This date is in the future: enter the day it happened.",
        ),
        (lambda data, q: data | {"taken_on": "31.02.2026"}, "taken_on", "Enter a valid date."),
        (
            lambda data, q: data | {f"comment_{q.pk}": "x" * 1001},
            "comment",
            "Ensure this value has at most 1000 characters (it has 1001).",
        ),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message_and_nothing_written(
    as_manager, client_card, respondent, change, field, message, english
):
    data = change(answers_post(respondent), first_question())

    response = as_manager.post(new_url(client_card), data)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Survey.objects.exists()


def test_several_missing_scores_are_counted(as_manager, client_card, respondent, english):
    data = {key: value for key, value in answers_post(respondent).items() if not key.startswith("score_")}

    response = as_manager.post(new_url(client_card), data)

    assert "8 questions have no score: every question needs one." in response.content.decode()
    assert not Survey.objects.exists()


def test_questions_changed_while_answering_are_refused(
    as_manager, client_card, respondent, admin_user, english
):
    data = answers_post(respondent)
    services.question_retire(question=first_question(), retire=True, expected_version=1, by=admin_user)

    response = as_manager.post(new_url(client_card), data)

    assert "The questions changed while you were answering" in response.content.decode()
    assert not Survey.objects.exists()


def test_without_contacts_the_tab_says_to_add_them_first(as_manager, client_card, english):
    page = as_manager.get(tab(client_card)).content.decode()

    assert "The respondent is one of the client's contacts" in page
    assert "Run the" not in page


def test_a_questionnaire_without_questions_cannot_be_run(as_manager, client_card, respondent, english):
    questionnaire().questions.update(is_active=False)

    response = as_manager.get(new_url(client_card))

    assert messages_of(response) == ["The questionnaire has no questions in use: an admin adds them first."]


# The tab: the comparison


def test_the_tab_compares_each_survey_with_the_previous_one(
    as_manager, client_card, manager, respondent, english
):
    take(client_card, manager, [3] * 8, respondent=respondent, taken_on=datetime.date(2026, 1, 10))
    take(client_card, manager, SUPPLIER, respondent=respondent, taken_on=datetime.date(2026, 6, 1))

    page = as_manager.get(tab(client_card)).content.decode()

    assert "Average 3.8" in page
    assert "(was 3.0 on 10 Jan 2026)" in page
    assert "↑ 0.8" in page
    assert "↓ 1" in page
    assert "1 shortcoming" in page
    assert "The client's first answers to this questionnaire" in page
    assert page.index("1 Jun 2026, answered by Ivan Kuzmin") < page.index(
        "10 Jan 2026, answered by Ivan Kuzmin"
    )


def test_the_tab_is_in_russian_for_a_russian_reader(as_manager, survey):
    as_manager.cookies.load({"django_language": "ru"})

    page = as_manager.get(tab(survey.client), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Наши цены справедливы за то, что вы получаете" in page
    assert "Провести анкету «Идеальный поставщик»" in page


# the session with the user, their roles, permissions and notifications badge, the client, the
# surveys with their questionnaire, respondent and author, their answers with questions and plan
# steps, whether the client has contacts, its segments (the strategy) and its running plans with
# their owners
QUERIES = 7


@pytest.mark.parametrize("surveys", [1, 50])
def test_the_tab_costs_the_same_at_1_and_50_surveys(
    as_manager, client_card, manager, respondent, surveys, assert_queries
):
    plan_services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)
    for number in range(surveys):
        taken = take(
            client_card,
            manager,
            SUPPLIER,
            respondent=respondent,
            taken_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=number),
        )
        services.answer_make_step(answer=taken.answers.get(score=2), by=manager)

    response = assert_queries(QUERIES, lambda: as_manager.get(tab(client_card)))

    assert len(response.context["cards"]) == surveys
    assert sum(len(card.rows) for card in response.context["cards"]) == 8 * surveys


# The one-click plan step


def test_a_low_score_becomes_a_plan_step_in_one_click(as_manager, survey, client_card, manager, english):
    segment(client_card, category="C")
    plan = plan_services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)
    page = as_manager.get(tab(client_card)).content.decode()
    assert (
        "Shortcomings become steps of the <strong>Development plan</strong>, "
        "assigned to its owner Anna Smirnova." in page
    )
    answer = survey.answers.get(score=2)

    response = as_manager.post(step_url(answer))

    due = timezone.localdate() + datetime.timedelta(days=14)
    assert messages_of(response) == [
        f"The step was added to the Development plan, assigned to Anna Smirnova, due {shown(due)}."
    ]
    step = plan.steps.order_by("position").last()
    assert (step.text_en, step.assignee, step.due) == (
        "Fix: Our prices are fair for what you get (score 2)",
        manager,
        due,
    )
    page = as_manager.get(tab(client_card)).content.decode()
    assert "✓ a step of: Development plan" in page
    assert "Make it a plan step" not in page


def test_the_same_answer_twice_is_refused(as_manager, survey, client_card, manager, english):
    plan_services.plan_create(client=client_card, kind=PlanKind.RETENTION, by=manager)
    answer = survey.answers.get(score=2)
    as_manager.post(step_url(answer), follow=True)

    response = as_manager.post(step_url(answer))

    assert messages_of(response) == ["Not added: this answer is already a step of the Retention plan."]
    assert PlanStep.objects.count() == 10


def test_a_score_that_is_not_low_is_refused(as_manager, survey, client_card, manager, english):
    plan_services.plan_create(client=client_card, kind=PlanKind.RETENTION, by=manager)

    response = as_manager.post(step_url(survey.answers.get(score=5, question__position=1)))

    assert messages_of(response) == ["Not added: only a score of 2 or less is a shortcoming."]
    assert PlanStep.objects.count() == 9


def test_with_no_plan_running_the_tab_offers_to_start_the_strategys_plan(
    as_manager, survey, client_card, english
):
    segment(client_card, category="A")

    page = as_manager.get(tab(client_card)).content.decode()
    response = as_manager.post(step_url(survey.answers.get(score=2)))

    assert "No plan is running, so shortcomings cannot become plan steps yet." in page
    assert reverse("plans:plan_start", args=[client_card.pk, "development"]) in page
    assert messages_of(response) == [
        "Not added: the client has no active plan. "
        "Start the Development plan first (the strategy calls for it)."
    ]
    assert not PlanStep.objects.exists()


def test_with_no_plan_and_no_strategy_the_refusal_points_to_the_plans_tab(as_manager, survey, english):
    response = as_manager.post(step_url(survey.answers.get(score=2)))

    assert messages_of(response) == [
        "Not added: the client has no active plan. Start one on the Plans tab first."
    ]


# Correcting a survey


def edit_post(survey, **values):
    data = {
        "taken_on": survey.taken_on.isoformat(),
        "respondent": survey.respondent_id,
        "version": survey.version,
    }
    for answer in survey.answers.all():
        data[f"score_{answer.question_id}"] = answer.score
        data[f"comment_{answer.question_id}"] = answer.comment
    return data | values


def test_a_survey_is_corrected(as_manager, survey):
    answer = survey.answers.get(score=2)

    response = as_manager.post(edit_url(survey), edit_post(survey, **{f"score_{answer.question_id}": 1}))

    assert response.status_code == 302
    assert Answer.objects.get(pk=answer.pk).score == 1
    assert Survey.objects.get(pk=survey.pk).version == 2


def test_a_retired_question_stays_in_a_correction(as_manager, survey, admin_user):
    services.question_retire(question=first_question(), retire=True, expected_version=1, by=admin_user)

    response = as_manager.get(edit_url(survey))

    assert len(response.context["form"].questions) == 8


def test_a_stale_correction_is_refused_with_their_answers_and_keeps_mine(
    as_manager, survey, director, english
):
    answer = survey.answers.get(score=2)
    mine = edit_post(survey, **{f"comment_{answer.question_id}": "Mine"})
    scores = {a.question_id: (a.score, a.comment) for a in survey.answers.all()}
    scores[answer.question_id] = (4, "Theirs")
    services.survey_update(
        survey=survey,
        values=services.SurveyValues(survey.taken_on, survey.respondent, scores),
        expected_version=1,
        by=director,
    )

    response = as_manager.post(edit_url(survey), mine)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved: someone else saved this survey while you were editing" in page
    assert "4 — Theirs" in page
    form = response.context["form"]
    assert (form[f"comment_{answer.question_id}"].value(), form["version"].value()) == ("Mine", "2")
    assert Answer.objects.get(pk=answer.pk).comment == "Theirs"


# History


def test_the_card_history_shows_surveys_and_answers(as_manager, survey, client_card, manager, english):
    plan_services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)
    services.answer_make_step(answer=survey.answers.get(score=2), by=manager)

    response = as_manager.get(reverse("accounts:client_history", args=[client_card.pk]))

    found = [(e.subject, e.action) for e in response.context["entries"]]
    today = shown(timezone.localdate())
    assert (f"Questionnaire: “Ideal supplier” {today}", "created") in found
    assert ("Answer: Our prices are fair for what you get", "changed") in found
    assert len([s for s, _a in found if s.startswith("Answer:")]) == 9


# The questions (admins)


def detail_url(kind="ideal_supplier"):
    return reverse("plans:questionnaire_detail", args=[kind])


def test_managers_and_directors_may_not_edit_questions(as_manager, director, client):
    question = Question.objects.first()
    for url in [
        reverse("plans:questionnaire_list"),
        detail_url(),
        reverse("plans:question_edit", args=[question.pk]),
    ]:
        assert as_manager.get(url).status_code == 403
    client.force_login(director)
    assert (
        client.post(
            reverse("plans:question_retire", args=[question.pk]), {"retire": "on", "version": 1}
        ).status_code
        == 403
    )
    assert Question.objects.get(pk=question.pk).is_active


def test_the_question_pages_send_anonymous_users_to_log_in(client):
    assert client.get(reverse("plans:questionnaire_list")).url.startswith(reverse("login"))
    assert client.get(detail_url()).url.startswith(reverse("login"))


def test_question_pages_wrong_methods(as_admin):
    question = Question.objects.first()
    assert as_admin.post(reverse("plans:questionnaire_list")).status_code == 405
    assert as_admin.delete(detail_url()).status_code == 405
    assert as_admin.get(reverse("plans:question_move", args=[question.pk])).status_code == 405
    assert as_admin.get(reverse("plans:question_retire", args=[question.pk])).status_code == 405


def test_the_policy_page_links_to_the_questionnaires(as_admin, english):
    page = as_admin.get(reverse("segmentation:policy")).content.decode()
    assert reverse("plans:questionnaire_list") in page


def test_an_admin_adds_rewords_moves_and_retires_questions(as_admin, english):
    response = as_admin.post(
        detail_url(), {"text_en": "Samples arrive fast", "text_ru": "Образцы приходят быстро"}
    )
    assert messages_of(response) == [
        "The question was added. New surveys ask it; surveys already taken do not change."
    ]
    added = Question.objects.get(text_en="Samples arrive fast")
    first = first_question()

    as_admin.post(
        reverse("plans:question_edit", args=[first.pk]),
        {"text_en": "Quality", "text_ru": "Качество", "version": 1},
    )
    as_admin.post(reverse("plans:question_move", args=[added.pk]), {"direction": "up"})
    response = as_admin.post(
        reverse("plans:question_retire", args=[first.pk]), {"retire": "on", "version": 2}
    )

    assert messages_of(response)[-1] == "The question was retired: new surveys leave it out."
    first.refresh_from_db()
    assert (first.text_ru, first.is_active) == ("Качество", False)
    asked = [q.text_en for q in selectors.active_questions(questionnaire())]
    assert asked[-2:] == ["Samples arrive fast", "We help make your business more efficient"]
    page = as_admin.get(detail_url()).content.decode()
    assert page.index("Образцы приходят быстро") < page.index("Качество")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"text_en": "", "text_ru": "  "}, "Write the question in English, in Russian or in both."),
        ({"text_en": "x" * 301}, "Ensure this value has at most 300 characters (it has 301)."),
    ],
)
def test_a_bad_question_is_refused_with_a_clear_message(as_admin, values, message, english):
    before = Question.objects.count()

    response = as_admin.post(detail_url(), values)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Question.objects.count() == before


def test_a_stale_question_edit_is_refused(as_admin, admin_user, english):
    question = first_question()
    services.question_update(
        question=question, values={"text_en": "Theirs"}, expected_version=1, by=admin_user
    )

    response = as_admin.post(
        reverse("plans:question_edit", args=[question.pk]), {"text_en": "Mine", "text_ru": "", "version": 1}
    )

    assert response.status_code == 409
    assert "Not saved: someone else saved this question while you were editing" in response.content.decode()
    assert Question.objects.get(pk=question.pk).text_en == "Theirs"


def test_a_stale_retire_is_refused(as_admin, admin_user, english):
    question = first_question()
    services.question_update(
        question=question, values={"text_en": "Theirs"}, expected_version=1, by=admin_user
    )

    response = as_admin.post(
        reverse("plans:question_retire", args=[question.pk]), {"retire": "on", "version": 1}
    )

    assert messages_of(response) == [
        "Not saved: someone changed this question meanwhile. Check it and try again."
    ]
    assert Question.objects.get(pk=question.pk).is_active
