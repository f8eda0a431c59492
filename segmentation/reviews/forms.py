from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import COLLEAGUE_NAMES, MANAGER_NAMES, CrispyMixin, People, colleagues, managers
from kam.users.fields import UserChoiceField, UsersChoiceField
from segmentation.models import ActionItem, Decision, KeyReason

NOTE_MAX = 2000


class DecisionForm(CrispyMixin, forms.Form):
    """The meeting's decision on one client; what each decision needs is checked here and,
    for the rules themselves (cap, bronze, a manager for a key client), by the services."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect(attrs={"data-key": "d"})
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons (for a grant)"),
        choices=KeyReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    manager = UserChoiceField(
        label=_("New responsible manager (for a reassignment)"),
        queryset=managers(),
        names=MANAGER_NAMES,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE_MAX
    )

    def __init__(self, *args: Any, people: People | None = None, **kwargs: Any) -> None:
        """`people`: the page's names of managers and colleagues, read once for its forms."""
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["manager"].names = people.managers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == Decision.GRANT and not data.get("reasons"):
            self.add_error("reasons", _("Give at least one reason for key status."))
        if decision == Decision.REASSIGN and not data.get("manager"):
            self.add_error("manager", _("Choose the new responsible manager."))
        if decision == Decision.REVOKE and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why key status is revoked."))
        return data


class ActionItemForm(CrispyMixin, forms.Form):
    what = forms.CharField(
        label=_("What"),
        max_length=500,
        widget=forms.TextInput(attrs={"data-key": "a"}),
        error_messages={"required": _("Say what is to be done.")},
    )
    owner = UserChoiceField(label=_("Owner"), queryset=colleagues(), names=COLLEAGUE_NAMES)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, people: People | None = None, **kwargs: Any) -> None:
        """`people`: as `DecisionForm` takes them."""
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["owner"].names = people.colleagues  # type: ignore[attr-defined]

    def clean_due(self) -> date:
        due: date = self.cleaned_data["due"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due


class CloseForm(CrispyMixin, forms.Form):
    attendees = UsersChoiceField(
        label=_("Attendees"),
        queryset=colleagues(),
        names=COLLEAGUE_NAMES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one attendee.")},
    )
    guests = forms.CharField(label=_("Other attendees"), max_length=500, required=False)
    summary = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": _("Write the minutes before closing the review.")},
    )


class ActionFilterForm(forms.Form):
    """The action items list's filters and cursors, all from the query string."""

    owner = UserChoiceField(
        label=_("Owner"),
        queryset=colleagues(),
        names=COLLEAGUE_NAMES,
        required=False,
        empty_label=_("Everyone"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ActionItem.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    after = forms.CharField(required=False, max_length=500)
    before = forms.CharField(required=False, max_length=500)
