"""The project's FilterSet: made on every list page without copying what it does not change.

django-filter copies a FilterSet's declared filters deeply for each FilterSet made (every lazy
label, widget and queryset in them), then builds a new form class from those filters' fields,
and the form copies the fields deeply once more, though they were made for that form alone. Here
each filter is copied shallowly, with its own `extra` (the arguments its field is made from,
which a FilterSet may change), and the form, of a class made once per FilterSet class, takes its
fields as they are: the same filters and fields, made once per FilterSet, not three times. A
FilterSet whose fields are made from data that says its version (`fields_key`) shares them with
every form of that version: they are made once per process.
"""

from collections.abc import Hashable
from typing import Any

import django_filters
from django.utils.translation import get_language


class _Declared(dict[str, Any]):
    """A FilterSet class's filters, copied for each FilterSet made."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: own_copy(declared) for name, declared in self.items()}


def own_copy(declared: django_filters.Filter) -> django_filters.Filter:
    """A filter's copy for one FilterSet: its attributes shared, but its own `extra` and field."""
    made = object.__new__(type(declared))  # as copy.copy makes it, without its detour
    made.__dict__.update(declared.__dict__)
    made.extra = dict(declared.extra)
    made.__dict__.pop("_field", None)  # its field is made anew, from the copy
    if made.method is not None:
        made.method = made.method  # a filter by method calls it through a FilterMethod of its own
    return made


class _GivenFields:
    """A form whose fields are given as it is made, taken as they are (they were made for it)."""

    def __init__(self, *args: Any, fields: dict[str, Any], **kwargs: Any) -> None:
        self.base_fields = _MadeFresh(fields)
        super().__init__(*args, **kwargs)


class _MadeFresh(dict[str, Any]):
    """A form's fields when they were made for that one form."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


_form_classes: dict[type, type] = {}
KEPT = 32  # sets of fields kept per process; past that they are all made again
_kept_fields: dict[tuple[Any, ...], dict[str, Any]] = {}


class FilterSet(django_filters.FilterSet):
    @classmethod
    def get_filters(cls) -> dict[str, Any]:
        return _Declared(super().get_filters())

    def fields_key(self) -> Hashable | None:
        """What the filters' fields are made from besides the FilterSet's class, its filters and
        the language, where the fields may be made once per process and shared by every form
        with that key (a version of the choices they offer, read from the database): none made
        for one form may then change afterwards. None (the default): made for each form."""
        return None

    def fields_kept(self) -> bool:
        """Whether the fields for this FilterSet's key are kept made (`fields_key`)."""
        return self._fields_key() in _kept_fields

    @property
    def form(self) -> Any:
        """The form of the filters' fields, as django-filter makes it, of a form class made once
        per FilterSet class (not a new class, with the fields as its own, for each form)."""
        if not hasattr(self, "_form"):
            data = self.data if self.is_bound else None
            self._form = _form_class(type(self))(data, prefix=self.form_prefix, fields=self._fields())
        return self._form

    def _fields_key(self) -> tuple[Any, ...] | None:
        key = self.fields_key()
        return None if key is None else (type(self), tuple(self.filters), key, get_language())

    def make_fields(self) -> dict[str, Any]:
        """The filters' fields, made (where they are kept, once per key)."""
        return {name: filter_.field for name, filter_ in self.filters.items()}

    def _fields(self) -> dict[str, Any]:
        key = self._fields_key()
        fields = None if key is None else _kept_fields.get(key)
        if fields is None:
            fields = self.make_fields()
            if key is not None:
                if len(_kept_fields) >= KEPT:
                    _kept_fields.clear()
                _kept_fields[key] = fields
        return fields


def _form_class(filterset: type[FilterSet]) -> type:
    made = _form_classes.get(filterset)
    if made is None:
        made = type(f"{filterset.__name__}Form", (_GivenFields, filterset._meta.form), {})
        made = _form_classes.setdefault(filterset, made)
    return made
