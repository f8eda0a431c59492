"""Form fields that choose users, with their choices read as four columns.

A `ModelChoiceField` over users builds a `User` for every choice each time it renders, only to
print its name; the review's meeting page renders two such selects and its close form a box a
colleague. These fields read the pk and the three columns of the name instead and label each
choice as `User.__str__` does, its value the bare pk; validation, the cleaned values (users)
and the markup are those of the fields they extend. A field given `names` (the same users'
`NAME_COLUMNS`, as a prepared query: `kam.prepared`) reads them from it, not compiled anew.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

NAME_COLUMNS = ("pk", "first_name", "last_name", "username")
Names = Callable[[], Iterable[tuple[Any, str, str, str]]]


def name_fields(relation: str) -> tuple[str, ...]:
    """The fields of a user's name (`NAME_COLUMNS` but the pk) as a query of another model reads
    them through `relation` (`only("responsible_manager__first_name", ...)`)."""
    return tuple(f"{relation}__{name}" for name in NAME_COLUMNS[1:])


def user_label(first_name: str, last_name: str, username: str) -> str:
    """What `User.__str__` writes: the full name, else the username."""
    return f"{first_name} {last_name}".strip() or username


class UserChoiceIterator(ModelChoiceIterator):
    """The users of the field's queryset, read once by each iterator: a form's field gets one of
    its own (Django makes a new one when it copies the field for a form), and a select without an
    empty choice is asked for its first one (`use_required_attribute`) before it writes them
    all, which Django's iterator read from the database twice."""

    def __init__(self, field: forms.ModelChoiceField):
        super().__init__(field)
        self.rows: list[tuple[Any, str, str, str]] | None = None

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.rows is None:
            names = getattr(self.field, "names", None)
            self.rows = list(names() if names is not None else self.queryset.values_list(*NAME_COLUMNS))
        for pk, first_name, last_name, username in self.rows:
            yield (pk, user_label(first_name, last_name, username))


class _Named:
    """A field whose choices are read from `names`, when given (of the same users as its queryset)."""

    def __init__(self, *args: Any, names: Names | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = names


class UserChoiceField(_Named, forms.ModelChoiceField):
    """One user, from `queryset`."""

    iterator = UserChoiceIterator


class UsersChoiceField(_Named, forms.ModelMultipleChoiceField):
    """Any number of users, from `queryset`."""

    iterator = UserChoiceIterator
