"""Small helpers shared by view tests."""

from typing import Any

import psycopg2
from django.contrib.messages import get_messages
from django.db import connection


def messages_of(response: Any) -> list[str]:
    """The texts of the messages a response left for the next page, in order."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def second_session() -> Any:
    """Another PostgreSQL connection to the test database, as a concurrent request or run
    would hold one (the caller closes it)."""
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )


def filter_form_of(response: Any) -> str:
    """A list page's filter form, as drawn."""
    html = response.content.decode()
    start = html.index('<form class="row g-2')
    return html[start : html.index("</form>", start) + len("</form>")]


def count_drawings(monkeypatch: Any, *modules: Any) -> list[str]:
    """The filter forms (`*_filters.html`) drawn from now on through the `render_to_string` of
    `kam.drawn` and of `modules`, by template name; nothing kept drawn before counts."""
    from kam import drawn

    drawn._kept.clear()
    seen: list[str] = []
    render = drawn.render_to_string

    def counted(name: str, context: Any) -> str:
        if name.endswith("_filters.html"):
            seen.append(name)
        return render(name, context)

    for module in (drawn, *modules):
        monkeypatch.setattr(module, "render_to_string", counted)
    return seen
