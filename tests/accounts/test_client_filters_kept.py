"""The client list's filter form, kept drawn (`list_tags.client_filters`, `kam.drawn.drawn_form`)
by what its fields show: a value chosen, a choice added, renamed or moved shows at once."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Industry
from tests.factories import ClientFactory, IndustryFactory, ManagerFactory
from tests.helpers import count_drawings, filter_form_of

LIST_URL = reverse("accounts:client_list")


@pytest.fixture
def drawings(monkeypatch):
    return count_drawings(monkeypatch)


def test_drawn_once_and_as_the_template_draws_it(as_director, drawings):
    IndustryFactory(name="Steel")

    first = filter_form_of(as_director.get(LIST_URL))
    again = filter_form_of(as_director.get(LIST_URL))
    with override_settings(DEBUG=True):  # drawn every time
        live = filter_form_of(as_director.get(LIST_URL))

    assert first == again == live
    assert len(drawings) == 2  # the first, and the one in development
    assert 'id="id_industry"' in first
    assert ">Steel</option>" in first


def test_each_value_chosen_is_drawn_selected(as_director, drawings):
    chosen = {
        status: filter_form_of(as_director.get(LIST_URL, {"status": status}))
        for status in ("active", "inactive", "active")
    }

    assert '<option value="active" selected>' in chosen["active"]
    assert '<option value="inactive" selected>' in chosen["inactive"]
    assert '<option value="" selected>Any</option>' in filter_form_of(as_director.get(LIST_URL))
    assert len(drawings) == 3  # active, inactive, none: active again was kept


def test_an_industry_added_or_renamed_shows_at_once(as_director, drawings):
    steel = IndustryFactory(name="Steel")
    filter_form_of(as_director.get(LIST_URL))

    IndustryFactory(name="Food")
    added = filter_form_of(as_director.get(LIST_URL))
    Industry.objects.filter(pk=steel.pk).update(name="Steel and iron")  # no signal, no version
    renamed = filter_form_of(as_director.get(LIST_URL))

    assert ">Food</option>" in added
    assert ">Steel and iron</option>" in renamed
    assert ">Steel</option>" not in renamed
    assert len(drawings) == 3


def test_a_manager_added_or_gone_shows_at_once_in_the_director_s_select(as_director, drawings):
    anna = ManagerFactory(first_name="Anna", last_name="Orlova")
    ClientFactory(responsible_manager=anna)  # so that she stays in the select once gone
    before = filter_form_of(as_director.get(LIST_URL))
    ManagerFactory(first_name="Boris", last_name="Petrov")
    added = filter_form_of(as_director.get(LIST_URL))
    anna.is_active = False
    anna.save()
    gone = filter_form_of(as_director.get(LIST_URL))

    assert "Anna Orlova" in before
    assert "Boris Petrov" not in before
    assert "Boris Petrov" in added
    assert gone.index('<optgroup label="No longer active">') < gone.index("Anna Orlova")


def test_every_page_of_the_list_has_the_same(as_director, drawings):
    ClientFactory.create_batch(51, status="active")
    first = as_director.get(LIST_URL, {"status": "active"})
    cursor = first.context["page"].next_cursor
    assert cursor
    second = as_director.get(LIST_URL, {"status": "active", "after": cursor})
    back = as_director.get(LIST_URL, {"status": "active", "before": second.context["page"].previous_cursor})

    assert filter_form_of(first) == filter_form_of(second) == filter_form_of(back)
    assert len(drawings) == 1


def test_a_search_is_drawn_once_and_its_text_written_in(as_director, drawings):
    first = filter_form_of(as_director.get(LIST_URL, {"q": "<b>Steel"}))
    second = filter_form_of(as_director.get(LIST_URL, {"q": 'Food "& drink"'}))
    with override_settings(DEBUG=True):  # drawn every time
        live = filter_form_of(as_director.get(LIST_URL, {"q": 'Food "& drink"'}))
    plain = filter_form_of(as_director.get(LIST_URL))

    assert 'value="&lt;b&gt;Steel"' in first
    assert second == live
    assert 'value="Food &quot;&amp; drink&quot;"' in second
    assert "kamXstandXin" not in first + second
    assert 'id="id_q"' in plain
    assert "value=" not in plain.split('id="id_q"')[0].rsplit("<input", 1)[1]
    assert len(drawings) == 3  # a search, the one in development, the list without one


def test_a_search_keeps_the_other_values_chosen(as_director, drawings):
    searched = filter_form_of(as_director.get(LIST_URL, {"q": "Steel", "status": "inactive"}))
    other = filter_form_of(as_director.get(LIST_URL, {"q": "Food", "status": "active"}))

    assert '<option value="inactive" selected>' in searched
    assert 'value="Steel"' in searched
    assert '<option value="active" selected>' in other
    assert 'value="Food"' in other
    assert len(drawings) == 2


def test_a_search_too_long_is_drawn_apart_marked_invalid(as_director, drawings):
    long = filter_form_of(as_director.get(LIST_URL, {"q": "x" * 201}))
    short = filter_form_of(as_director.get(LIST_URL, {"q": "Steel"}))

    assert 'aria-invalid="true"' in long
    assert f'value="{"x" * 201}"' in long
    assert "aria-invalid" not in short
    assert 'value="Steel"' in short
    assert len(drawings) == 2


def test_each_language_has_its_own(as_director, director, drawings):
    english = filter_form_of(as_director.get(LIST_URL))
    director.language = "ru"
    director.save()
    russian = filter_form_of(as_director.get(LIST_URL))

    assert ">Any</option>" in english
    assert ">Все</option>" in russian
    assert len(drawings) == 2


def test_drawing_it_again_reads_no_choice_twice(as_director, drawings):
    steel = IndustryFactory(name="Steel")
    as_director.get(LIST_URL)
    with CaptureQueriesContext(connection) as kept:
        as_director.get(LIST_URL)
    Industry.objects.filter(pk=steel.pk).update(name="Steel and iron")
    with CaptureQueriesContext(connection) as redrawn:
        as_director.get(LIST_URL)

    assert len(drawings) == 2
    assert len(redrawn) == len(kept)
