"""The selection a D-group routing works on: the clients ticked in the list, or all the clients
the list's filters match (the list's own query string, read by the list's own filter)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.filters import ClientFilter
from accounts.models import Client
from accounts.selectors import clients_visible_to
from kam.users.models import User

MAX_TICKED = 500  # a page shows 50; Django refuses a request of over 1,000 fields anyway
# What the selection form itself carries, beside the list's filters.
OWN_FIELDS = ("client", "all", "back", "token", "csrfmiddlewaretoken", "after", "before")


class IdsField(forms.Field):
    """Client ids, as tick boxes send them: whole numbers, at most MAX_TICKED."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value or []
        if not isinstance(values, list | tuple):
            values = [values]
        if len(values) > MAX_TICKED:
            raise forms.ValidationError(
                _("At most %(max)d clients can be ticked; choose all matching clients instead."),
                code="too_many",
                params={"max": MAX_TICKED},
            )
        if not all(isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 12 for v in values):
            raise forms.ValidationError(_("The ticked clients were not understood."), code="invalid")
        return sorted({int(v) for v in values})


class SelectionForm(forms.Form):
    client = IdsField(required=False)
    all = forms.BooleanField(required=False)
    back = forms.CharField(required=False, max_length=2000)
    token = forms.CharField(required=False, max_length=64)

    def __init__(self, data: QueryDict, *, user: User) -> None:
        super().__init__(data)
        self.query = data.copy()
        for name in OWN_FIELDS:
            self.query.pop(name, None)
        self.user = user
        self.filters: ClientFilter | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("all"):
            self.filters = ClientFilter(
                self.query or None, queryset=clients_visible_to(self.user), user=self.user
            )
            if self.filters.is_bound and not self.filters.form.is_valid():
                raise forms.ValidationError(
                    _("Some filters of the list were not understood, so no clients were selected."),
                    code="filters",
                )
        elif not data.get("client"):
            raise forms.ValidationError(
                _("No clients were selected: tick some clients in the list, or choose all matching clients."),
                code="empty",
            )
        return data

    def selection(self) -> QuerySet[Client]:
        """The selected clients the user may see (call after is_valid)."""
        if self.filters is not None:
            return Client.objects.filter(pk__in=self.filters.qs.order_by().values("pk"))
        return clients_visible_to(self.user).filter(pk__in=self.cleaned_data["client"])

    def asked(self) -> int | None:
        """How many clients were ticked; None for all matching."""
        return None if self.filters is not None else len(self.cleaned_data["client"])

    def back_query(self) -> str:
        """The list's query string to go back to: the filters themselves when all matching."""
        return self.query.urlencode() if self.filters is not None else self.cleaned_data.get("back", "")

    def hidden_fields_to_repeat(self) -> list[tuple[str, str]]:
        """The selection again, as the apply form posts it."""
        if self.filters is not None:
            return [("all", "1"), *((name, value) for name, values in self.query.lists() for value in values)]
        return [("client", str(pk)) for pk in self.cleaned_data["client"]]
