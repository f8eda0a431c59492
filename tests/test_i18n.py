"""kam/i18n.py: `{% translate %}` of a constant writes what Django's own tag writes, cheaper."""

import re
from pathlib import Path

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from kam.i18n import ConstantTranslation

OURS = engines["django"].engine
DJANGOS = Engine(libraries={"i18n": "django.templatetags.i18n"})

TEMPLATES = [
    '{% translate "My day" %}',
    "{% translate 'My day' %}",
    '{% trans "Notifications" %}',
    '{% translate "Share of a manager’s time, %" %}',  # one percent sign, doubled in the catalogue
    '{% translate "100%% sure" %}',
    "{% translate \"<b>not in the catalogue</b> & 'quoted'\" %}",  # a template's own text: not escaped
    '{% translate "" %}',
    '{% translate "May" context "month name" %}',
    '{% translate "My day" noop %}',
    '{% translate "My day" as label %}[{{ label }}]',
    '{% translate "My day"|upper %}',
    "{% translate message %}",
    "{% translate message|lower %}",
    '{% autoescape off %}{% translate "My day" %}{% endautoescape %}',
    "{% blocktranslate %}My day{% endblocktranslate %}",
]


@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_translation_is_what_djangos_tag_writes(source, language):
    context = {"message": "<i>Notifications</i>"}
    with translation.override(language):
        ours = OURS.from_string("{% load kam_i18n %}" + source).render(Context(context))
        djangos = DJANGOS.from_string("{% load i18n %}" + source).render(Context(context))

    assert ours == djangos


def test_a_constant_is_looked_up_in_the_active_language():
    template = OURS.from_string('{% load kam_i18n %}{% translate "My day" %}')
    percent = OURS.from_string('{% load kam_i18n %}{% translate "Share of a manager’s time, %" %}')
    with translation.override("ru"):
        assert template.render(Context({})) == "Мой день"
        assert percent.render(Context({})) == "Доля времени менеджера, %"
    with translation.override("en"):
        assert template.render(Context({})) == "My day"
        assert percent.render(Context({})) == "Share of a manager’s time, %"
    with translation.override("ru"):  # as kept for the language
        assert template.render(Context({})) == "Мой день"
    with translation.override(None):
        assert template.render(Context({})) == "My day"


def test_only_a_plain_constant_takes_the_cheap_node():
    def nodes(source):
        return [type(node) for node in OURS.from_string("{% load kam_i18n %}" + source).nodelist[1:]]

    assert nodes('{% translate "My day" %}') == [ConstantTranslation]
    assert ConstantTranslation not in nodes('{% translate "My day" as label %}')
    assert ConstantTranslation not in nodes('{% translate "May" context "month name" %}')
    assert ConstantTranslation not in nodes('{% translate "My day" noop %}')
    assert ConstantTranslation not in nodes('{% translate "My day"|upper %}')
    assert ConstantTranslation not in nodes("{% translate message %}")


def test_the_projects_templates_load_the_cheaper_library():
    """A template that loads Django's "i18n" still works, only slower: they load "kam_i18n"."""
    root = Path(__file__).resolve().parent.parent / "templates"
    loads = re.compile(r"\{% load ([^%]*)%\}")
    plain = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        for names in loads.findall(path.read_text())
        if "i18n" in names.split()
    ]
    assert plain == []
    assert any("kam_i18n" in path.read_text() for path in root.rglob("*.html"))
