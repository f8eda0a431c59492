"""`kam.drawn`: a part drawn once per key and language, each request's own values written in."""

import pytest
from django.test import override_settings
from django.utils import translation

from kam import drawn
from kam.drawn import stand_in

TEMPLATE = "partials/excel_button.html"  # any template: the context below is what it is drawn with


@pytest.fixture
def part(monkeypatch):
    """A part whose template writes its context's `text`, and how many times it was drawn."""
    drawings = []

    def render(name, context):
        drawings.append((name, translation.get_language()))
        return f"<p>{context['text']}</p>"

    monkeypatch.setattr(drawn, "render_to_string", render)
    drawn._kept.clear()

    def draw(key, own):
        return drawn.drawn(TEMPLATE, key, lambda: {"text": f"{stand_in('name')} & {stand_in('token')}"}, own)

    return draw, drawings


def test_drawn_once_per_key_and_language_with_each_requests_values(part):
    draw, drawings = part

    assert draw(("a",), {"name": "Anna", "token": "t1"}) == "<p>Anna & t1</p>"
    assert draw(("a",), {"name": "&lt;Boris&gt;", "token": "t2"}) == "<p>&lt;Boris&gt; & t2</p>"
    draw(("b",), {"name": "Anna", "token": "t1"})
    with translation.override("ru"):
        draw(("a",), {"name": "Anna", "token": "t1"})

    assert drawings == [(TEMPLATE, "en"), (TEMPLATE, "en"), (TEMPLATE, "ru")]  # a, b, a in Russian


def test_a_value_that_looks_like_a_stand_in_is_written_as_it_is(part):
    draw, _ = part

    html = draw(("a",), {"name": stand_in("token"), "token": "t1"})

    assert html == f"<p>{stand_in('token')} & t1</p>"


@override_settings(DEBUG=True)
def test_in_development_it_is_drawn_every_time(part):
    draw, drawings = part

    draw(("a",), {"name": "Anna", "token": "t1"})
    draw(("a",), {"name": "Anna", "token": "t1"})

    assert len(drawings) == 2


@pytest.mark.parametrize("name", ["", "Name", "na_me", "n4me"])
def test_a_stand_ins_name_is_lower_case_letters(name):
    with pytest.raises(ValueError, match="lower-case letters"):
        stand_in(name)


def test_a_fields_choices_are_read_once_for_it_and_anew_for_another_field(part):
    from django import forms

    reads = []

    def choices():
        reads.append(1)
        return [("a", "Apple"), ("b", "Banana")]

    class Pick(forms.Form):
        fruit = forms.ChoiceField(choices=choices)

    form = Pick({"fruit": "a"})
    first = drawn.drawn_form(TEMPLATE, (), [form["fruit"]], lambda: {"text": "x"})
    again = drawn.drawn_form(TEMPLATE, (), [form["fruit"]], lambda: {"text": "x"})
    other = Pick({"fruit": "a"})  # its own copy of the field
    drawn.drawn_form(TEMPLATE, (), [other["fruit"]], lambda: {"text": "x"})

    assert first == again == "<p>x</p>"
    assert len(reads) == 2
