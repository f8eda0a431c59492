"""What a move is asked with: the clients (picked in the list, as a D routing picks them), the new
manager (one for all, or one per size class when a manager leaves) and the reason."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.forms import managers
from kam.users.fields import UserChoiceField
from kam.users.models import User
from segmentation.droute.forms import SelectionForm
from segmentation.models import SizeClass
from segmentation.moves.services import REASON_MAX
from segmentation.workload.selectors import SIZES

# The move's own fields, beside the selection's and the list's filters.
MOVE_FIELDS = ("to", "reason", "deactivate", *SIZES)
CHOOSE = _("Choose an active account manager from the list.")


class MoveSelectionForm(SelectionForm):
    """The clients of a move; the list's filters, without the move's own fields."""

    def __init__(self, data: QueryDict, *, user: User) -> None:
        super().__init__(data, user=user)
        for name in MOVE_FIELDS:
            self.query.pop(name, None)


def manager_field(label: Any, *, required: bool) -> forms.ModelChoiceField:
    return UserChoiceField(
        label=label,
        queryset=managers(),
        required=required,
        error_messages={"invalid_choice": CHOOSE, "required": _("Choose the new manager.")},
    )


class MoveForm(forms.Form):
    """One new manager for every client of the selection."""

    to = manager_field(_("New manager"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = managers().order_by("last_name", "first_name", "pk")  # type: ignore[attr-defined]

    def plan(self) -> User:
        return self.cleaned_data["to"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in each client's history and told to the new manager."),
        error_messages={"required": _("Give the reason for the move.")},
    )
    deactivate = forms.BooleanField(required=False)


SIZE_LABELS = {
    SizeClass.SMALL: _("New manager of the small clients"),
    SizeClass.MEDIUM: _("New manager of the medium clients"),
    SizeClass.LARGE: _("New manager of the large clients"),
    SizeClass.LARGEST: _("New manager of the very large clients"),
}


class LeaveForm(forms.Form):
    """Where a leaving manager's active clients go: one new manager for all, or one per size
    class (each required where the manager has clients of that class)."""

    to = manager_field(_("One new manager for all"), required=False)
    small = manager_field(SIZE_LABELS[SizeClass.SMALL], required=False)
    medium = manager_field(SIZE_LABELS[SizeClass.MEDIUM], required=False)
    large = manager_field(SIZE_LABELS[SizeClass.LARGE], required=False)
    largest = manager_field(SIZE_LABELS[SizeClass.LARGEST], required=False)

    def __init__(self, data: QueryDict | None, *, departing: User, counts: dict[str, int]) -> None:
        super().__init__(data)
        self.counts = counts
        others: QuerySet[User] = managers().exclude(pk=departing.pk).order_by("last_name", "first_name", "pk")
        for name in ("to", *SIZES):
            self.fields[name].queryset = others  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        split = [size for size in SIZES if data.get(size)]
        if data.get("to") and split:
            raise forms.ValidationError(
                _("Choose one new manager for all, or one per size class, not both."), code="both"
            )
        if not data.get("to") and not split:
            raise forms.ValidationError(
                _("Choose one new manager for all, or one per size class."), code="none"
            )
        if not data.get("to"):
            for size in SIZES:
                if self.counts.get(size) and not data.get(size):
                    self.add_error(size, _("Choose who receives these clients."))
        return data

    def plan(self) -> User | dict[str, User]:
        if self.cleaned_data.get("to"):
            return self.cleaned_data["to"]
        return {size: self.cleaned_data[size] for size in SIZES if self.cleaned_data.get(size)}
