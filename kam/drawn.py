"""Page parts drawn once per process, with stand-ins where each request writes values of its own.

A part that is the same for every request of one kind (the navigation, for one set of roles,
page and language; the client list's column picker, for one choice of columns) but for a few
values of the request's own (the user's name, the CSRF token, the page's address) is rendered
from its template once, with a stand-in in the place of each such value, and kept split at the
stand-ins; each request then writes its own values, escaped as the template escapes them, in
between. The template stays the one place the markup is written; its tags and variables are not
evaluated again on every page.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from hashlib import blake2b
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BoundField
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language

_STAND_IN = re.compile(r"kamXstandXin([a-z]+)X")
KEPT = 1024  # parts kept per process; past that they are all drawn again


def stand_in(name: str) -> str:
    """The stand-in for the value called `name` (lower-case letters): letters only, which
    escaping leaves as they are."""
    if not name.isalpha() or not name.islower():
        raise ValueError("A stand-in's name is lower-case letters.")
    return f"kamXstandXin{name}X"


_kept: dict[tuple[Any, ...], tuple[str, ...]] = {}
register = template.Library()


def drawn(
    template_name: str,
    key: tuple[Any, ...],
    context: Callable[[], Mapping[str, Any]],
    own: Mapping[str, str],
) -> SafeString:
    """`template_name` rendered with `context()`, which holds stand-ins where the request's
    own values go: once per process for each `key` (everything else the part depends on),
    language, script prefix and URLconf (in development, every time, as the template is now);
    then each stand-in's value from `own` (by name, escaped already) written in its place."""
    whole = (template_name, key, get_language(), get_script_prefix(), get_urlconf())
    parts = None if settings.DEBUG else _kept.get(whole)
    if parts is None:
        parts = tuple(_STAND_IN.split(render_to_string(template_name, dict(context()))))
        if len(_kept) >= KEPT:
            _kept.clear()
        _kept[whole] = parts
    return SafeString("".join(own[part] if index % 2 else part for index, part in enumerate(parts)))


def drawn_form(
    template_name: str,
    key: tuple[Any, ...],
    fields: Iterable[BoundField],
    context: Callable[[], Mapping[str, Any]],
    own: Mapping[str, str] | None = None,
) -> SafeString:
    """`drawn` for a template that draws a form's `fields`, whatever they show besides what the
    form's class gives them (their labels and attributes) in the key: each field's name, value,
    and choices as a digest of their values and of the labels not written in the code. The
    choices are read once: when the form is drawn, each widget draws the ones read for the key.
    `own`: the values of stand-ins that `context` gives the template, as `drawn` takes them."""
    shown, read = [], []
    for field in fields:
        digest = None
        if hasattr(field.field, "choices"):
            choices, digest = _choices_of(field.field)
            read.append((field.field.widget, choices))
        shown.append((field.name, repr(field.value()), digest))

    def filled() -> Mapping[str, Any]:
        for widget, choices in read:
            widget.choices = choices
        return context()

    return drawn(template_name, (key, tuple(shown)), filled, own or {})


_READ = "_kam_drawn_choices"


def _choices_of(field: Any) -> tuple[list[Any], str]:
    """A field's choices, read once, and their digest: kept on the field, whose choices do not
    change once it is drawn (a field kept for many forms, `kam.filters`, is read once per
    process; one made for a form, once per form)."""
    found: tuple[list[Any], str] | None = field.__dict__.get(_READ)
    if found is None:
        choices = list(iter(field.choices))  # not `len()`: a model's choices would count
        found = (choices, blake2b(repr(_plain(choices)).encode(), digest_size=12).hexdigest())
        field.__dict__[_READ] = found
    return found


@register.simple_tag
def kept_filters(template_name: str, filters: Any) -> SafeString:
    """{% kept_filters "template" filters %}: a list's filter form, `filters.form` of a filterset
    (which the template draws as `filters`), kept by what its fields show (`drawn_form`)."""
    return drawn_form(template_name, (), drawn_filters(filters.form), lambda: {"filters": filters})


@register.simple_tag
def kept_form(template_name: str, form: Any, version: Any, **context: Any) -> SafeString:
    """{% kept_form "template" form version name=value... %}: a part that draws `form` (as `form`,
    with `context`), kept by what its fields show (`drawn_form`) and by `version`, of whatever
    else it shows (the values in `context`, or its fields' labels and help texts). A form with
    errors is drawn every time."""
    whole = {"form": form, **context}
    if form.is_bound and form.errors:
        return SafeString(render_to_string(template_name, whole))
    return drawn_form(template_name, (version,), list(form), lambda: whole)


CURSORS = ("after", "before")


def drawn_filters(form: Any) -> list[BoundField]:
    """A list's filter fields as its form draws them: not the pager's cursors, which the links
    carry (in a key, each page would be kept apart)."""
    return [form[name] for name in form.fields if name not in CURSORS]


def _plain(choices: Iterable[Any]) -> list[Any]:
    """Choices as the text that tells them apart, groups included: a lazy label is the code's,
    the same for a language (and its repr, its address)."""
    return [
        (
            value,
            _plain(label) if isinstance(label, list | tuple) else "" if isinstance(label, Promise) else label,
        )
        for value, label in choices
    ]


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting in ("ROOT_URLCONF", "TEMPLATES"):
        _kept.clear()
