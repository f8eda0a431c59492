"""`{% navbar %}`: every page's navigation, drawn once with stand-ins for the user's own values,
writes what partials/navbar.html writes when rendered with the page's own context."""

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from kam import drawn
from kam.links import NAVBAR
from tests.factories import AdminFactory, DirectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def navigation(html: str) -> str:
    start = html.index('<nav class="navbar')
    return html[start : html.index("</nav>", start) + len("</nav>")]


def as_the_template_writes_it(response) -> str:
    """The page's navigation as partials/navbar.html writes it with the page's context."""
    base = next(i for i, t in enumerate(response.templates) if t.name == "base.html")
    return render_to_string(NAVBAR, response.context[base].flatten())


@pytest.fixture
def unread(monkeypatch):
    """The unread notifications the badge counts: more than it shows."""
    monkeypatch.setattr("segmentation.notifications.context_processors.unread_count", lambda user: 1234)


ROLES = {"manager": ManagerFactory, "director": DirectorFactory, "admin": AdminFactory}
PAGES = [
    "/clients/search/?q=%22%3Cb%3E%26+'x",  # the search, kept in the box
    "/segments/notifications/",  # the page the navigation marks
    "/clients/?q=%22%3E%3Cscript%3E&region=",  # the address, in the language form
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("path", PAGES)
def test_it_writes_what_the_template_writes(client, unread, role, language, path):
    user = ROLES[role](first_name='<b>Ann & "Co"', last_name="O'Neil", language=language)
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 200
    html = navigation(response.content.decode())
    assert html == navigation(as_the_template_writes_it(response))
    assert "&lt;b&gt;Ann &amp; &quot;Co&quot; O&#x27;Neil" in html
    assert '<span class="badge rounded-pill text-bg-danger">99+<span' in html


def test_without_unread_notifications_there_is_no_badge(client, manager):
    client.force_login(manager)

    response = client.get(reverse("accounts:client_list"))

    html = navigation(response.content.decode())
    assert html == navigation(as_the_template_writes_it(response))
    assert "rounded-pill" not in html


def test_a_visitor_sees_the_brand_alone(client):
    response = client.get(reverse("login"))

    html = navigation(response.content.decode())
    assert html == navigation(as_the_template_writes_it(response))
    assert "main-nav" not in html


def test_each_user_gets_their_own_values_in_the_one_drawing(client, unread):
    drawn._kept.clear()
    pages = []
    for name in ("Anna", "Boris"):
        client.force_login(ManagerFactory(first_name=name, last_name="Petrova"))
        pages.append(client.get(reverse("accounts:client_list")))

    first, second = (navigation(page.content.decode()) for page in pages)
    assert "Anna Petrova" in first
    assert "Boris" not in first
    assert "Boris Petrova" in second
    assert "Anna" not in second
    assert len([key for key in drawn._kept if key[0] == NAVBAR]) == 1  # drawn once for both
    tokens = [page.context["csrf_token"] for page in pages]
    assert f'value="{tokens[0]}"' in first
    assert f'value="{tokens[1]}"' in second


def test_without_a_csrf_token_it_renders_the_template(manager):
    """As `{% csrf_token %}` writes no field then, nor can a stand-in."""
    request = RequestFactory().get("/clients/")
    request.user = manager
    context = {"user": manager, "request": request, "csrf_token": "NOTPROVIDED", "nav": "clients"}

    html = Template("{% load kam_links %}{% navbar %}").render(Context(context))

    assert html == render_to_string(NAVBAR, context)
    assert "csrfmiddlewaretoken" not in html
