"""The card's and the client list's extension points: what an app registers shows, in order."""

import django_filters
import pytest
from django.urls import reverse
from django.utils.html import format_html

from accounts import extensions
from accounts.extensions import CardPanel, CardTab, ListColumn, ListFilter
from tests.factories import ClientFactory


@pytest.fixture
def registry(monkeypatch):
    """Registrations made by a test vanish with it."""
    for name in ("_tabs", "_panels", "_columns", "_filters"):
        monkeypatch.setattr(extensions, name, dict(getattr(extensions, name)))


@pytest.fixture
def templates(settings, tmp_path):
    """A folder of templates of the test's own, searched first."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return tmp_path


def test_segmentation_and_plans_register_their_tabs_panels_columns_and_filters():
    assert [tab.name for tab in extensions.card_tabs()] == [
        "overview",
        "contacts",
        "points",
        "touches",
        "sales",
        "refusals",
        "potential",
        "plans",
        "questionnaires",
        "activities",
        "handover",
        "history",
    ]
    assert [panel.name for panel in extensions.card_panels()] == ["segments", "plans", "ladder"]
    assert [column.name for column in extensions.list_columns()] == [
        "inn",
        "industry",
        "head_office",
        "manager",
        "category",
        "tier",
        "key",
        "potential",
        "revenue",
        "wallet",
        "purchases",
        "d_route",
        "last_touch",
        "next_step",
        "status",
        "updated",
    ]
    assert [f.name for f in extensions.list_filters()] == [
        "category",
        "tier",
        "league",
        "size",
        "purchases",
        "key",
        "flag",
        "run",
        "moved",
        "rung",
    ]
    assert [source.name for source in extensions.history_sources()] == [
        "key_status",
        "tier_override",
        "estimates",
        "segment_changes",
        "d_route",
        "plans",
        "plan_steps",
        "surveys",
        "answers",
        "activities",
    ]


def test_a_registered_tab_shows_on_every_card_page_in_its_place(registry, as_manager, client_card):
    extensions.register_tab(CardTab("plans", "Plans", "accounts:client_history", 80))

    response = as_manager.get(reverse("accounts:client_points", args=[client_card.pk]))

    names = [tab.name for tab in response.context["card_tabs"]]
    assert names[-5:] == ["questionnaires", "activities", "plans", "handover", "history"]
    history = reverse("accounts:client_history", args=[client_card.pk])
    assert f'<a class="nav-link" href="{history}">Plans</a>' in response.content.decode()


def test_registering_a_name_again_replaces_the_entry(registry):
    extensions.register_tab(CardTab("plans", "Plans", "accounts:client_history", 80))
    extensions.register_tab(CardTab("plans", "Plans again", "accounts:client_history", 5))

    tabs = extensions.card_tabs()
    assert [(t.name, str(t.label)) for t in tabs if t.name == "plans"] == [("plans", "Plans again")]
    assert tabs[0].name == "plans"


def test_a_registered_panel_shows_on_the_overview_with_its_context(
    registry, templates, as_manager, client_card
):
    (templates / "panel.html").write_text('<div id="test-panel">{{ greeting }} {{ client.name }}</div>')
    extensions.register_panel(
        CardPanel("test", "panel.html", lambda request, client: {"greeting": f"Hello {request.user}"}, 20)
    )

    response = as_manager.get(reverse("accounts:client_detail", args=[client_card.pk]))

    content = response.content.decode()
    assert '<div id="test-panel">Hello Anna Smirnova Siberian Steel</div>' in content
    assert content.index('id="segment-panel"') < content.index('id="test-panel"')


def test_a_registered_column_and_filter_show_on_the_client_list(registry, as_manager, manager):
    extensions.register_column(
        ListColumn("inn_again", "INN again", lambda client: format_html("<i>{}</i>", client.inn), 50)
    )
    extensions.register_filter(
        ListFilter(
            "inn_prefix",
            lambda: django_filters.CharFilter(
                label="INN starts with", field_name="inn", lookup_expr="startswith"
            ),
            70,
        )
    )
    ClientFactory(name="Alpha", inn="7701234567", responsible_manager=manager)
    ClientFactory(name="Beta", inn="5401234567", responsible_manager=manager)

    everyone = as_manager.get(reverse("accounts:client_list"))
    filtered = as_manager.get(reverse("accounts:client_list"), {"inn_prefix": "54"})

    content = everyone.content.decode()
    assert "<th>INN again</th>" in content
    assert "<td><i>7701234567</i></td>" in content
    assert 'for="id_inn_prefix">INN starts with</label>' in content
    assert [c.name for c in filtered.context["page"].rows] == ["Beta"]
