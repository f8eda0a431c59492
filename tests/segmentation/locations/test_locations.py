"""Our own locations: admins only, the place chosen from ISO lists, bad input refused, kept in history."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import escape

from segmentation.locations.services import location_version
from segmentation.models import OwnLocation
from tests.factories import OwnLocationFactory
from tests.helpers import messages_of

LIST_URL = reverse("segmentation:location_list")
NEW_URL = reverse("segmentation:location_create")
EFFECT = "Expansion alerts follow at the next recomputation."


def edit_url(location: OwnLocation) -> str:
    return reverse("segmentation:location_edit", args=[location.pk])


def retire_url(location: OwnLocation) -> str:
    return reverse("segmentation:location_retire", args=[location.pk])


def state() -> list[dict[str, Any]]:
    """Every location and its history, to prove a refused request wrote nothing."""
    return [model_to_dict(location) for location in OwnLocation.objects.order_by("pk")] + [
        {"history": OwnLocation.history.count()}
    ]


def form_data(location: OwnLocation | None = None, **changes: Any) -> dict[str, Any]:
    """The location form as the page sends it, with `changes` typed in."""
    data: dict[str, Any] = {"name": "Irkutsk branch", "kind": "branch", "country": "RU", "region": "RU-IRK"}
    if location is not None:
        data = {
            "name": location.name,
            "kind": location.kind,
            "country": location.country,
            "region": location.region,
            "is_active": "on" if location.is_active else "",
            "version": location_version(location),
        }
    return {**data, **changes}


@pytest.fixture
def branch(db):
    return OwnLocationFactory(name="Krasnoyarsk branch", country="RU", region="RU-KYA")


# Access: anonymous, manager and director, wrong methods


@pytest.mark.django_db
def test_locations_anonymous_is_sent_to_login(client):
    branch = OwnLocationFactory()
    for url in [LIST_URL, NEW_URL, edit_url(branch), retire_url(branch)]:
        response = client.post(url, form_data()) if url == retire_url(branch) else client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("persona", ["as_manager", "as_director"])
def test_locations_are_forbidden_to_managers_and_directors(request, persona, branch):
    browser = request.getfixturevalue(persona)
    before = state()

    gets = [browser.get(url).status_code for url in [LIST_URL, NEW_URL, edit_url(branch)]]
    posts = [
        browser.post(NEW_URL, form_data()).status_code,
        browser.post(edit_url(branch), form_data(branch, name="Renamed")).status_code,
        browser.post(retire_url(branch)).status_code,
    ]

    assert (gets, posts) == ([403, 403, 403], [403, 403, 403])
    assert state() == before


def test_locations_refuse_other_methods(as_admin, branch):
    before = state()

    assert as_admin.post(LIST_URL).status_code == 405
    assert as_admin.put(NEW_URL).status_code == 405
    assert as_admin.delete(edit_url(branch)).status_code == 405
    assert as_admin.get(retire_url(branch)).status_code == 405
    assert state() == before


def test_an_unknown_location_is_not_found(as_admin):
    assert as_admin.get(reverse("segmentation:location_edit", args=[999])).status_code == 404
    assert as_admin.post(reverse("segmentation:location_retire", args=[999])).status_code == 404


# The list


def test_location_list_names_kind_and_place_in_the_users_language(as_admin, branch):
    OwnLocationFactory(name="Almaty office", kind="representative", country="KZ", region="")
    OwnLocationFactory(name="Old warehouse", kind="warehouse", country="RU", region="RU-SPE", is_active=False)

    english = as_admin.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en")
    rows = [(r.location.name, r.location.is_active, r.place) for r in english.context["rows"]]
    as_admin.cookies["django_language"] = "ru"
    russian = as_admin.get(LIST_URL)

    assert rows == [
        ("Almaty office", True, "Kazakhstan, the whole country"),
        ("Krasnoyarsk branch", True, "Krasnoyarsk Krai, Russian Federation"),
        ("Old warehouse", False, "Saint Petersburg, Russian Federation"),
    ]
    assert "<td>Representative office</td>" in english.content.decode()
    html = russian.content.decode()
    assert "Красноярский край, Российская Федерация" in html
    assert "Казахстан, вся страна" in html
    assert "Представительство" in html
    assert f'action="{retire_url(branch)}"' in english.content.decode()


def test_location_list_query_count_does_not_grow_with_locations(as_admin, assert_queries):
    queries = 2  # the session with the user, their roles, permissions and unread badge, the locations
    OwnLocationFactory()
    one = assert_queries(queries, lambda: as_admin.get(LIST_URL))
    OwnLocationFactory.create_batch(49, region="RU-IRK")

    many = assert_queries(queries, lambda: as_admin.get(LIST_URL))

    assert (len(one.context["rows"]), len(many.context["rows"])) == (1, 50)


# Adding, editing, retiring


def test_admin_adds_a_location_chosen_from_the_lists(as_admin, admin_user):
    response = as_admin.post(NEW_URL, form_data(name="  Irkutsk branch  "))

    location = OwnLocation.objects.get()
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert messages_of(response) == [f"Irkutsk branch was added. {EFFECT}"]
    assert (location.name, location.kind, location.country, location.region, location.is_active) == (
        "Irkutsk branch",
        "branch",
        "RU",
        "RU-IRK",
        True,
    )
    assert location.history.get().history_user == admin_user


def test_a_location_abroad_may_cover_a_whole_country(as_admin):
    as_admin.post(NEW_URL, form_data(name="Almaty office", kind="representative", country="KZ", region=""))

    assert OwnLocation.objects.values_list("country", "region").get() == ("KZ", "")


def test_the_new_location_form_offers_the_regions_of_the_country(as_admin):
    response = as_admin.get(NEW_URL)

    html = response.content.decode()
    assert '<option value="RU-IRK">Irkutsk Oblast</option>' in html
    assert f'hx-get="{reverse("accounts:region_options")}"' in html
    assert 'name="is_active"' not in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "x" * 121}, "name", "Ensure this value has at most 120 characters (it has 121)."),
        ({"name": "Krasnoyarsk branch"}, "name", "We already have a location with this name."),
        ({"name": "Irkutsk\x00branch"}, "name", "Null characters are not allowed."),
        ({"kind": "shop"}, "kind", "Select a valid choice. shop is not one of the available choices."),
        ({"country": "XX"}, "country", "Select a valid choice. XX is not one of the available choices."),
        (
            {"region": "RU-XYZ"},
            "region",
            "Choose the region from the list: “RU-XYZ” is not a region of Russian Federation.",
        ),
        (
            {"region": "KZ-75"},
            "region",
            "Choose the region from the list: “KZ-75” is not a region of Russian Federation.",
        ),
        (
            {"country": "KZ", "region": "RU-IRK"},
            "region",
            "Choose the region from the list: “RU-IRK” is not a region of Kazakhstan.",
        ),
    ],
)
def test_bad_location_input_is_refused_with_a_message_and_writes_nothing(
    as_admin, branch, changes, field, message
):
    before = state()

    response = as_admin.post(NEW_URL, form_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert escape(message) in response.content.decode()
    assert state() == before


def test_admin_edits_a_location_and_the_history_names_them(as_admin, admin_user, branch):
    response = as_admin.post(edit_url(branch), form_data(branch, name="Irkutsk branch", region="RU-IRK"))

    branch.refresh_from_db()
    latest = branch.history.latest("history_date")
    assert response.status_code == 302
    assert messages_of(response) == [f"Irkutsk branch was saved. {EFFECT}"]
    assert (branch.name, branch.region) == ("Irkutsk branch", "RU-IRK")
    assert latest.history_user == admin_user
    assert sorted(latest.diff_against(latest.prev_record).changed_fields) == ["name", "region"]


def test_an_unchanged_location_form_writes_nothing(as_admin, branch):
    before = state()

    response = as_admin.post(edit_url(branch), form_data(branch))

    assert messages_of(response) == ["Nothing changed."]
    assert state() == before


def test_bad_input_on_edit_writes_nothing_and_keeps_the_title(as_admin, branch):
    before = state()

    response = as_admin.post(edit_url(branch), form_data(branch, name="", region="KZ-75"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "region"}
    assert "Edit location Krasnoyarsk branch" in response.content.decode()
    assert state() == before


def test_a_stale_edit_is_refused_and_says_what_the_location_is_now(as_admin, branch):
    opened = form_data(branch, name="Krasnoyarsk office")
    OwnLocation.objects.filter(pk=branch.pk).update(name="Achinsk branch")  # someone else's save
    OwnLocation.objects.get(pk=branch.pk).save()
    before = state()

    response = as_admin.post(edit_url(branch), opened)

    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "Not saved: someone else saved this location while you were editing. It now reads "
        "“Achinsk branch”, Krasnoyarsk Krai, Russian Federation. Your values are still in the form: "
        "check them and save again."
    ]
    assert response.context["form"]["name"].value() == "Krasnoyarsk office"
    assert state() == before


def test_retiring_keeps_the_location_and_its_history(as_admin, admin_user, branch):
    response = as_admin.post(retire_url(branch))

    branch.refresh_from_db()
    assert response.url == LIST_URL
    assert messages_of(response) == [f"Krasnoyarsk branch was retired. {EFFECT}"]
    assert branch.is_active is False
    assert branch.history.latest("history_date").history_user == admin_user
    again = as_admin.post(retire_url(branch))
    assert messages_of(again)[-1] == "Krasnoyarsk branch was already retired."


def test_a_retired_location_is_made_active_again_on_its_form(as_admin, branch):
    branch.is_active = False
    branch.save()

    as_admin.post(edit_url(branch), form_data(branch, is_active="on"))

    branch.refresh_from_db()
    assert branch.is_active is True


def test_the_database_refuses_a_region_of_another_country(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnLocation.objects.create(name="Wrong", country="RU", region="KZ-75")


# The policy page links to them


def test_policy_page_lists_the_active_locations_and_links_to_them(as_admin, branch):
    OwnLocationFactory(name="Old warehouse", region="RU-SPE", is_active=False)

    response = as_admin.get(reverse("segmentation:policy"))

    html = response.content.decode()
    assert [row.location.name for row in response.context["locations"]] == ["Krasnoyarsk branch"]
    assert "Krasnoyarsk branch <span" in html
    assert "Old warehouse" not in html
    assert f'href="{LIST_URL}"' in html
