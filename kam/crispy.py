"""Crispy forms' Bootstrap 5 field and layout, written in Python for the cases the project's
forms use.

Crispy renders each field through `bootstrap5/field.html`: a template of some sixty tags, three
includes and, for a list of boxes, a loop with an include per box, over a flattened copy of the
whole page's context. A form of forty fields spent three quarters of its page's time there. The
project's forms name `kam/crispy_field.html` as their field template (`CrispyMixin`), which
calls `field_html`; a case it does not write (a horizontal form, a file, an inline list of
boxes, a field without its label...) falls back to crispy's own template, so nothing changes
but the time. tests/test_crispy.py holds both to the same markup, whitespace aside.

The layout objects the forms use (`Row`, `Column`, `Fieldset`, `AppendedText`) are crispy's,
written the same way: crispy renders each one through a template of its own, a fieldset over a
flattened copy of the page's context and its legend through a template compiled on every render,
and an appended text through crispy's whole field template. The policy form's forty fields in
eight fieldsets spent half of its page's time there. Here, the fields they hold are written by
`bootstrap_field` without a template in between; what these do not write (another template
pack or template, a legend with template tags, a horizontal form) is crispy's as before.
"""

from html import escape
from typing import Any, cast

from crispy_forms import bootstrap, layout
from crispy_forms.helper import FormHelper
from crispy_forms.utils import TEMPLATE_PACK, render_crispy_form, render_field
from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from kam.drawn import drawn_form
from kam.fragments import cached

CRISPY_TEMPLATE = "bootstrap5/field.html"
FIELD_TEMPLATE = "kam/crispy_field.html"  # what a form's helper names as its field template

register = template.Library()  # settings.TEMPLATES' library "kam_crispy"


def form_helper() -> FormHelper:
    """A form's crispy helper: the fields only (templates own the <form> tag and the buttons),
    each written by `bootstrap_field`."""
    helper = FormHelper()
    helper.form_tag = False
    helper.field_template = FIELD_TEMPLATE
    return helper


def kept_fields(form: forms.BaseForm, *parts: object) -> SafeString:
    """The form's fields as `{% crispy form %}` draws them. A bound form's (the values sent and
    their errors) are drawn each time; an unbound one's are kept (`kam.fragments`) by what they
    show: the form's class, its initial values, `parts` (what its choices were read from) and the
    language. Their labels and help texts are the code's, so only a release changes them."""
    if form.is_bound:
        return SafeString(render_crispy_form(form))
    name = f"form:{type(form).__module__}.{type(form).__qualname__}"
    initial = sorted(form.initial.items())
    return cached(name, initial, *parts, render=lambda: render_crispy_form(form))


CRISPY_FORM = "kam/crispy_form.html"  # {% crispy form %}, for `kept_crispy` to draw


@register.simple_tag
def kept_crispy(form: forms.BaseForm) -> SafeString:
    """{% kept_crispy form %}: what `{% crispy form %}` draws. An unbound form is drawn once per
    process by what its fields show (`kam.drawn.drawn_form`: each one's value, and its choices
    read for this request), a bound one (the values sent and their errors) every time: for a
    form whose choices come from the database, where `kept_fields` would need their version.
    Its fields must differ between requests by their values and choices alone (not by labels or
    attributes set for one request), and its helper must leave the <form> tag to the template:
    a form tag's CSRF token is the request's own (such a form is drawn every time)."""
    helper = getattr(form, "helper", None)
    if form.is_bound or helper is None or helper.form_tag:
        return SafeString(render_crispy_form(form))
    key = (type(form), form.prefix, form.auto_id)
    return drawn_form(CRISPY_FORM, key, form, lambda: {"form": form})


@register.simple_tag(takes_context=True)
def bootstrap_field(context: template.Context) -> SafeString:
    """The field of `context` (what crispy passes its field template) as crispy writes it."""
    html = field_html(context)
    if html is None:
        return SafeString(get_template(CRISPY_TEMPLATE).render(cast(dict[str, Any], context.flatten())))
    return SafeString(html)


def _written_here(context: Any, field: BoundField) -> bool:
    widget = field.field.widget
    return not (
        context.get("label_class")
        or context.get("field_class")
        or "form-horizontal" in (context.get("form_class") or "")
        or context.get("tag")
        or context.get("inline_class")
        or context.get("flat_attrs")
        or context.get("help_text_inline")
        or not context.get("form_show_labels", True)
        or isinstance(widget, (forms.FileInput, forms.MultiWidget))
        or hasattr(widget, "widget")  # a wrapper of another widget
    )


def field_html(context: Any) -> str | None:
    """`bootstrap5/field.html` for a field in a vertical form with labels, or None."""
    field = context["field"]
    if field.is_hidden:
        return str(field)
    if not _written_here(context, field):
        return None
    widget = field.field.widget
    checkbox = isinstance(widget, forms.CheckboxInput)
    boxes = isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))
    required = field.field.required
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    wrapper = "".join(f" {value}" for value in (context.get("wrapper_class"), field.css_classes()) if value)
    div_class = ("form-check" if checkbox else "mb-3") + wrapper
    parts = [f'<div id="div_{conditional_escape(field.auto_id)}" class="{conditional_escape(div_class)}">']
    if field.label and not checkbox:
        parts.append(_label(field, asterisk))
    if boxes:
        parts.append(_boxes(context, field))
    elif checkbox:
        invalid = " is-invalid" if field.errors else ""
        parts.append(_widget(field, f"form-check-input{invalid}"))
        parts.append(
            f' <label for="{conditional_escape(field.id_for_label)}" class="form-check-label'
            f'{" requiredField" if required else ""}"> {conditional_escape(field.label)}{asterisk} </label> '
        )
        parts.append(_help_and_errors(context, field))
    else:
        invalid = " is-invalid" if field.errors else ""
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        parts.append(_widget(field, css + invalid))
        parts.append(_help_and_errors(context, field))
    if field.use_fieldset and field.label:
        parts.append("</fieldset>")
    parts.append("</div>")
    html = " ".join(parts)
    return f'<div class="mb-3"> {html} </div>' if checkbox else html


def _label(field: BoundField, asterisk: str) -> str:
    fieldset = field.use_fieldset
    tag = "legend" if fieldset else "label"
    opening = ""
    if fieldset:
        described = field.aria_describedby
        opening = (
            "<fieldset" + (f' aria-describedby="{conditional_escape(described)}"' if described else "") + ">"
        )
    target = f'for="{conditional_escape(field.id_for_label)}" ' if field.id_for_label else ""
    classes = (
        "form-label" + (" requiredField" if field.field.required else "") + (" fs-6" if fieldset else "")
    )
    return f'{opening} <{tag} {target}class="{classes}"> {conditional_escape(field.label)}{asterisk} </{tag}>'


def _widget(field: BoundField, css: str) -> str:
    """crispy's `{% crispy_field field 'class' css %}`: the widget's own class name, then `css`,
    added to the widget's classes (kept on the widget, as crispy keeps them), then the widget."""
    widget = field.field.widget
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    classes = widget.attrs.get("class", "")
    if not classes:
        classes = class_name
    elif classes.find(class_name) == -1:
        classes += f" {class_name}"
    for word in css.split():
        if word not in classes.split():
            classes += f" {word}"
    widget.attrs["class"] = classes
    return str(field)


def _help(field: BoundField) -> str:
    if not field.help_text:
        return ""
    target = f'id="{field.auto_id}_helptext" ' if field.auto_id else ""
    return f'<div {target}class="form-text">{field.help_text}</div>'


def _errors(context: Any, field: BoundField, tag: str) -> str:
    if not (context.get("form_show_errors", True) and field.errors):
        return ""
    errors = "".join(
        f'<{tag} id="error_{n}_{field.auto_id}"><strong>{conditional_escape(str(error))}</strong></{tag}>'
        for n, error in enumerate(field.errors, start=1)
    )
    field_id = conditional_escape(getattr(field.errors, "field_id", ""))
    return f'<div id="{field_id}_error" class="invalid-feedback"> {errors} </div>'


def _help_and_errors(context: Any, field: BoundField) -> str:
    """bootstrap5/layout/help_text_and_errors.html (help text below the field)."""
    tag = "span" if context.get("error_text_inline", True) else "p"
    return f"{_errors(context, field, tag)} {_help(field)}"


def _boxes(context: Any, field: BoundField) -> str:
    """bootstrap5/layout/radio_checkbox_select.html, one box under another."""
    invalid = " is-invalid" if field.errors else ""
    groups = _optgroups(field)
    parts = ["<div >"]
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        if group:
            parts.append(f"<strong>{conditional_escape(group)}</strong>")
        for number, option in enumerate(options, start=1):
            attrs = "".join(
                f" {escape(str(name))}" + ("" if value is True else f'="{conditional_escape(str(value))}"')
                for name, value in option["attrs"].items()
                if value is not False
            )
            last = number == len(options) and group_number == len(groups)
            errors = _errors(context, field, "p") if field.errors and last else ""
            value, label = conditional_escape(str(option["value"])), conditional_escape(str(option["label"]))
            parts.append(
                f'<div class="form-check"> <input type="{escape(option["type"])}"'
                f' class="form-check-input{invalid}" name="{field.html_name}" value="{value}"{attrs}>'
                f' <label for="{conditional_escape(option["attrs"].get("id", ""))}" class="form-check-label">'
                f" {label} </label> {errors} </div>"
            )
    parts.append("</div>")
    parts.append(_help(field))
    return " ".join(parts)


def _optgroups(field: BoundField) -> list[tuple[Any, list[dict[str, Any]], int]]:
    """crispy's `optgroups` filter."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    return widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)


# Layout


def _fields(holder: Any, form: Any, context: Any, template_pack: str, **kwargs: Any) -> str:
    """`holder.get_rendered_fields`: each of its fields and layout objects, in order."""
    return "".join(_field(field, form, context, template_pack, **kwargs) for field in holder.fields)


def _field(field: Any, form: Any, context: Any, template_pack: str, **kwargs: Any) -> str:
    """crispy's `render_field` of a field by name, without the field template's own render."""
    fast = (
        isinstance(field, str)
        and not kwargs
        and getattr(form, "crispy_field_template", None) == FIELD_TEMPLATE
        and field in form.fields
        and field not in getattr(form, "rendered_fields", {field})
    )
    if not fast:
        return str(render_field(field, form, context, template_pack=template_pack, **kwargs))
    form.rendered_fields.add(field)
    with context.push(field=form[field], labelclass=None, flat_attrs=""):
        return f"{bootstrap_field(context)}\n"  # as the field template ends


def _written_pack(obj: Any, template_pack: str, default: str) -> bool:
    return template_pack == "bootstrap5" and obj.template == default


def _id(css_id: Any) -> str:
    return f'id="{conditional_escape(css_id)}"' if css_id else ""


class _Div:
    """`bootstrap5/layout/row.html` and `column.html`: a <div> of the fields, with its classes."""

    fields: list[Any]
    css_id: Any
    flat_attrs: str
    written_template: str

    def render(self, form: Any, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any) -> Any:
        if not _written_pack(self, template_pack, self.written_template):
            return cast(SafeString, super().render(form, context, template_pack, **kwargs))  # type: ignore[misc]
        fields = _fields(self, form, context, template_pack, **kwargs)
        css = conditional_escape(self.classes())
        return SafeString(f'<div {_id(self.css_id)} class="{css}" {self.flat_attrs}> {fields} </div>\n')

    def classes(self) -> str:
        raise NotImplementedError


class Row(_Div, layout.Row):
    written_template = layout.Row.template

    def classes(self) -> str:
        return f"row {self.css_class or ''}"


class Column(_Div, layout.Column):
    written_template = layout.Column.template

    def classes(self) -> str:
        css = self.css_class or ""
        return css if "col" in css else f"col-md {css}"


class Fieldset(layout.Fieldset):
    def render(self, form: Any, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any) -> Any:
        legend = str(self.legend or "")
        if not _written_pack(self, template_pack, layout.Fieldset.template) or "{" in legend:
            # crispy renders the legend as a template of its own, with the page's context
            return cast(SafeString, super().render(form, context, template_pack, **kwargs))
        fields = _fields(self, form, context, template_pack, **kwargs)
        css = f'class="{conditional_escape(self.css_class)}"' if self.css_class else ""
        legend = f"<legend>{legend}</legend>" if legend else ""
        opening = f"<fieldset {_id(self.css_id)} {css} {self.flat_attrs}>"
        return SafeString(f"{opening} {legend} {fields} </fieldset>\n")


class AppendedText(bootstrap.AppendedText):
    """A field in an input group, its text after it (`bootstrap5/layout/prepended_appended_text.html`)."""

    def render(
        self,
        form: Any,
        context: Any,
        template_pack: str = TEMPLATE_PACK,
        extra_context: Any = None,
        **kwargs: Any,
    ) -> SafeString:
        default = bootstrap.AppendedText.template
        written = (
            _written_pack(self, template_pack, default)
            and extra_context is None
            and not kwargs
            and not self.attrs
            and not self.input_size
            and self.field in form.fields
            and self.field not in getattr(form, "rendered_fields", {self.field})
            and not any(
                context.get(name)
                for name in ("label_class", "field_class", "form_group_wrapper_class", "help_text_inline")
            )
            and "form-horizontal" not in (context.get("form_class") or "")
        )
        if not written:
            return cast(SafeString, super().render(form, context, template_pack, extra_context, **kwargs))
        form.rendered_fields.add(self.field)
        return SafeString(f"{self._html(form[self.field], context)}\n")

    def _html(self, field: BoundField, context: Any) -> str:
        if field.is_hidden:
            return str(field)
        required = field.field.required
        asterisk = '<span class="asteriskField">*</span>' if required else ""
        show_errors = context.get("form_show_errors", True)
        danger = show_errors and field.errors and "has-danger"
        classes = "".join(f" {value}" for value in (self.wrapper_class, danger, field.css_classes()) if value)
        div_id = conditional_escape(field.auto_id)
        parts = [f'<div id="div_{div_id}" class="mb-3{conditional_escape(classes)}">']
        if field.label and context.get("form_show_labels", True):
            label = f"{conditional_escape(field.label)}{asterisk}"
            parts.append(
                f'<label for="{conditional_escape(field.id_for_label)}" class="form-label'
                f'{" requiredField" if required else ""}"> {label} </label>'
            )
        css = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
        parts.append('<div > <div class="input-group">')
        if self.prepended_text:
            parts.append(f'<span class="input-group-text">{conditional_escape(self.prepended_text)}</span>')
        parts.append(_widget(field, css + (" is-invalid" if field.errors else "")))
        if self.appended_text:
            parts.append(f'<span class="input-group-text">{conditional_escape(self.appended_text)}</span>')
        tag = "span" if context.get("error_text_inline", True) else "p"
        parts.append(f"{_errors(context, field, tag)} </div> {_help(field)} </div> </div>")
        return " ".join(parts)
