"""The board's managers kept drawn (`kam.fragments`) by everything they show: drawn once for the
same loads, people, policy, order and language; drawn again the moment any of them changes,
whichever way it was written."""

import re

import pytest

from accounts.models import Client
from kam.users.models import User
from segmentation.models import ClientSegment, Policy, SizeClass
from segmentation.workload import board
from tests.factories import ClientFactory, ManagerFactory
from tests.segmentation.workload.test_board import BOARD_URL, portfolio, row_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """The orders the board was drawn in."""
    calls = []
    draw = board.board

    def counted(policy, *, sort=board.BY_LOAD, of=None):
        calls.append(sort)
        return draw(policy, sort=sort, of=of)

    monkeypatch.setattr(board, "board", counted)
    return calls


@pytest.fixture
def anna(db):
    Policy.current()  # as it is read, not as the first read creates it
    anna = ManagerFactory(username="anna", first_name="Anna", last_name="Antonova")
    portfolio(anna, small=2, medium=1)
    return anna


def without_tokens(html):
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', r"\1", html)


def test_the_second_view_shows_the_kept_managers(as_director, anna, drawn):
    first = as_director.get(BOARD_URL).content.decode()
    second = as_director.get(BOARD_URL).content.decode()

    assert drawn == ["load"]
    assert without_tokens(second) == without_tokens(first)
    assert 'data-size="small">2 / 100</td>' in row_html(second, anna)


def test_a_client_given_to_a_manager_by_update_shows_at_once(as_director, anna, drawn):
    as_director.get(BOARD_URL)
    client = ClientFactory(responsible_manager=None)
    ClientSegment.objects.create(client=client, size_class=SizeClass.SMALL)
    Client.objects.filter(pk=client.pk).update(responsible_manager=anna)

    html = as_director.get(BOARD_URL).content.decode()

    assert drawn == ["load", "load"]
    assert 'data-size="small">3 / 100</td>' in row_html(html, anna)


def test_a_renamed_manager_shows_at_once(as_director, anna, drawn):
    as_director.get(BOARD_URL)
    User.objects.filter(pk=anna.pk).update(first_name="Anya")

    html = as_director.get(BOARD_URL).content.decode()

    assert drawn == ["load", "load"]
    assert ">Anya Antonova</a>" in row_html(html, anna)


def test_a_manager_who_left_moves_at_once(as_director, anna, drawn):
    as_director.get(BOARD_URL)
    User.objects.filter(pk=anna.pk).update(is_active=False)

    html = as_director.get(BOARD_URL).content.decode()

    assert drawn == ["load", "load"]
    departed = html[html.index('id="workload-departed-table"') :]
    assert f'<tr data-manager="{anna.pk}">' in departed
    assert html.index(f'<tr data-manager="{anna.pk}">') > html.index('id="workload-departed-table"')


def test_another_policy_shows_at_once(as_director, anna, drawn):
    as_director.get(BOARD_URL)
    Policy.objects.update(capacity_small=1)  # no save(): written past the form

    html = as_director.get(BOARD_URL).content.decode()

    assert drawn == ["load", "load"]
    assert "a full load is 1 small" in html
    assert "Over capacity: 203% of a full load." in row_html(html, anna)  # 2/1 + 1/40


def test_each_order_and_language_has_its_own(as_director, director, anna, drawn):
    as_director.get(BOARD_URL)
    as_director.get(f"{BOARD_URL}?sort=name")
    as_director.get(f"{BOARD_URL}?sort=name")
    director.language = "ru"
    director.save(update_fields=["language"])
    russian = as_director.get(f"{BOARD_URL}?sort=name").content.decode()

    assert drawn == ["load", "name", "name"]
    assert 'lang="ru"' in russian
    assert "Менеджеры" in russian
