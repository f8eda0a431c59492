"""The Plans tab, its forms and the plan templates: access, bad input, stale saves, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Plan, PlanKind, PlanStep, PlanTemplate, TemplateStep
from tests.factories import ClientFactory, TeamMemberFactory, TouchFactory
from tests.helpers import messages_of
from tests.plans.conftest import segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(client_card, manager):
    """A development plan of the manager's client, started today."""
    return services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)


def tab(client):
    return reverse("plans:client_plans", args=[client.pk])


def step_url(step, name="plans:step_edit"):
    return reverse(name, args=[step.plan.client_id, step.pk])


def plan_url(plan, name):
    return reverse(name, args=[plan.client_id, plan.pk])


def card_urls(plan):
    """Every per-client plans URL: (url, method that works, whether it writes)."""
    step = plan.steps.first()
    return [
        (tab(plan.client), "get", False),
        (reverse("plans:plan_start", args=[plan.client_id, "retention"]), "post", True),
        (step_url(step), "get", True),
        (step_url(step, "plans:step_tick"), "post", True),
        (plan_url(plan, "plans:plan_close"), "get", True),
        (plan_url(plan, "plans:plan_offer"), "get", True),
    ]


# Access: anonymous, outsider, read-only, wrong method


def test_anonymous_users_are_sent_to_log_in(client, plan):
    for url, method, _writes in card_urls(plan):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_an_outsider_finds_no_plans_of_another_managers_client(as_outsider, plan):
    for url, method, _writes in card_urls(plan):
        assert getattr(as_outsider, method)(url).status_code == 404, url
    assert Plan.objects.count() == 1


def test_a_director_reads_the_plans_but_runs_none(as_director, plan):
    response = as_director.get(tab(plan.client))

    assert response.status_code == 200
    assert "Close the plan" not in response.content.decode()
    for url, method, writes in card_urls(plan):
        if writes:
            assert getattr(as_director, method)(url).status_code == 403, url
    assert PlanStep.objects.filter(done_on__isnull=False).count() == 0


def test_wrong_methods_are_refused(as_manager, plan):
    step = plan.steps.first()
    assert as_manager.post(tab(plan.client)).status_code == 405
    assert as_manager.get(reverse("plans:plan_start", args=[plan.client_id, "retention"])).status_code == 405
    assert as_manager.get(step_url(step, "plans:step_tick")).status_code == 405
    assert as_manager.put(step_url(step)).status_code == 405
    assert as_manager.delete(plan_url(plan, "plans:plan_close")).status_code == 405


def test_a_teammate_runs_the_plan(client, plan):
    teammate = TeamMemberFactory(client=plan.client).user
    client.force_login(teammate)
    step = plan.steps.first()

    response = client.post(step_url(step, "plans:step_tick"), {"done": "on", "version": 1})

    assert response.status_code == 302
    assert PlanStep.objects.get(pk=step.pk).done_on == timezone.localdate()


# The tab and the panel


def test_the_card_suggests_the_strategys_plan_and_starts_it_in_one_click(
    as_manager, client_card, manager, english
):
    segment(client_card, category="C")

    page = as_manager.get(reverse("accounts:client_detail", args=[client_card.pk])).content.decode()
    assert (
        "The client's strategy calls for a <strong>Development plan</strong> (category C: develop)." in page
    )

    response = as_manager.post(reverse("plans:plan_start", args=[client_card.pk, "development"]))

    assert response.status_code == 302
    assert messages_of(response) == ["The Development plan was started."]
    started = Plan.objects.get(client=client_card)
    assert (started.kind, started.owner, started.steps.count()) == ("development", manager, 6)
    assert "strategy calls for" not in as_manager.get(tab(client_card)).content.decode()


def test_starting_a_running_kind_again_says_so(as_manager, plan, english):
    response = as_manager.post(reverse("plans:plan_start", args=[plan.client_id, "development"]))

    assert messages_of(response) == ["Not started: the client already has an active Development plan."]
    assert Plan.objects.count() == 1


def test_an_unknown_kind_is_not_found(as_manager, client_card):
    assert as_manager.post(reverse("plans:plan_start", args=[client_card.pk, "nonsense"])).status_code == 404
    assert not Plan.objects.exists()


def test_the_tab_shows_progress_and_overdue_steps(as_manager, plan, manager, english):
    first, second = plan.steps.order_by("position")[:2]
    services.plan_step_save(step=first, values={"done_on": plan.started_on}, expected_version=1, by=manager)
    PlanStep.objects.filter(pk=second.pk).update(due=timezone.localdate() - datetime.timedelta(days=1))

    page = as_manager.get(tab(plan.client)).content.decode()

    assert "17% · 1 of 6 steps done" in page
    assert "1 step overdue" in page
    assert f'id="step-{second.pk}" class="table-danger"' in page


# the session with the user, their roles, permissions and notifications badge, the client, its plans,
# their steps (with assignees and touches), the suggestion's client with its segments and its
# active kinds, the refusals by quarter
QUERIES = 6


@pytest.mark.parametrize("steps", [1, 50])
def test_the_tab_costs_the_same_at_1_and_50_steps(as_manager, client_card, manager, steps, assert_queries):
    """A win-back plan (its refusals table too), with a touch on every step."""
    PlanTemplate.objects.get(kind="win_back").steps.exclude(position=1).update(is_active=False)
    started = services.plan_create(client=client_card, kind=PlanKind.WIN_BACK, by=manager)
    for number in range(2, steps + 1):
        PlanStep.objects.create(plan=started, position=number, text_en=f"Step {number}", assignee=manager)
    touch = TouchFactory(client=client_card)
    PlanStep.objects.filter(plan=started).update(touch=touch)

    response = assert_queries(QUERIES, lambda: as_manager.get(tab(client_card)))

    assert len(response.context["cards"][0].rows) == steps


# Editing a step


def step_post(step, **values):
    return {
        "assignee": step.assignee_id or "",
        "due": "2026-07-01",
        "done_on": "",
        "note": "",
        "touch": "",
        "version": step.version,
    } | values


def test_a_step_is_saved_inline_and_the_plans_come_back(as_manager, plan, client_card):
    step = plan.steps.first()
    touch = TouchFactory(client=client_card, date=datetime.date(2026, 6, 1))

    response = as_manager.post(
        step_url(step), step_post(step, note="Sent", touch=touch.pk), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#plans"
    step.refresh_from_db()
    assert (step.note, step.touch, step.done_on, step.version) == (
        "Sent",
        touch,
        datetime.date(2026, 6, 1),
        2,
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"done_on": "2099-01-01"}, "done_on"),
        ({"due": "3000-01-01"}, "due"),
        ({"due": "not a date"}, "due"),
        ({"assignee": "999999"}, "assignee"),
        ({"touch": "other"}, "touch"),
    ],
)
def test_bad_step_input_is_refused_and_nothing_written(as_manager, plan, values, field):
    step = plan.steps.first()
    if values.get("touch") == "other":
        values = {"touch": TouchFactory(client=ClientFactory()).pk}

    response = as_manager.post(step_url(step), step_post(step, **values))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert PlanStep.objects.get(pk=step.pk).version == 1


def test_a_stale_step_save_is_refused_with_their_change_and_my_input(as_manager, plan, director, english):
    step = plan.steps.first()
    services.plan_step_save(step=step, values={"note": "Theirs"}, expected_version=1, by=director)

    response = as_manager.post(step_url(step), step_post(step, due="2026-08-01", version=1))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved: someone else saved this step while you were editing" in page
    assert "Theirs" in page
    form = response.context["form"]
    assert (form["due"].value(), form["note"].value(), form["version"].value()) == (
        "2026-08-01",
        "Theirs",
        "2",
    )
    assert PlanStep.objects.get(pk=step.pk).due != datetime.date(2026, 8, 1)


def test_a_stale_tick_is_refused_with_who(as_manager, plan, director, english):
    step = plan.steps.first()
    services.plan_step_save(step=step, values={"note": "Theirs"}, expected_version=1, by=director)

    response = as_manager.post(
        step_url(step, "plans:step_tick"), {"done": "on", "version": 1}, HTTP_HX_REQUEST="true"
    )

    assert "Not saved: Dmitry Volkov changed this step at" in response.content.decode()
    assert PlanStep.objects.get(pk=step.pk).done_on is None


# Closing, the offer


def test_closing_records_the_outcome(as_manager, plan, english):
    response = as_manager.post(
        plan_url(plan, "plans:plan_close"), {"outcome": "achieved", "note": "Share up to 40%", "version": 1}
    )

    assert messages_of(response) == ["The plan was closed: Achieved."]
    plan.refresh_from_db()
    assert (plan.status, plan.outcome, plan.outcome_note, plan.closed_on) == (
        "closed",
        "achieved",
        "Share up to 40%",
        timezone.localdate(),
    )


@pytest.mark.parametrize("outcome", ["", "won_back", "x" * 20])
def test_a_bad_outcome_is_refused(as_manager, plan, outcome):
    response = as_manager.post(plan_url(plan, "plans:plan_close"), {"outcome": outcome, "version": 1})

    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert Plan.objects.get(pk=plan.pk).is_active


def test_a_stale_close_is_refused_and_keeps_the_input(as_manager, plan, director, english):
    services.plan_offer_save(plan=plan, kind="gift", text="Calendar", expected_version=1, by=director)

    response = as_manager.post(
        plan_url(plan, "plans:plan_close"), {"outcome": "achieved", "note": "Mine", "version": 1}
    )

    assert response.status_code == 409
    assert "Not saved: someone else changed this plan while you were editing" in response.content.decode()
    form = response.context["form"]
    assert (form["outcome"].value(), form["note"].value(), form["version"].value()) == (
        "achieved",
        "Mine",
        "2",
    )
    assert Plan.objects.get(pk=plan.pk).is_active


def test_a_plan_closed_meanwhile_is_not_closed_again(as_manager, plan, director, english):
    services.plan_close(plan=plan, outcome="abandoned", note="", expected_version=1, by=director)

    response = as_manager.post(
        plan_url(plan, "plans:plan_close"), {"outcome": "achieved", "note": "Mine", "version": 2}
    )

    assert response.status_code == 409
    assert "It can no longer be changed." in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).outcome == "abandoned"


def test_the_offer_of_a_win_back_plan(as_manager, client_card, manager, english):
    started = services.plan_create(client=client_card, kind=PlanKind.WIN_BACK, by=manager)

    response = as_manager.post(
        plan_url(started, "plans:plan_offer"),
        {"offer_kind": "discount", "offer_text": "7% on cables", "version": 1},
    )

    assert messages_of(response) == ["The offer was saved."]
    started.refresh_from_db()
    assert (started.offer_kind, started.offer_text) == ("discount", "7% on cables")
    assert "7% on cables" in as_manager.get(tab(client_card)).content.decode()


def test_only_a_win_back_plan_has_an_offer(as_manager, plan):
    assert as_manager.get(plan_url(plan, "plans:plan_offer")).status_code == 404


# History


def test_the_card_history_shows_the_plan_and_its_steps(as_manager, plan, manager, english):
    step = plan.steps.first()
    services.plan_step_save(
        step=step, values={"done_on": datetime.date(2026, 6, 16)}, expected_version=1, by=manager
    )
    services.plan_close(plan=plan, outcome="achieved", note="", expected_version=1, by=manager)

    response = as_manager.get(reverse("accounts:client_history", args=[plan.client_id]))

    found = [(e.subject, e.action) for e in response.context["entries"] if e.subject.startswith("Plan")]
    assert found[0] == ("Plan: Development plan", "closed")
    assert ("Plan step: Development plan — " + step.text_en, "changed") in found
    assert found[-1] == ("Plan: Development plan", "started")


# Templates (admins)


def template_url(kind="retention"):
    return reverse("plans:template_detail", args=[kind])


def test_managers_and_directors_may_not_edit_templates(as_manager, director, client):
    step = TemplateStep.objects.first()
    urls = [
        reverse("plans:template_list"),
        template_url(),
        reverse("plans:template_step_edit", args=[step.pk]),
    ]
    for url in urls:
        assert as_manager.get(url).status_code == 403
    client.force_login(director)
    assert (
        client.post(reverse("plans:template_step_retire", args=[step.pk]), {"version": 1}).status_code == 403
    )
    assert TemplateStep.objects.get(pk=step.pk).is_active


def test_templates_send_anonymous_users_to_log_in(client):
    response = client.get(reverse("plans:template_list"))
    assert response.url.startswith(reverse("login"))


def test_template_wrong_methods(as_admin):
    step = TemplateStep.objects.first()
    assert as_admin.post(reverse("plans:template_list")).status_code == 405
    assert as_admin.get(reverse("plans:template_step_move", args=[step.pk])).status_code == 405
    assert as_admin.get(reverse("plans:template_step_retire", args=[step.pk])).status_code == 405


def test_an_admin_adds_a_step_in_both_languages(as_admin, english):
    response = as_admin.post(
        template_url(),
        {
            "text_en": "Invite to the dealer club",
            "text_ru": "Пригласить в дилерский клуб",
            "offset_days": 200,
        },
    )

    assert response.status_code == 302
    added = PlanTemplate.objects.get(kind="retention").steps.order_by("position").last()
    assert (added.position, added.text_ru, added.offset_days) == (10, "Пригласить в дилерский клуб", 200)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"text_en": "", "text_ru": "   ", "offset_days": 1},
            "Write the step in English, in Russian or in both.",
        ),
        (
            {"text_en": "x" * 301, "offset_days": 1},
            "Ensure this value has at most 300 characters (it has 301).",
        ),
        ({"text_en": "Call", "offset_days": -1}, "Ensure this value is greater than or equal to 0."),
        ({"text_en": "Call", "offset_days": 5000}, "Ensure this value is less than or equal to 3650."),
        ({"text_en": "Call", "offset_days": "soon"}, "Enter a whole number."),
    ],
)
def test_a_bad_step_is_refused_with_a_clear_message(as_admin, values, message, english):
    before = TemplateStep.objects.count()

    response = as_admin.post(template_url(), values)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert TemplateStep.objects.count() == before


def test_an_admin_rewords_moves_and_retires_steps(as_admin, english):
    first, second = PlanTemplate.objects.get(kind="win_back").steps.order_by("position")[:2]

    as_admin.post(
        reverse("plans:template_step_edit", args=[first.pk]),
        {"text_en": "Check", "text_ru": "Проверить", "offset_days": 2, "version": 1},
    )
    as_admin.post(reverse("plans:template_step_move", args=[second.pk]), {"direction": "up"})
    response = as_admin.post(
        reverse("plans:template_step_retire", args=[first.pk]),
        {"retire": "on", "version": 3},  # the move moved it on
    )

    assert messages_of(response)[-1] == "The step was retired: new plans leave it out."
    first.refresh_from_db()
    assert (first.text_en, first.offset_days, first.position, first.is_active) == ("Check", 2, 2, False)
    page = as_admin.get(template_url("win_back")).content.decode()
    assert page.index("Проверить") > page.index(second.text_ru)


def test_a_stale_template_step_edit_is_refused(as_admin, admin_user, english):
    step = TemplateStep.objects.first()
    services.template_step_update(step=step, values={"offset_days": 3}, expected_version=1, by=admin_user)

    response = as_admin.post(
        reverse("plans:template_step_edit", args=[step.pk]),
        {"text_en": "Mine", "text_ru": step.text_ru, "offset_days": 1, "version": 1},
    )

    assert response.status_code == 409
    assert response.context["form"]["offset_days"].value() == "1"
    assert TemplateStep.objects.get(pk=step.pk).text_en != "Mine"


def test_the_template_pages_show_in_the_users_language(as_admin):
    as_admin.cookies.load({"django_language": "ru"})
    page = as_admin.get(reverse("plans:template_list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "План удержания" in page


# One query for when every source's entries happened, then the sources on the page (the card,
# the plan, its steps, ...); at 50 the steps fill most of it.
@pytest.mark.parametrize(("steps", "queries"), [(1, 14), (50, 6)])
def test_the_history_costs_no_more_at_50_step_changes_than_at_1(
    as_manager, plan, manager, steps, queries, assert_queries
):
    step = plan.steps.first()
    for number in range(steps):
        services.plan_step_save(
            step=step, values={"note": f"Note {number}"}, expected_version=step.version, by=manager
        )

    response = assert_queries(
        queries, lambda: as_manager.get(reverse("accounts:client_history", args=[plan.client_id]))
    )

    assert len([e for e in response.context["entries"] if e.subject.startswith("Plan step")]) >= min(steps, 6)
