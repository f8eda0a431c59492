"""What the card and its parts show when a save or delete was refused as stale.

The services refuse (accounts.services._claim); these helpers keep the user's input
and find out what the other person did, the same way for the card, its entries and
its account team.
"""

from typing import Any

from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import Http404, QueryDict

from accounts import audit
from accounts.audit import Conflict
from accounts.models import Client


def current_or_deleted(records: QuerySet[Any], client: Client, pk: int) -> tuple[Any, Conflict | None]:
    """The client's record `pk`, or who deleted it and when; 404 if it never was the client's."""
    record = records.filter(pk=pk).first()
    if record is not None:
        return record, None
    conflict = audit.deletion(records.model, pk, client.pk)
    if conflict is None:
        raise Http404
    return None, conflict


def merged_form(
    form_class: type[BaseForm], post: QueryDict, current: Model, stale_version: int | None, **kwargs: Any
) -> Any:
    """The user's input merged onto the latest version, so saving again loses nothing.

    A field the user did not touch (same as in the version they opened) takes the other
    person's value; a field the user changed keeps the user's value. The version becomes
    the latest one, so the next save is a deliberate choice.
    """
    base = audit.record_at_version(type(current), current.pk, stale_version or 0)
    data = post.copy()
    latest = form_class(instance=current, **kwargs)  # type: ignore[call-arg]
    opened = form_class(instance=base, **kwargs) if base is not None else latest  # type: ignore[call-arg]
    for name, field in latest.fields.items():
        if name != "version" and not field.has_changed(
            opened[name].value(), field.widget.value_from_datadict(data, {}, name)
        ):
            _put(data, name, latest[name].value())
    data["version"] = str(current.version)  # type: ignore[attr-defined]
    form = form_class(data, instance=current, **kwargs)  # type: ignore[call-arg]
    form.is_valid()
    return form


def _put(data: QueryDict, name: str, value: object) -> None:
    if value is True:
        data[name] = "on"
    elif value in (False, None):
        data.pop(name, None)
    elif isinstance(value, list | tuple):
        data.setlist(name, [str(v) for v in value])
    else:
        data[name] = str(value)
