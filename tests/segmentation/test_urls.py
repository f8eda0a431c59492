"""What both lists across clients share: the login redirect, the methods they refuse, and the
navigation that shows the key candidates only to directors and admins."""

import pytest
from django.urls import reverse

from tests.segmentation.conftest import CANDIDATES_URL, TODO_URL


@pytest.mark.parametrize("url", [CANDIDATES_URL, TODO_URL])
def test_anonymous_is_sent_to_the_login_page(url, client):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", [CANDIDATES_URL, TODO_URL])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_lists_refuse_other_methods(url, method, as_director, policy):
    response = getattr(as_director, method)(url)

    assert response.status_code == 405


def test_navigation_shows_candidates_only_to_directors_and_admins(as_manager, director, signed_in, policy):
    manager_page = as_manager.get(TODO_URL).content.decode()
    director_page = signed_in(director).get(TODO_URL).content.decode()

    assert f'href="{CANDIDATES_URL}"' not in manager_page
    assert f'href="{TODO_URL}">Estimates to do</a>' in manager_page
    assert f'href="{CANDIDATES_URL}">Key clients and candidates</a>' in director_page
