"""The widgets and cells rendered in Python write exactly what Django's templates and filters write."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.template import Context, Engine, Template, engines
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kam import cells
from kam import dates as kam_dates
from kam.cells import short_datetime, tenths, tenths_or_whole, text, whole
from kam.renderer import IN_PYTHON, WidgetRenderer

CHOICES = [
    ("", "---------"),
    ("a", 'Alpha & "Omega"'),
    (gettext_lazy("Regions"), [("77", "Москва <город>"), ("54", gettext_lazy("Novosibirsk"))]),
    (3, 3000),
]

WIDGETS = [
    ("text", forms.TextInput(attrs={"class": "form-control", "maxlength": 20}), 'He said "<hi>" & left'),
    ("empty text", forms.TextInput(attrs={"required": True, "disabled": False}), None),
    ("safe value", forms.TextInput(), mark_safe("<b>bold</b>")),
    ("number", forms.NumberInput(attrs={"step": "0.01"}), Decimal("1234.50")),
    ("email", forms.EmailInput(), "a@b.ru"),
    ("hidden", forms.HiddenInput(), 42),
    ("password", forms.PasswordInput(render_value=True), "s3cr<t"),
    ("date", forms.DateInput(), datetime.date(2026, 11, 30)),
    ("search", forms.TextInput(attrs={"type": "search", "placeholder": "Найти «клиента»"}), ""),
    ("checked box", forms.CheckboxInput(attrs={"class": "form-check-input"}), True),
    ("unchecked box", forms.CheckboxInput(), False),
    ("select", forms.Select(choices=CHOICES, attrs={"class": "form-select"}), "54"),
    ("select nothing chosen", forms.Select(choices=CHOICES), None),
    ("select by number", forms.Select(choices=CHOICES), 3),
    ("select multiple", forms.SelectMultiple(choices=CHOICES), ["a", "77"]),
    ("textarea", forms.Textarea(attrs={"rows": 3}), "Line <1>\nLine & 2"),
    ("empty textarea", forms.Textarea(), ""),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("label", "widget", "value"), WIDGETS, ids=[w[0] for w in WIDGETS])
def test_a_widget_renders_as_its_template_does(label, widget, value, language):
    with translation.override(language):
        expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=TemplatesSetting())
        rendered = widget.render("field", value, attrs={"id": "id_field"}, renderer=WidgetRenderer())

    assert rendered == expected


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("wrap_label", [False, True])
@pytest.mark.parametrize("kind", [forms.CheckboxSelectMultiple, forms.RadioSelect])
def test_a_box_of_a_multiple_choice_renders_as_its_template_does(kind, wrap_label, language):
    class PickForm(forms.Form):
        field = forms.MultipleChoiceField(
            choices=CHOICES[:2] + CHOICES[3:], widget=kind(attrs={"class": "x"})
        )

    bound: dict[str, Any] = {"field": ["a"] if kind is forms.CheckboxSelectMultiple else "a"}
    with translation.override(language):
        expected = [
            box.tag(wrap_label=wrap_label) for box in PickForm(bound, renderer=TemplatesSetting())["field"]
        ]
        rendered = [
            box.tag(wrap_label=wrap_label) for box in PickForm(bound, renderer=WidgetRenderer())["field"]
        ]

    assert rendered == expected
    assert len(rendered) == 3


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("value", ["54", "", 3])
def test_an_option_of_a_select_renders_as_its_template_does(value, language):
    """A template that writes its own <select> renders each option's tag."""

    class PickForm(forms.Form):
        field = forms.ChoiceField(choices=CHOICES, required=False)

    with translation.override(language):
        expected = [
            option.tag() for option in PickForm({"field": value}, renderer=TemplatesSetting())["field"]
        ]
        rendered = [option.tag() for option in PickForm({"field": value}, renderer=WidgetRenderer())["field"]]

    assert rendered == expected
    assert len(rendered) == 5
    assert sum(" selected>" in option for option in rendered) == (0 if value is None else 1)


def test_the_widgets_in_python_are_the_ones_tested():
    tested = {widget.template_name for _label, widget, _value in WIDGETS}
    assert tested <= set(IN_PYTHON)
    assert {name.rsplit("/", 1)[1] for name in tested} >= {
        "text.html",
        "number.html",
        "email.html",
        "hidden.html",
        "password.html",
        "date.html",
        "checkbox.html",
        "select.html",
        "textarea.html",
    }


def test_a_widget_without_a_python_twin_renders_from_its_template():
    widget = forms.RadioSelect(choices=[("x", "X <1>")])

    rendered = widget.render("field", "x", renderer=WidgetRenderer())

    assert rendered == widget.render("field", "x", renderer=TemplatesSetting())
    assert 'value="x"' in rendered
    assert "X &lt;1&gt;" in rendered


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "value",
    [
        Decimal(0),
        Decimal("0.5"),
        Decimal("-0.5"),
        Decimal("999.49"),
        Decimal("1234.5"),
        Decimal("-1234567.5"),
        10**12,
    ],
)
def test_a_whole_figure_is_written_as_floatformat_writes_it(value, language, settings):
    with translation.override(language):
        assert whole(value) == floatformat(value, "0g")
        assert whole(value, force_grouping=False) == floatformat(value, "0")
        settings.USE_THOUSAND_SEPARATOR = False
        assert whole(value) == floatformat(value, "0g")
        assert whole(value, force_grouping=False) == floatformat(value, "0")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("grouping", [True, False])
@pytest.mark.parametrize(
    "value",
    [
        0,
        0.0,
        -0.04,
        -0.05,
        0.05,
        0.15,
        1.25,
        2.0,
        7,
        -999.96,
        999.95,
        1234.56,
        -1234567.25,
        10**9 + 0.5,
        Decimal("0.45"),
        Decimal("-12.35"),
        Decimal("1000.0"),
        1 / 3,
    ],
)
def test_a_figure_in_tenths_is_written_as_floatformat_writes_it(value, grouping, language, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping
    with translation.override(language):
        assert tenths(value) == floatformat(value, 1)
        assert tenths(value, force_grouping=True) == floatformat(value, "1g")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("grouping", [True, False])
@pytest.mark.parametrize(
    "value",
    [
        Decimal(0),
        Decimal("2.00"),
        Decimal("2.04"),
        Decimal("2.05"),
        Decimal("-2.05"),
        Decimal("999.96"),
        Decimal("1234"),
        Decimal("1234.5"),
        Decimal("1234567.25"),
        Decimal(10) / 3,
        7,
        -1000,
    ],
)
def test_a_figure_in_tenths_or_whole_is_written_as_floatformat_writes_it(value, grouping, language, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping
    with translation.override(language):
        assert tenths_or_whole(value) == floatformat(value, "-1g")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("value", [0, 7, -999, 999, 1000, -1000, 1234567, True, 2.5, Decimal("1.5"), "a<b"])
def test_a_value_is_written_as_the_template_writes_it(value, language):
    with translation.override(language):
        assert text(value) == Template("{{ value }}").render(Context({"value": value}))


DECIMALS = [
    "0",
    "-0",
    "0.00",
    "-0.00",
    "0.5",
    "-0.05",
    "7",
    "12.50",
    "999.999",
    "1000",
    "-1000.1",
    "1234567.891",
    "1E+3",
    "1.5E+7",
    "1E-7",
    "-2.5E-3",
    "1E+250",
    "1E-250",
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("grouping", [True, False])
@pytest.mark.parametrize("value", [Decimal(d) for d in DECIMALS])
def test_a_decimal_is_written_as_the_template_writes_it(value, grouping, language, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping
    with translation.override(language):
        assert text(value) == Template("{{ value }}").render(Context({"value": value}))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_whole_number_is_written_as_the_template_writes_it(language, settings):
    numbers = [
        *range(-3000, 3000, 3),
        *(sign * 10**n + k for n in range(3, 19) for k in (-1, 0, 1) for sign in (1, -1)),
    ]
    template = Template("{% for n in numbers %}{{ n }}|{% endfor %}")
    with translation.override(language):
        assert "".join(f"{text(n)}|" for n in numbers) == template.render(Context({"numbers": numbers}))
        settings.USE_THOUSAND_SEPARATOR = False
        assert "".join(f"{text(n)}|" for n in numbers) == template.render(Context({"numbers": numbers}))


MOMENTS = [
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 4, 22, 5, 59, 999999, tzinfo=datetime.UTC),  # the next day in Moscow
    datetime.datetime(2026, 12, 31, 20, 59, tzinfo=datetime.UTC),
    datetime.datetime(1999, 9, 9, 9, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_moment_is_written_as_the_date_filter_writes_it(moment, language):
    template = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language):
        assert short_datetime(moment) == template.render(Context({"moment": moment}))


def test_a_moment_in_another_shape_of_format_is_left_to_django(monkeypatch):
    real = cells.formats.get_format
    shapes = {"SHORT_DATETIME_FORMAT": "H:i, j M Y", "SHORT_DATE_FORMAT": "j M Y"}
    monkeypatch.setattr(
        cells.formats, "get_format", lambda name, *args, **kw: shapes.get(name) or real(name, *args, **kw)
    )
    cells._time_after_date.cache_clear()
    try:
        with translation.override("en"):
            assert short_datetime(MOMENTS[1]) == "01:05, 5 Mar 2026"
    finally:
        cells._time_after_date.cache_clear()


DATED = [
    None,
    "",
    "not a date",
    datetime.date(2026, 3, 5),
    datetime.date(1999, 12, 31),
    *MOMENTS,
    datetime.datetime(2026, 3, 5, 1, 5),  # naive
    datetime.time(9, 5),
]
DATE_TEMPLATES = [
    '{{ v|date:"SHORT_DATE_FORMAT" }}',
    '{{ v|date:"SHORT_DATETIME_FORMAT" }}',
    '{{ v|date:"DATE_FORMAT" }}',
    '{{ v|date:"Y-m-d" }}',
    "{{ v|date }}",
    '{% load tz %}{% localtime off %}{{ v|date:"SHORT_DATETIME_FORMAT" }}{% endlocaltime %}',
]


def written(engine, source, value):
    """What the template writes of `value`, or the error it raises."""
    try:
        return engine.from_string(source).render(Context({"v": value}))
    except (TypeError, ValueError) as error:
        return repr(error)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("source", DATE_TEMPLATES)
@pytest.mark.parametrize("value", DATED)
def test_the_date_filter_writes_what_djangos_writes(value, source, language):
    """Every template has the project's `date` (kam.dates); an engine without that builtin
    renders with Django's."""
    ours = engines["django"].engine
    djangos = Engine(libraries={"tz": "django.templatetags.tz"})
    with translation.override(language):
        assert written(ours, source, value) == written(djangos, source, value)


def test_every_template_has_the_projects_date_filter():
    template = engines["django"].from_string('{{ v|date:"SHORT_DATE_FORMAT" }}').template
    assert template.nodelist[0].filter_expression.filters[0][0] is kam_dates.date
