"""One date format per language: every named format renders alike, and forms read what pages show."""

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from accounts.forms import DATE_INPUT

DAY = datetime.date(2026, 11, 30)
MOMENT = datetime.datetime(2026, 5, 3, 14, 5)  # naive: rendered as it is
NAMED = (
    '{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ day }}|'
    '{{ moment|date:"DATETIME_FORMAT" }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}'
)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "30 Nov 2026|30 Nov 2026|30 Nov 2026|3 May 2026, 14:05|3 May 2026, 14:05"),
        ("ru", "30.11.2026|30.11.2026|30.11.2026|03.05.2026 14:05|03.05.2026 14:05"),
    ],
)
def test_every_named_format_renders_the_language_s_one_format(language, shown):
    with translation.override(language):
        assert Template(NAMED).render(Context({"day": DAY, "moment": MOMENT})) == shown
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == shown.split("|")[0]


@pytest.mark.parametrize(("language", "typed"), [("en", "30 Nov 2026"), ("ru", "30.11.2026")])
def test_a_date_field_accepts_the_shown_format_and_iso(language, typed):
    with translation.override(language):
        assert forms.DateField().clean(typed) == DAY
        assert forms.DateField().clean("2026-11-30") == DAY


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_date_input_keeps_iso_for_the_browser(language):
    with translation.override(language):
        html = DATE_INPUT.render("on", DAY)
    assert html == '<input type="date" name="on" value="2026-11-30">'
