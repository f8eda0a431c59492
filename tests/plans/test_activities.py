"""Development activities and the loyalty ladder (DOMAIN §7): the reached rule, the card's tab,
panel and history, bad input, stale saves and deletes, and the query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Client
from plans import services as plan_services
from plans.activities import selectors, services
from plans.models import Activity, ActivityKind, PlanKind, Rung
from tests.factories import ClientFactory, ContactFactory, ManagerFactory, TeamMemberFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def activity(client, *, days_ago=10, rung=Rung.STAFF, kind=ActivityKind.TRAINING, **values):
    """An activity of `client` `days_ago` days before today (negative: planned ahead)."""
    values = {"title": "Course", "created_by": client.responsible_manager, **values}
    return Activity.objects.create(
        client=client, kind=kind, rung=rung, date=today() - datetime.timedelta(days=days_ago), **values
    )


def tab(client):
    return reverse("plans:client_activities", args=[client.pk])


def new_url(client):
    return reverse("plans:activity_new", args=[client.pk])


def edit_url(found, name="plans:activity_edit"):
    return reverse(name, args=[found.client_id, found.pk])


def posted(**values):
    """A valid submission: a VIP event for the board yesterday, working on top managers' competence."""
    return {
        "kind": ActivityKind.VIP_EVENT,
        "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "rung": Rung.TOP_MANAGERS,
        "title": "Plant tour for the board",
        "summary": "Showed the new line",
        **values,
    }


# The rule: a rung is reached once an activity on it has taken place


def test_the_highest_rung_held_is_reached_and_planned_ones_do_not_count(client_card):
    activity(client_card, days_ago=30, rung=Rung.PROCESSES, kind=ActivityKind.PROJECT_GROUP)
    last = activity(client_card, days_ago=0, rung=Rung.PRODUCT_USE)
    planned = activity(client_card, days_ago=-1, rung=Rung.THEIR_CLIENTS, kind=ActivityKind.VIP_EVENT)

    summary = selectors.ladder_summary(client_card, today=today())

    assert (summary.top, summary.last, summary.next) == (Rung.PROCESSES, last, planned)
    assert selectors.rungs_reached(client_card, today=today()) == {1, 3}
    tomorrow = selectors.ladder_summary(client_card, today=today() + datetime.timedelta(days=1))
    assert (tomorrow.top, tomorrow.last, tomorrow.next) == (Rung.THEIR_CLIENTS, planned, None)


def test_a_client_without_activities_held_has_reached_nothing(client_card):
    activity(ClientFactory(), rung=Rung.BUSINESS)

    summary = selectors.ladder_summary(client_card, today=today())

    assert (summary.top, summary.last, summary.next) == (None, None, None)
    planned = activity(client_card, days_ago=-7)
    summary = selectors.ladder_summary(client_card, today=today())
    assert (summary.top, summary.last, summary.next) == (None, None, planned)


def test_the_rung_filter_finds_clients_by_their_highest_rung_reached(client_card):
    second = ClientFactory(name="Second")
    never = ClientFactory(name="Never")
    activity(client_card, rung=Rung.STAFF)
    activity(client_card, rung=Rung.BUSINESS)
    activity(second, rung=Rung.STAFF)
    activity(never, days_ago=-5, rung=Rung.BUSINESS)  # only planned

    def named(value):
        found = Client.objects.filter(selectors.rung_is(value, today()))
        return set(found.values_list("name", flat=True))

    assert named("2") == {"Second"}
    assert named("4") == {client_card.name}
    assert named(selectors.NO_RUNG) == {"Never"}
    assert named("6") == set()


# The card: tab, panel, history


def test_the_tab_shows_the_ladder_and_the_activities_newest_first(as_manager, client_card, manager, english):
    contact = ContactFactory(client=client_card, name="Irina Sokolova")
    older = activity(client_card, days_ago=40, rung=Rung.PRODUCT_USE, title="Welding webinar")
    newer = activity(client_card, days_ago=5, rung=Rung.PROCESSES, title="Supply chain workshop")
    newer.their_people.set([contact])
    newer.our_people.set([manager])

    response = as_manager.get(tab(client_card))

    page = response.content.decode()
    assert response.context["activities"] == [newer, older]
    assert response.context["reached"] == {1, 3}
    assert "Add an activity" in page
    assert "Their people: Irina Sokolova." in page
    assert "Our people: Anna Smirnova." in page
    assert page.index("Supply chain workshop") < page.index("Welding webinar")


def test_each_activity_names_its_people_each_side_in_order(client_card, manager):
    vera, anna = (ContactFactory(client=client_card, name=name) for name in ("Vera Orlova", "Anna Belova"))
    zorin = ManagerFactory(first_name="Ivan", last_name="Zorin")
    both = activity(client_card, days_ago=5, title="Both")
    activity(client_card, days_ago=6, title="Nobody")
    both.their_people.set([vera, anna])
    both.our_people.set([zorin, manager])

    found = selectors.client_activities(client_card)

    assert [a.title for a in found] == ["Both", "Nobody"]
    assert [str(c) for c in found[0].theirs] == ["Anna Belova", "Vera Orlova"]
    assert found[0].ours == [manager, zorin]  # Smirnova before Zorin
    assert (found[1].theirs, found[1].ours) == ([], [])


def test_the_overview_says_the_highest_rung_and_the_last_activity(as_manager, client_card, english):
    held = activity(client_card, days_ago=3, rung=Rung.BUSINESS, kind=ActivityKind.CONSULTING)
    activity(client_card, days_ago=-20, kind=ActivityKind.VIP_EVENT)
    held_on = formats.date_format(held.date, "SHORT_DATE_FORMAT")

    page = as_manager.get(reverse("accounts:client_detail", args=[client_card.pk])).content.decode()

    panel = page[page.index('id="ladder-panel"') :]
    assert "<strong>4 — The client&#x27;s business efficiency</strong>" in panel
    assert f"{held_on}, Consulting for top management" in panel
    assert "Next planned" in panel
    assert "VIP event" in panel


def test_activities_appear_in_the_cards_history(as_manager, client_card, english):
    as_manager.post(new_url(client_card), posted())

    page = as_manager.get(reverse("accounts:client_history", args=[client_card.pk])).content.decode()

    assert "Development activity: VIP event" in page
    assert "Plant tour for the board" in page


# One query for when every source's entries happened, then the sources on the page; at 50 the
# activities fill it alone (their rows, earlier versions and names).
@pytest.mark.parametrize(("changes", "queries"), [(1, 9), (50, 5)])
def test_the_history_costs_no_more_at_50_activity_changes_than_at_1(
    as_manager, client_card, manager, assert_queries, changes, queries
):
    found = activity(client_card)
    for number in range(changes):
        found.title = f"Course {number}"
        services.activity_save(
            activity=found, client=client_card, many_to_many={}, expected_version=found.version, by=manager
        )

    response = assert_queries(
        queries, lambda: as_manager.get(reverse("accounts:client_history", args=[client_card.pk]))
    )

    assert len([e for e in response.context["entries"] if e.subject.startswith("Development")]) == min(
        changes + 1, 50
    )


# Adding, editing, deleting


def test_a_manager_adds_an_activity_with_people_on_both_sides_and_a_plan(as_manager, client_card, manager):
    contact = ContactFactory(client=client_card)
    plan = plan_services.plan_create(client=client_card, kind=PlanKind.DEVELOPMENT, by=manager)

    response = as_manager.post(
        new_url(client_card), posted(their_people=[contact.pk], our_people=[manager.pk], plan=plan.pk)
    )

    assert response.status_code == 302
    assert response.url == tab(client_card)
    assert messages_of(response) == ["The activity was saved."]
    saved = Activity.objects.get()
    assert (saved.client, saved.kind, saved.rung, saved.plan, saved.created_by) == (
        client_card,
        ActivityKind.VIP_EVENT,
        Rung.TOP_MANAGERS,
        plan,
        manager,
    )
    assert list(saved.their_people.all()) == [contact]
    assert list(saved.our_people.all()) == [manager]
    assert saved.history.get().history_user == manager


def test_an_activity_keeps_its_duration_and_the_tab_shows_it(as_manager, client_card, english):
    form = as_manager.get(new_url(client_card))
    assert 'name="duration_minutes"' in form.content.decode()

    as_manager.post(new_url(client_card), posted(duration_minutes="90", title="Plant tour"))
    activity(client_card, days_ago=20, title="Unknown length")

    saved = Activity.objects.get(title="Plant tour")
    assert saved.duration_minutes == 90
    page = as_manager.get(tab(client_card)).content.decode()
    yesterday = formats.date_format(saved.date, "DATE_FORMAT")
    assert f"<strong>{yesterday} · VIP event · 90 min</strong>" in page
    assert page.count(" min</strong>") == 1
    edit = as_manager.get(edit_url(saved)).content.decode()
    assert 'value="90"' in edit


def test_htmx_gets_the_form_then_the_refreshed_list_out_of_band(as_manager, client_card):
    form = as_manager.get(new_url(client_card), HTTP_HX_REQUEST="true")
    assert 'id="activity-form-card"' in form.content.decode()
    assert "<nav" not in form.content.decode()

    response = as_manager.post(new_url(client_card), posted(), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="activities" hx-swap-oob="true">')
    assert "Plant tour for the board" in body


def test_a_planned_activity_may_be_saved_and_is_marked_planned(as_manager, client_card, english):
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

    as_manager.post(new_url(client_card), posted(date=later))

    page = as_manager.get(tab(client_card)).content.decode()
    assert Activity.objects.get().date.isoformat() == later
    assert ">planned</span>" in page
    assert "No rung reached yet." in page


def test_a_teammate_edits_an_activity(client, client_card):
    found = activity(client_card)
    teammate = TeamMemberFactory(client=client_card).user
    client.force_login(teammate)

    response = client.post(edit_url(found), posted(title="Renamed", version=1))

    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.title, found.version, found.created_by) == ("Renamed", 2, client_card.responsible_manager)


def test_deleting_an_activity_keeps_it_in_the_history(as_manager, client_card, manager):
    found = activity(client_card)

    response = as_manager.post(edit_url(found, "plans:activity_delete"), {"version": 1})

    assert response.status_code == 302
    assert messages_of(response) == ["The activity was deleted."]
    assert not Activity.objects.exists()
    assert Activity.history.filter(id=found.pk, history_type="-").get().history_user == manager


# Bad input: a clear message, nothing written


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters (it has 201)."),
        ({"kind": "lunch"}, "kind", "Select a valid choice. lunch is not one of the available choices."),
        ({"rung": "7"}, "rung", "Select a valid choice. 7 is not one of the available choices."),
        ({"rung": "high"}, "rung", "Select a valid choice. high is not one of the available choices."),
        ({"date": ""}, "date", "This field is required."),
        ({"date": "15.13.2026"}, "date", "Enter a valid date."),
        ({"date": "2100-01-01"}, "date", "Enter a date between 1900-01-01 and 2099-12-31."),
        ({"duration_minutes": "-5"}, "duration_minutes", "Ensure this value is greater than or equal to 0."),
        (
            {"duration_minutes": "1441"},
            "duration_minutes",
            "Ensure this value is less than or equal to 1440.",
        ),
        ({"duration_minutes": "an hour"}, "duration_minutes", "Enter a whole number."),
    ],
)
def test_bad_input_is_refused_with_a_message(as_manager, client_card, english, values, field, message):
    response = as_manager.post(new_url(client_card), posted(**values))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Activity.objects.exists()


def test_people_of_another_client_or_who_left_are_refused(as_manager, client_card, english):
    stranger = ContactFactory(client=ClientFactory())
    retired = ContactFactory(client=client_card, is_active=False)
    gone = ManagerFactory(is_active=False)

    for theirs in (stranger, retired):
        response = as_manager.post(
            new_url(client_card), posted(their_people=[theirs.pk], our_people=[gone.pk])
        )

        errors = response.context["form"].errors
        assert errors["their_people"] == ["Choose their people from this client's active contacts."]
        assert errors["our_people"] == ["Choose our people from the active staff."]
    assert not Activity.objects.exists()


def test_people_who_left_stay_on_the_activities_that_have_them(as_manager, client_card):
    found = activity(client_card)
    retired = ContactFactory(client=client_card, is_active=False)
    gone = ManagerFactory(is_active=False)
    found.their_people.set([retired])
    found.our_people.set([gone])

    response = as_manager.post(
        edit_url(found), posted(their_people=[retired.pk], our_people=[gone.pk], version=1)
    )

    assert response.status_code == 302
    assert list(found.their_people.all()) == [retired]
    assert list(found.our_people.all()) == [gone]


def test_a_plan_of_another_client_is_refused(as_manager, client_card, manager, english):
    other = ClientFactory(responsible_manager=manager)
    foreign = plan_services.plan_create(client=other, kind=PlanKind.RETENTION, by=manager)

    response = as_manager.post(new_url(client_card), posted(plan=foreign.pk))

    assert response.context["form"].errors["plan"] == ["Choose one of this client's plans."]
    assert not Activity.objects.exists()
    with pytest.raises(services.ForeignPlanError):
        services.activity_save(
            activity=Activity(kind=ActivityKind.TRAINING, date=today(), title="x", rung=1, plan=foreign),
            client=client_card,
            many_to_many={},
            expected_version=None,
            by=manager,
        )
    assert not Activity.objects.exists()


def test_an_activity_of_another_client_is_not_found(as_manager, client_card, manager):
    theirs = activity(ClientFactory(responsible_manager=manager))

    url = reverse("plans:activity_edit", args=[client_card.pk, theirs.pk])

    assert as_manager.get(url).status_code == 404
    assert as_manager.post(url, posted(version=1)).status_code == 404
    assert Activity.objects.get().title == "Course"


# Stale saves and deletes


def test_a_stale_save_is_refused_and_says_who_changed_what(as_manager, client_card, director, english):
    found = activity(client_card, title="Course")
    theirs = Activity.objects.get(pk=found.pk)
    theirs.title = "Their title"
    services.activity_save(
        activity=theirs, client=client_card, many_to_many={}, expected_version=1, by=director
    )

    response = as_manager.post(edit_url(found), posted(title="Mine", version=1))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved: someone else saved this activity while you were editing" in page
    assert "Dmitry Volkov saved it at" in page
    assert '<td class="history-value">Course</td><td class="history-value">Their title</td>' in page
    assert Activity.objects.get(pk=found.pk).title == "Their title"
    assert response.context["form"]["version"].value() == "2"


def test_a_stale_delete_is_refused(as_manager, client_card, director):
    found = activity(client_card)
    services.activity_save(
        activity=found, client=client_card, many_to_many={}, expected_version=1, by=director
    )

    response = as_manager.post(edit_url(found, "plans:activity_delete"), {"version": 1})

    assert response.status_code == 409
    assert "Not deleted: someone else changed this activity" in response.content.decode()
    assert Activity.objects.filter(pk=found.pk).exists()


def test_saving_an_activity_deleted_meanwhile_says_so_and_keeps_the_input(as_manager, client_card, director):
    found = activity(client_card)
    services.activity_delete(activity=Activity.objects.get(pk=found.pk), expected_version=1, by=director)

    response = as_manager.post(edit_url(found), posted(title="Mine", version=1))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else deleted this activity while you were editing" in page
    assert "saving it adds a new activity" in page
    assert response.context["form"]["title"].value() == "Mine"
    assert not Activity.objects.exists()


# Access: anonymous, outsider, read-only, wrong method


def card_urls(found):
    """Every per-client activities URL: (url, method that works, whether it writes)."""
    return [
        (tab(found.client), "get", False),
        (new_url(found.client), "get", True),
        (edit_url(found), "get", True),
        (edit_url(found, "plans:activity_delete"), "post", True),
    ]


def test_anonymous_users_are_sent_to_log_in(client, client_card):
    found = activity(client_card)
    for url, method, _writes in [*card_urls(found), (reverse("plans:ladder"), "get", False)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_an_outsider_finds_no_activities_of_another_managers_client(as_outsider, client_card):
    found = activity(client_card)
    for url, method, _writes in card_urls(found):
        assert getattr(as_outsider, method)(url).status_code == 404, url
    assert as_outsider.post(new_url(client_card), posted()).status_code == 404
    assert Activity.objects.count() == 1


def test_a_director_reads_the_activities_but_writes_none(as_director, client_card):
    found = activity(client_card)

    response = as_director.get(tab(client_card))

    assert response.status_code == 200
    assert "Add an activity" not in response.content.decode()
    for url, method, writes in card_urls(found):
        if writes:
            assert getattr(as_director, method)(url).status_code == 403, url
    assert as_director.post(new_url(client_card), posted()).status_code == 403
    assert Activity.objects.count() == 1


def test_wrong_methods_are_refused(as_manager, client_card):
    found = activity(client_card)
    assert as_manager.post(tab(client_card)).status_code == 405
    assert as_manager.put(new_url(client_card)).status_code == 405
    assert as_manager.delete(edit_url(found)).status_code == 405
    assert as_manager.get(edit_url(found, "plans:activity_delete")).status_code == 405


# Query counts


def test_the_tab_query_count_does_not_grow_with_activities(as_manager, client_card, manager, assert_queries):
    contact = ContactFactory(client=client_card)

    def add(n):
        for _ in range(n):
            found = activity(client_card)
            found.their_people.set([contact])
            found.our_people.set([manager])

    add(1)
    # the session with the user, their roles, permissions and unread badge, the card; activities and
    # their people (3); the ladder (2)
    queries = 7
    response = assert_queries(queries, lambda: as_manager.get(tab(client_card)))
    assert len(response.context["activities"]) == 1
    add(49)

    response = assert_queries(queries, lambda: as_manager.get(tab(client_card)))

    assert len(response.context["activities"]) == 50
