"""The review pages: who may open what, a meeting through the browser client, refusals shown
with their rule, a manager's own action items, and constant query counts."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client as Browser
from django.urls import reverse

from segmentation.models import ActionItem, KeyStatus, Review, ReviewItem
from segmentation.radar.selectors import _ONE_CLIENT_SQL as compiled_flags
from tests.factories import ClientFactory, ManagerFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db
LIST_URL = reverse("segmentation:review_list")
OPEN_URL = reverse("segmentation:review_open")
ACTIONS_URL = reverse("segmentation:action_list")
SOON = (date.today() + timedelta(days=7)).isoformat()


def client_url(review, position=1, what=""):
    name = {"": "review_client", "decide": "review_decide", "actions": "action_add"}[what]
    return reverse(f"segmentation:{name}", args=[review.pk, position])


def review_pages(review):
    return [
        (LIST_URL, "get"),
        (review.get_absolute_url(), "get"),
        (client_url(review), "get"),
        (OPEN_URL, "post"),
        (reverse("segmentation:review_close", args=[review.pk]), "post"),
        (client_url(review, what="decide"), "post"),
        (client_url(review, what="actions"), "post"),
    ]


def test_anonymous_users_are_sent_to_log_in(review, client):
    for url, method in review_pages(review):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_a_manager_sees_no_review_page(review, as_manager):
    for url, method in review_pages(review):
        assert getattr(as_manager, method)(url).status_code == 403, url


def test_an_admin_reads_reviews_but_decides_nothing(review, as_admin):
    for url, method in review_pages(review):
        expected = 200 if method == "get" else 403
        assert getattr(as_admin, method)(url).status_code == expected, url
    page = as_admin.get(client_url(review)).content.decode()
    assert 'id="decision-form"' not in page
    assert 'id="action-form"' not in page


def test_wrong_methods_are_refused(review, as_director):
    for url, method in review_pages(review):
        if url.endswith("/close/"):
            assert as_director.put(url).status_code == 405, url  # its GET is the minutes' page
            continue
        other = as_director.post if method == "get" else as_director.get
        assert other(url).status_code == 405, url


def test_a_director_opens_a_review_and_lands_on_it(base, as_director):
    response = as_director.post(OPEN_URL)

    review = Review.objects.get()
    assert response.url == review.get_absolute_url()
    assert messages_of(response) == ["The review is open: 4 clients."]
    assert as_director.post(OPEN_URL).url == LIST_URL
    assert Review.objects.count() == 1


def test_the_meeting_page_shows_then_and_now_and_the_shortcuts(review, base, as_director):
    page = as_director.get(client_url(review, 2)).content.decode()

    assert "Beta Key" in page
    assert "Client 2 of 4" in page
    assert f'href="{client_url(review, 1)}"' in page
    assert f'href="{client_url(review, 3)}"' in page
    assert 'data-key="n ArrowRight"' in page
    assert "<kbd>n</kbd>" in page
    assert as_director.get(client_url(review, 5)).status_code == 404


def test_the_meeting_forms_show_each_clients_values_and_renamed_people(review, base, as_director):
    first, second = ReviewItem.objects.filter(review=review, client__responsible_manager__isnull=False)[:2]
    owner = first.client.responsible_manager
    ReviewItem.objects.filter(pk=second.pk).update(decision="keep", note="Watch <them>")

    before = as_director.get(client_url(review, first.position)).content.decode()
    decided = as_director.get(client_url(review, second.position)).content.decode()
    owner.first_name = "Renamed"
    owner.save()
    after = as_director.get(client_url(review, first.position)).content.decode()

    assert f'<option value="{owner.pk}" selected>{owner}</option>' in after
    assert f">{owner}</option>" not in before
    assert 'value="keep" data-key="d" id="id_decision_0" required>' in before
    assert 'value="keep" data-key="d" id="id_decision_0" required checked>' in decided
    assert "Watch &lt;them&gt;</textarea>" in decided


def test_a_review_that_does_not_exist_is_not_found(review, as_director):
    gone = Review(pk=review.pk + 1000)

    assert as_director.get(client_url(gone, 1)).status_code == 404
    assert as_director.get(reverse("segmentation:review_detail", args=[gone.pk])).status_code == 404
    assert as_director.get(client_url(review, 0)).status_code == 404


def test_a_decision_moves_on_to_the_next_client(review, base, as_director):
    response = as_director.post(client_url(review, 1, "decide"), {"decision": "keep", "note": "Fine"})

    assert response.url == client_url(review, 2)
    assert messages_of(response) == ["Alfa Key: Keep."]
    assert ReviewItem.objects.get(review=review, position=1).decision == "keep"


def test_the_meeting_steps_over_a_client_deleted_in_the_admin(review, base, as_director):
    """Deleting a client deletes its review items: the meeting's neighbours and the move after a
    decision skip the gap it leaves, and the clients after it count one place less."""
    first = as_director.get(client_url(review, 1)).content.decode()
    ReviewItem.objects.get(review=review, position=2).client.delete()

    page = as_director.get(client_url(review, 3)).content.decode()
    moved = as_director.post(client_url(review, 1, "decide"), {"decision": "keep", "note": ""})

    assert "Client 1 of 4" in first
    assert "Client 2 of 3" in page
    assert "Client 1 of 3" in as_director.get(client_url(review, 1)).content.decode()
    assert "Client 3 of 3" in as_director.get(client_url(review, 4)).content.decode()
    assert f'id="review-previous" data-key="p ArrowLeft" href="{client_url(review, 1)}"' in page
    assert moved.url == client_url(review, 3)
    assert as_director.get(client_url(review, 2)).status_code == 404


def test_a_client_deleted_in_the_admin_leaves_the_review_s_page_at_once(review, base, as_director):
    """The review's page is drawn once per version: deleting a client's item moves it on."""
    detail = reverse("segmentation:review_detail", args=[review.pk])
    before = as_director.get(detail).content.decode()
    version = Review.objects.get(pk=review.pk).version

    base["key_silver"].delete()

    after = as_director.get(detail).content.decode()
    assert "Beta Key" in before
    assert "Beta Key" not in after
    assert "Alfa Key" in after
    assert Review.objects.values_list("clients", "version").get(pk=review.pk) == (3, version + 1)


def test_the_database_counts_a_review_s_clients_as_items_come_and_go(review, base):
    assert Review.objects.get(pk=review.pk).clients == 4 == review.items.count()

    ReviewItem.objects.filter(review=review, position__gte=3).delete()
    one = ReviewItem.objects.get(review=review, position=1)
    ReviewItem.objects.create(review=review, client=base["bronze"], position=7)

    assert Review.objects.get(pk=review.pk).clients == 3
    one.delete()
    assert Review.objects.get(pk=review.pk).clients == 2


def test_a_refused_grant_says_why_and_records_nothing(review, base, as_director):
    response = as_director.post(
        client_url(review, 4, "decide"), {"decision": "grant", "reasons": ["potential"], "note": ""}
    )

    assert response.status_code == 400
    assert (
        "Refused: a key client needs its responsible manager. Assign one first." in response.content.decode()
    )
    assert ReviewItem.objects.get(review=review, position=4).decision == ""
    assert not KeyStatus.objects.filter(client=base["candidate_small"]).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "grant"}, "Give at least one reason for key status."),
        ({"decision": "revoke", "note": "  "}, "Say why key status is revoked."),
        ({"decision": "reassign"}, "Choose the new responsible manager."),
        ({"decision": "fire"}, "Select a valid choice. fire is not one of the available choices."),
        ({}, "This field is required."),
        ({"decision": "keep", "note": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_decisions_are_refused_with_a_message(review, base, as_director, data, message):
    response = as_director.post(client_url(review, 1, "decide"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReviewItem.objects.exclude(decision="").exists()


def test_an_action_item_is_added_for_its_owner(review, base, as_director, manager):
    response = as_director.post(
        client_url(review, 1, "actions"), {"what": "Visit Paris", "owner": manager.pk, "due": SOON}
    )

    assert response.url == client_url(review, 1)
    assert list(ActionItem.objects.values_list("what", "owner", "item__position")) == [
        ("Visit Paris", manager.pk, 1)
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"what": " ", "owner": "", "due": SOON}, "Say what is to be done."),
        ({"what": "Call", "owner": "", "due": ""}, "This field is required."),
        ({"what": "Call", "owner": "999999", "due": SOON}, "Select a valid choice."),
        ({"what": "Call", "owner": "", "due": "2020-01-01"}, "The due date is in the past."),
        ({"what": "Call", "owner": "", "due": "tomorrow"}, "Enter a valid date."),
        ({"what": "x" * 501, "owner": "", "due": SOON}, "Ensure this value has at most 500 characters"),
    ],
)
def test_bad_action_items_are_refused(review, as_director, data, message):
    response = as_director.post(client_url(review, 1, "actions"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ActionItem.objects.exists()


def test_the_minutes_have_a_page_of_their_own_for_directors(
    review, director, as_director, browser_for, admin_user
):
    close_url = reverse("segmentation:review_close", args=[review.pk])
    assert f'href="{close_url}"' in as_director.get(review.get_absolute_url()).content.decode()

    page = as_director.get(close_url)

    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="summary"' in content
    assert re.search(rf'name="attendees" value="{director.pk}"[^>]* checked', content)  # who closes attends
    assert browser_for(admin_user).get(close_url).status_code == 403
    assert browser_for(ManagerFactory()).get(close_url).status_code == 403
    assert (
        f'href="{close_url}"' not in browser_for(admin_user).get(review.get_absolute_url()).content.decode()
    )


def test_a_closed_review_s_minutes_page_leads_back_to_it(review, director, as_director):
    as_director.post(
        reverse("segmentation:review_close", args=[review.pk]),
        {"attendees": [director.pk], "summary": "Agreed."},
    )

    response = as_director.get(reverse("segmentation:review_close", args=[review.pk]))

    assert response.url == review.get_absolute_url()
    assert messages_of(response) == [
        "The review is closed and its minutes are kept.",  # the closing's, not shown yet
        "This review is closed already.",
    ]
    again = as_director.post(
        reverse("segmentation:review_close", args=[review.pk]),
        {"attendees": [director.pk], "summary": "Again."},
    )
    assert again.status_code == 400
    assert "This review is closed already." in again.content.decode()
    assert Review.objects.get(pk=review.pk).summary == "Agreed."


def test_closing_needs_minutes_and_keeps_them(review, as_director, director):
    close_url = reverse("segmentation:review_close", args=[review.pk])
    refused = as_director.post(close_url, {"attendees": [director.pk], "summary": " "})
    assert refused.status_code == 400
    assert "Write the minutes before closing the review." in refused.content.decode()

    response = as_director.post(
        close_url, {"attendees": [director.pk], "guests": "CEO", "summary": "Agreed."}
    )

    assert response.url == review.get_absolute_url()
    page = as_director.get(review.get_absolute_url()).content.decode()
    assert "Agreed." in page
    assert 'id="decision-form"' not in as_director.get(client_url(review)).content.decode()


def add_action(review, director, owner, what="Call", due=None):
    item = review.items.first()
    due = due or date.today() + timedelta(days=3)
    return ActionItem.objects.create(item=item, what=what, owner=owner, due=due, created_by=director)


def test_a_manager_sees_and_closes_only_their_own_action_items(review, director, manager, as_manager):
    mine = add_action(review, director, manager, "Mine")
    theirs = add_action(review, director, ManagerFactory(), "Theirs")

    response = as_manager.get(ACTIONS_URL)
    assert [a.what for a in response.context["page"].rows] == ["Mine"]
    assert response.context["everyone"] is False

    status_url = reverse("segmentation:action_status", args=[theirs.pk])
    assert as_manager.post(status_url, {"status": "done"}).status_code == 404
    done = as_manager.post(reverse("segmentation:action_status", args=[mine.pk]), {"status": "done"})
    assert done.url == ACTIONS_URL
    assert list(ActionItem.objects.order_by("pk").values_list("status", flat=True)) == ["done", "open"]


def test_a_director_sees_everyone_s_action_items_and_overdue_ones_stand_out(
    review, director, manager, as_director
):
    add_action(review, director, manager, "Late", due=date.today() - timedelta(days=1))
    add_action(review, director, director, "Later")

    response = as_director.get(ACTIONS_URL)
    assert [a.what for a in response.context["page"].rows] == ["Late", "Later"]
    assert 'class="table-danger"' in response.content.decode()
    mine = as_director.get(ACTIONS_URL, {"owner": director.pk})
    assert [a.what for a in mine.context["page"].rows] == ["Later"]
    bad = as_director.get(ACTIONS_URL, {"owner": "nobody", "status": "maybe"})
    assert [a.what for a in bad.context["page"].rows] == ["Late", "Later"]


def test_anonymous_and_wrong_methods_on_action_items(review, director, manager, as_manager):
    action = add_action(review, director, manager)
    status_url = reverse("segmentation:action_status", args=[action.pk])
    anonymous = Browser()
    assert anonymous.get(ACTIONS_URL).status_code == 302
    assert anonymous.post(status_url).status_code == 302
    assert as_manager.post(ACTIONS_URL).status_code == 405
    assert as_manager.get(status_url).status_code == 405


# Query counts: constant in the number of rows


def many_items(review, count):
    start = review.items.count()
    clients = ClientFactory.create_batch(count)
    ReviewItem.objects.bulk_create(
        ReviewItem(review=review, client=c, position=start + n, flags=["never_met"])
        for n, c in enumerate(clients, 1)
    )


# past a page of clients, the page's keys are read before its rows: one query more, however many
@pytest.mark.parametrize(("extra", "queries"), [(0, 4), (50, 5), (120, 5)])
def test_the_review_page_runs_a_constant_number_of_queries(
    review, as_director, assert_queries, extra, queries
):
    many_items(review, extra)
    response = assert_queries(queries, lambda: as_director.get(review.get_absolute_url()))
    assert len(response.context["page"].rows) == min(4 + extra, 50)


def items_table(response) -> str:
    content = response.content.decode()
    return content[content.index('id="review-items"') :]


def test_the_review_s_table_is_drawn_again_after_each_change_and_kept_between(
    review, base, director, manager, browser_for, assert_queries
):
    as_director, as_manager = browser_for(director), browser_for(manager)
    url = review.get_absolute_url()
    assert "Keep" not in items_table(as_director.get(url))
    # the session with the user, their groups and unread notifications, the review: its header,
    # minutes, difference and clients are kept
    assert_queries(2, lambda: as_director.get(url))

    as_director.post(client_url(review, 1, "decide"), {"decision": "keep", "note": ""})
    decided = items_table(as_director.get(url))
    assert "Keep" in decided
    as_director.post(client_url(review, 1, "actions"), {"what": "Visit", "owner": manager.pk, "due": SOON})
    assert ">1/1</td>" in items_table(as_director.get(url))  # open / all action items
    action = ActionItem.objects.get()
    as_manager.post(reverse("segmentation:action_status", args=[action.pk]), {"status": "done"})
    assert ">0/1</td>" in items_table(as_director.get(url))
    ReviewItem.objects.filter(review=review, position=2).update(note="Written behind the services' back")

    assert "Written behind" not in as_director.get(url).content.decode()  # kept: nothing said it changed
    assert review.items.count() == 4


@pytest.mark.parametrize("count", [1, 50])
def test_the_action_list_runs_a_constant_number_of_queries(
    review, director, manager, as_director, assert_queries, count
):
    for n in range(count):
        add_action(review, director, manager, f"Action {n}")
    response = assert_queries(4, lambda: as_director.get(ACTIONS_URL))
    assert len(response.context["page"].rows) == count


@pytest.mark.parametrize("count", [1, 50])
def test_the_review_list_runs_a_constant_number_of_queries(director, as_director, assert_queries, count):
    Review.objects.bulk_create(Review(opened_by=director) for _ in range(count))
    # the session with the user, their groups and unread notifications, the reviews' state, the page's
    # keys and rows
    response = assert_queries(4, lambda: as_director.get(LIST_URL))
    assert len(response.context["page"].rows) == count


def review_rows(response) -> str:
    content = response.content.decode()
    return content[content.index('id="review-table"') :]


def test_the_review_list_is_drawn_again_when_a_review_changes_and_kept_between(
    review, base, director, browser_for, assert_queries
):
    as_director = browser_for(director)
    first = review_rows(as_director.get(LIST_URL))
    assert '<td class="text-end">0</td>' in first  # nothing decided yet
    # the session with the user, their groups and unread notifications, the reviews' state: the table
    # is kept
    assert review_rows(assert_queries(2, lambda: as_director.get(LIST_URL))) == first

    as_director.post(client_url(review, 1, "decide"), {"decision": "keep", "note": ""})

    decided = as_director.get(LIST_URL)
    assert [(r.pk, r.decided) for r in decided.context["page"].rows] == [(review.pk, 1)]
    assert f'href="{review.get_absolute_url()}">' in decided.content.decode()  # the open review's button


def test_the_meeting_page_runs_a_constant_number_of_queries(
    review, base, director, manager, as_director, assert_queries
):
    # 9, among them the managers' kept loads (the live "over capacity" flag), the client's flags
    # now, and the names both forms choose people from (one query); the item comes with its
    # neighbours and the review's last position. The first request of a process for a day,
    # policy and set of overloaded managers compiles the flags' statement (the loads read once
    # more)
    add_action(review, director, manager, "Action")
    compiled_flags.clear()  # as a new process has it
    assert_queries(10, lambda: as_director.get(client_url(review)))
    assert_queries(9, lambda: as_director.get(client_url(review)))
    for n in range(5):
        add_action(review, director, manager, f"Action {n}")
    assert_queries(9, lambda: as_director.get(client_url(review)))


def test_marking_done_goes_back_only_to_a_page_of_this_site(review, director, manager, as_manager):
    action = add_action(review, director, manager)
    url = reverse("segmentation:action_status", args=[action.pk])

    back = as_manager.post(url, {"status": "done", "next": "/plans/day/"})
    away = as_manager.post(url, {"status": "open", "next": "https://evil.example/"})

    assert (back.url, away.url) == ("/plans/day/", ACTIONS_URL)
