"""The project's FilterSet: made on every list page without copying what it does not change.

django-filter copies a FilterSet's declared filters deeply for each FilterSet made (every lazy
label, widget and queryset in them), then builds a form class from those filters' fields, and the
form copies the fields deeply once more, though they were made for that form alone. Here each
filter is copied shallowly, with its own `extra` (the arguments its field is made from, which a
FilterSet may change), and the form takes its fields as they are: the same filters and fields,
made once per FilterSet, not three times.
"""

import copy
from typing import Any

import django_filters


class _Declared(dict[str, Any]):
    """A FilterSet class's filters, copied for each FilterSet made."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: _own_copy(declared) for name, declared in self.items()}


def _own_copy(declared: django_filters.Filter) -> django_filters.Filter:
    made = copy.copy(declared)
    made.extra = dict(declared.extra)
    made.__dict__.pop("_field", None)  # its field is made anew, from the copy
    if made.method is not None:
        made.method = made.method  # a filter by method calls it through a FilterMethod of its own
    return made


class _MadeFresh(dict[str, Any]):
    """A form class's fields when they were made for its one form."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


class FilterSet(django_filters.FilterSet):
    @classmethod
    def get_filters(cls) -> dict[str, Any]:
        return _Declared(super().get_filters())

    def get_form_class(self) -> Any:
        form = super().get_form_class()
        form.base_fields = _MadeFresh(form.base_fields)
        return form
