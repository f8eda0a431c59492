"""kam/crispy.py writes a form's fields as crispy's Bootstrap 5 template writes them."""

import re

import pytest
from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from crispy_forms.utils import render_crispy_form
from django import forms
from django.utils import translation

from kam import crispy
from kam.crispy import FIELD_TEMPLATE

CHOICES = [("a", "Alpha & <Omega>"), ("b", "Beta"), ("c", 'Gamma "quoted"')]
GROUPED = [("First", [("1", "One"), ("2", "Two")]), ("Second", [("3", "Three")])]


class EveryWidget(forms.Form):
    name = forms.CharField(label="Name", max_length=20, help_text="As on the <b>card</b>.")
    nickname = forms.CharField(label="Nickname", required=False)
    email = forms.EmailField(label="E-mail", required=False)
    count = forms.IntegerField(label="Count", min_value=0)
    share = forms.DecimalField(label="Share", max_digits=5, decimal_places=2, required=False)
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(label="Kind", choices=CHOICES)
    grouped = forms.ChoiceField(label="Grouped", choices=GROUPED, required=False)
    kinds = forms.MultipleChoiceField(label="Kinds", choices=CHOICES, required=False)
    agree = forms.BooleanField(label="I agree", help_text="Read it first.")
    optional_box = forms.BooleanField(label="Optional box", required=False)
    boxes = forms.MultipleChoiceField(label="Boxes", choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    grouped_boxes = forms.MultipleChoiceField(
        label="Grouped boxes", choices=GROUPED, widget=forms.CheckboxSelectMultiple, required=False
    )
    radio = forms.ChoiceField(label="Radio", choices=CHOICES, widget=forms.RadioSelect, help_text="Pick one.")
    styled = forms.CharField(label="Styled", required=False, widget=forms.TextInput(attrs={"class": "mono"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)

    def __init__(self, *args, layout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if layout is not None:
            self.helper.layout = layout


LAYOUT = Layout(
    Fieldset("Who", Row(Column("name", css_class="col-md-6"), Column("nickname", css_class="col-md-6"))),
    Field("email", wrapper_class="narrow"),
    AppendedText("share", "%"),
    "count",
    "day",
    "notes",
    "kind",
    "grouped",
    "kinds",
    "agree",
    "optional_box",
    "boxes",
    "grouped_boxes",
    "radio",
    "styled",
    "version",
    "unlabelled",
)

DATA = {
    "empty": {},
    "valid": {
        "name": "Anna & Co",
        "count": "3",
        "share": "12.5",
        "day": "2026-11-30",
        "notes": "Line <1>\nLine 2",
        "kind": "b",
        "grouped": "3",
        "kinds": ["a", "c"],
        "agree": "on",
        "boxes": ["b"],
        "grouped_boxes": ["1", "3"],
        "radio": "c",
        "styled": '"quoted"',
        "version": "7",
    },
    "invalid": {
        "name": "x" * 30,
        "count": "-1",
        "email": "not an e-mail",
        "share": "a lot",
        "kind": "z",
        "boxes": ["z"],
    },
}


def normalised(html):
    return re.sub(r"\s+", " ", str(html)).strip()


def rendered(form, field_template):
    form.helper.field_template = field_template
    return normalised(render_crispy_form(form))


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("layout", [None, LAYOUT], ids=["fields", "layout"])
@pytest.mark.parametrize("state", [None, *DATA], ids=["unbound", *DATA])
def test_the_fields_are_written_as_crispy_writes_them(state, layout, language):
    def form():
        data = None if state is None else DATA[state]
        return EveryWidget(data, layout=layout, initial={"kind": "c", "boxes": ["a"]})

    with translation.override(language):
        expected = rendered(form(), None)
        got = rendered(form(), FIELD_TEMPLATE)

    assert got == expected
    assert 'class="form-check-input' in got
    assert "asteriskField" in got


def test_a_horizontal_form_is_left_to_crispy():
    def form():
        horizontal = EveryWidget({})
        horizontal.helper.form_class = "form-horizontal"
        horizontal.helper.label_class = "col-3"
        horizontal.helper.field_class = "col-9"
        return horizontal

    got = rendered(form(), FIELD_TEMPLATE)

    assert got == rendered(form(), None)
    assert '<div class="col-9">' in got


def layout_of(kit):
    """A layout of every kind of object kam.crispy writes, from `kit` (crispy's layout module
    and bootstrap objects, or kam.crispy), and the cases it leaves to crispy."""
    return Layout(
        kit.Fieldset(
            "Who",
            kit.Row(kit.Column("name", css_class="col-md-6"), kit.Column("nickname")),
            kit.Row(kit.Column("email", css_class="pt-md-4 <b>", css_id="mail", data_x='a "b"')),
            css_class="border p-2",
            css_id="who",
        ),
        kit.Fieldset("", kit.AppendedText("share", "% & <more>"), "count"),
        kit.Fieldset("Data for {{ form.prefix|default:'<none>' }}", "day"),  # a legend with tags
        kit.Row("notes", Field("kind", wrapper_class="narrow"), css_id="row-1", css_class="g-2"),
        kit.AppendedText("grouped", "units", css_class="wide"),  # attributes: crispy's own
        kit.Column("kinds", "agree", "optional_box", "boxes", "grouped_boxes"),
        kit.Row(kit.Column(kit.AppendedText("radio", "!"), "styled")),
        "version",
        "unlabelled",
    )


class CrispyKit:
    Fieldset, Row, Column, AppendedText = Fieldset, Row, Column, AppendedText


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("state", [None, *DATA], ids=["unbound", *DATA])
def test_the_layout_is_written_as_crispy_writes_it(state, language):
    def form(kit, field_template):
        data = None if state is None else DATA[state]
        made = EveryWidget(data, layout=layout_of(kit), initial={"kind": "c", "boxes": ["a"]})
        return rendered(made, field_template)

    with translation.override(language):
        expected = form(CrispyKit, None)
        got = form(crispy, FIELD_TEMPLATE)

    assert got == expected
    assert "<legend>Data for <none></legend>" in got  # crispy's template, with the page's context
    assert '<span class="input-group-text">% &amp; &lt;more&gt;</span>' in got
    assert 'class="col-md pt-md-4 &lt;b&gt;" data-x="a &quot;b&quot;"' in got


def test_the_layout_counts_each_field_once():
    """A field named twice is written twice, as crispy does (with its warning), and a field the
    layout leaves out is written after it, once."""

    def form(kit, field_template):
        made = EveryWidget(layout=Layout(kit.Row("name", "name"), kit.AppendedText("share", "%")))
        made.helper.render_unmentioned_fields = True
        return rendered(made, field_template)

    got = form(crispy, FIELD_TEMPLATE)

    assert got == form(CrispyKit, None)
    assert got.count('id="div_id_name"') == 2
    assert got.count('id="div_id_count"') == 1


class Choosing(forms.Form):
    """A form whose choices are read for each form, as a select of users is."""

    who = forms.ChoiceField(label="Who", choices=[])
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, people=(("1", "Anna"), ("2", "Oleg")), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = list(people)
        self.helper = crispy.form_helper()
        self.helper.disable_csrf = True


@pytest.fixture
def draws(monkeypatch):
    """How many times a kept form was drawn from its template."""
    from kam import drawn

    made = []
    render = drawn.render_to_string

    def counted(*args):
        made.append(args)
        return render(*args)

    monkeypatch.setattr(drawn, "render_to_string", counted)
    monkeypatch.setattr(drawn, "_kept", {})
    return made


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_kept_form_is_drawn_once_as_crispy_draws_it(draws, language):
    with translation.override(language):
        first = crispy.kept_crispy(Choosing(initial={"who": "2"}))
        again = crispy.kept_crispy(Choosing(initial={"who": "2"}))
        expected = render_crispy_form(Choosing(initial={"who": "2"}))

    assert first == again == expected
    assert '<option value="2" selected>Oleg</option>' in first
    assert len(draws) == 1


def test_a_kept_form_is_drawn_again_for_other_values_or_choices(draws):
    plain = crispy.kept_crispy(Choosing())
    chosen = crispy.kept_crispy(Choosing(initial={"who": "1", "note": "Call <back>"}))
    renamed = crispy.kept_crispy(Choosing(people=[("1", "Anna"), ("2", "Oleg Petrov")]))

    assert len(draws) == 3
    assert '<option value="1" selected>Anna</option>' in chosen
    assert "Call &lt;back&gt;</textarea>" in chosen
    assert "selected" not in plain
    assert '<option value="2">Oleg Petrov</option>' in renamed
    assert renamed == render_crispy_form(Choosing(people=[("1", "Anna"), ("2", "Oleg Petrov")]))


def test_a_bound_form_is_drawn_with_its_errors_every_time(draws):
    first = crispy.kept_crispy(Choosing({"who": "9"}))
    again = crispy.kept_crispy(Choosing({"who": "9"}))

    assert first == again == render_crispy_form(Choosing({"who": "9"}))
    assert "Select a valid choice." in first
    assert draws == []


def test_a_form_that_draws_its_own_form_tag_is_drawn_every_time(draws):
    form = Choosing()
    form.helper.form_tag = True

    assert crispy.kept_crispy(form) == render_crispy_form(form)
    assert "<form" in crispy.kept_crispy(form)
    assert draws == []
