"""The form renderer: the commonest widgets rendered in Python, the rest from templates.

Every page's forms render their inputs and selects through templates (Django's own, or the
project's overrides under templates/django/forms/). A select of 90 regions then costs a template
loop with a dozen lookups per option; the client list's filters alone render about 170 options.
`WidgetRenderer` writes the same markup as Django's templates for the plain inputs, the select
and the textarea, in Python (tests/test_renderer.py compares them), and leaves every other widget
to `TemplatesSetting`.
"""

from collections.abc import Callable
from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString

from kam.cells import text


def attrs(widget_attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{text(str(value))}"'
        for name, value in widget_attrs.items()
        if value is not False
    )


def input_widget(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (and text, number, email, hidden, date, checkbox...)."""
    value = "" if widget["value"] is None else f' value="{text(str(widget["value"]))}"'
    return (
        f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"{value}{attrs(widget["attrs"])}>'
    )


def select_widget(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select.html and select_option.html: options with their attributes, in
    optgroups."""
    parts = [f'<select name="{text(widget["name"])}"{attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        parts.extend(f"\n  {select_option(option)}\n" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def select_option(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html: one option, as `select.html` includes it and as
    a template that writes its own <select> renders each option's `tag`."""
    value, label = text(str(widget["value"])), text(widget["label"])
    return f'<option value="{value}"{attrs(widget["attrs"])}>{label}</option>'


def textarea_widget(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{text(widget["name"])}"{attrs(widget["attrs"])}>\n{value}</textarea>'


def option_widget(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input_option.html (checkbox_option.html, radio_option.html): one box
    of a multiple choice as `BoundWidget.tag` renders it, its label around it when wrapped."""
    tag = input_widget(widget)
    if not widget["wrap_label"]:
        return tag
    label_for = f' for="{text(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    # The included input.html ends its line; the renderer strips only the outer template's ends.
    return f"<label{label_for}>{tag}\n {text(widget['label'])}</label>"


INPUTS = ("text", "number", "email", "hidden", "password", "date", "time", "search", "tel", "url", "checkbox")
IN_PYTHON: dict[str, Callable[[dict[str, Any]], str]] = {
    "django/forms/widgets/input.html": input_widget,
    **{f"django/forms/widgets/{kind}.html": input_widget for kind in INPUTS},
    "django/forms/widgets/select.html": select_widget,
    "django/forms/widgets/select_option.html": select_option,
    "django/forms/widgets/textarea.html": textarea_widget,
    **{f"django/forms/widgets/{kind}_option.html": option_widget for kind in ("input", "checkbox", "radio")},
}


class WidgetRenderer(TemplatesSetting):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        python = IN_PYTHON.get(template_name)
        if python is None or "widget" not in context:
            return super().render(template_name, context, request)
        return SafeString(python(context["widget"]))
