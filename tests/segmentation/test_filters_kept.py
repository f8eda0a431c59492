"""The candidates' and the estimates to-do's filter forms, kept drawn by what their fields show
(`kam.drawn.kept_filters`): a value chosen or a manager added shows at once."""

import pytest
from django.urls import reverse

from kam import drawn
from tests.factories import ClientFactory, ManagerFactory
from tests.segmentation.conftest import TODO_URL

CANDIDATES_URL = reverse("segmentation:candidates")


def form_of(response) -> str:
    html = response.content.decode()
    start = html.index('<form class="row g-2')
    return html[start : html.index("</form>", start) + len("</form>")]


@pytest.fixture
def drawings(monkeypatch):
    drawn._kept.clear()
    seen = []
    render = drawn.render_to_string

    def counted(name, context):
        if name.endswith("_filters.html"):
            seen.append(name)
        return render(name, context)

    monkeypatch.setattr(drawn, "render_to_string", counted)
    return seen


@pytest.mark.parametrize("url", [CANDIDATES_URL, TODO_URL])
def test_a_manager_chosen_or_added_shows_at_once(url, as_director, manager, policy, drawings):
    ClientFactory(responsible_manager=manager)
    first = form_of(as_director.get(url))
    again = form_of(as_director.get(url))
    chosen = form_of(as_director.get(url, {"manager": manager.pk}))
    ManagerFactory(first_name="Boris", last_name="Petrov")
    added = form_of(as_director.get(url))

    assert first == again
    assert f'<option value="{manager.pk}" selected>' in chosen
    assert f'<option value="{manager.pk}">' in first
    assert "Boris Petrov" in added
    assert "Boris Petrov" not in first
    assert len(drawings) == 3  # first, chosen, added


def test_the_to_do_s_state_chosen_is_drawn_selected(as_manager, policy, drawings):
    plain = form_of(as_manager.get(TODO_URL))
    stale = form_of(as_manager.get(TODO_URL, {"state": "stale"}))

    assert '<option value="stale" selected>' in stale
    assert '<option value="stale">' in plain
    assert 'id="id_manager"' not in plain  # a manager's list is their own
    assert len(drawings) == 2
