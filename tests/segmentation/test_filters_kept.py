"""The candidates' and the estimates to-do's filter forms, kept drawn by what their fields show
(`kam.drawn.kept_filters`): a value chosen or a manager added shows at once."""

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, ManagerFactory
from tests.helpers import count_drawings, filter_form_of
from tests.segmentation.conftest import TODO_URL

CANDIDATES_URL = reverse("segmentation:candidates")


@pytest.fixture
def drawings(monkeypatch):
    return count_drawings(monkeypatch)


@pytest.mark.parametrize("url", [CANDIDATES_URL, TODO_URL])
def test_a_manager_chosen_or_added_shows_at_once(url, as_director, manager, policy, drawings):
    ClientFactory(responsible_manager=manager)
    first = filter_form_of(as_director.get(url))
    again = filter_form_of(as_director.get(url))
    chosen = filter_form_of(as_director.get(url, {"manager": manager.pk}))
    ManagerFactory(first_name="Boris", last_name="Petrov")
    added = filter_form_of(as_director.get(url))

    assert first == again
    assert f'<option value="{manager.pk}" selected>' in chosen
    assert f'<option value="{manager.pk}">' in first
    assert "Boris Petrov" in added
    assert "Boris Petrov" not in first
    assert len(drawings) == 3  # first, chosen, added


def test_the_to_do_s_state_chosen_is_drawn_selected(as_manager, policy, drawings):
    plain = filter_form_of(as_manager.get(TODO_URL))
    stale = filter_form_of(as_manager.get(TODO_URL, {"state": "stale"}))

    assert '<option value="stale" selected>' in stale
    assert '<option value="stale">' in plain
    assert 'id="id_manager"' not in plain  # a manager's list is their own
    assert len(drawings) == 2
