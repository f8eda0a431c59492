"""The client list's column picker, drawn once per choice of columns (`kam.drawn`): it writes
what its template writes, with the user's columns ticked, their token and the list's address."""

import re

import pytest
from django.template.loader import render_to_string

from accounts.forms import ListColumnsForm
from accounts.models import ClientListColumns
from accounts.views.clients import COLUMNS_PICKER
from kam import drawn

pytestmark = pytest.mark.django_db

PATH = "/clients/?q=%22%3Cb%3E%26x&tier=gold"


def picker(html: str) -> str:
    start = html.index('<form method="post" action="/clients/columns/"')
    return html[start : html.index("</form>", start) + len("</form>")]


def as_the_template_writes_it(html: str, shown: list[str], path: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', picker(html))
    assert token is not None
    form = ListColumnsForm(initial={"columns": shown, "next": path})
    return render_to_string(COLUMNS_PICKER, {"columns_form": form, "csrf_token": token.group(1)}).lstrip()


def ticked(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="columns" value="([a-z_]+)"[^>]* checked>', picker(html))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_it_writes_what_the_template_writes(as_manager, manager, language):
    manager.language = language
    manager.save()
    ClientListColumns.objects.create(user=manager, columns=["inn", "tier"])

    html = as_manager.get(PATH).content.decode()

    assert picker(html) == as_the_template_writes_it(html, ["inn", "tier"], PATH)
    assert ticked(html) == ["inn", "tier"]
    assert 'name="next" value="/clients/?q=%22%3Cb%3E%26x&amp;tier=gold"' in picker(html)


def test_each_choice_of_columns_is_drawn_once(client, manager, director):
    drawn._kept.clear()
    ClientListColumns.objects.create(user=director, columns=["status"])
    pages = {}
    for user in (manager, director, manager):
        client.force_login(user)
        pages[user.username] = client.get("/clients/").content.decode()

    assert ticked(pages["director"]) == ["status"]
    assert "status" not in ticked(pages["manager"])
    assert "manager" in ticked(pages["manager"])
    assert len([key for key in drawn._kept if key[0] == COLUMNS_PICKER]) == 2
