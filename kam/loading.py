"""Models whose rows become instances without `Model.__init__`, for the pages that read many.

Django turns each row it reads into a model through `Model.from_db`, which calls the model's
`__init__` with the row's values: it sends the `pre_init` and `post_init` signals and sets each
field through `setattr`, which for a foreign key runs its descriptor's Python `__set__`. For a
list page's 51 clients with their segments, industries and managers that is about a tenth of
the request. `QuickLoaded.from_db` writes a whole row's values into the new instance's
`__dict__` at once: the state `__init__` leaves, as a fresh instance's foreign keys have no
related object cached for `__set__` to clear. It takes Django's way (the same result) for a row
with deferred fields, and whenever a receiver of either signal is connected.
"""

from typing import Any, Self

from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

_attnames: dict[type[models.Model], tuple[str, ...]] = {}


class QuickLoaded(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        names = _attnames.get(cls)
        if names is None:
            names = _attnames.setdefault(cls, tuple(field.attname for field in cls._meta.concrete_fields))
        if len(values) != len(names) or pre_init.receivers or post_init.receivers:
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        new.__dict__.update(zip(names, values, strict=True))
        new._state = state = ModelState()
        state.adding, state.db = False, db
        return new
