"""The calculator's nine numbers, in the query string: the policy's touch norms and working
hours unless a director types others to see "what if". Nothing here is saved."""

from typing import Any

from django import forms
from django.db import models
from django.forms import BoundField
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from segmentation.calculator.selectors import CATEGORIES, FIELDS
from segmentation.models import Policy

# (low, high, the message when a value is out of range): the highs keep a typo from passing
# as a norm (a touch a day at most, a touch of a day at most, the hours of a leap year).
LIMITS = {
    "touches": (0, 365, _("Enter a whole number of touches from 0 to 365 (one a day).")),
    "touch_minutes": (0, 1440, _("Enter a whole number of minutes from 0 to 1440 (a whole day).")),
    "working_hours": (
        1,
        8784,
        _("Enter a whole number of hours from 1 to 8784 (every hour of a leap year)."),
    ),
}


class CalculatorForm(forms.Form):
    """Touches a year and minutes a touch for A, B, C and D, and a manager's working hours.

    Unbound (no number in the query string) it holds the policy's values. Bound, a number the
    query string leaves out keeps the policy's value, and an emptied one is an error.
    """

    def __init__(self, query: QueryDict, *, policy: Policy) -> None:
        self.policy_values = {name: getattr(policy, name) for name in FIELDS}
        asked = {name: query[name] for name in FIELDS if name in query}
        super().__init__({**self.policy_values, **asked} if asked else None, initial=self.policy_values)
        for name in FIELDS:
            self.fields[name] = _field(name, policy, self.policy_values[name])

    def values(self) -> dict[str, int]:
        """The numbers to compute with: the valid input, else the policy's."""
        if self.is_bound and self.is_valid():
            return {name: self.cleaned_data[name] for name in FIELDS}
        return dict(self.policy_values)

    def changed_from_policy(self) -> list[BoundField]:
        """The fields whose valid value differs from the policy's."""
        values = self.values()
        return [self[name] for name in FIELDS if values[name] != self.policy_values[name]]

    def norm_rows(self) -> list[tuple[str, list[BoundField]]]:
        """Per category: its touches a year and its minutes a touch, for a table of inputs."""
        return [(c, [self[f"touches_{c.lower()}"], self[f"touch_minutes_{c.lower()}"]]) for c in CATEGORIES]


def _field(name: str, policy: Policy, value: int) -> forms.IntegerField:
    low, high, message = LIMITS[name if name == "working_hours" else name.rsplit("_", 1)[0]]
    return forms.IntegerField(
        label=_label(name),
        help_text=_("The policy: %(value)s") % {"value": value},
        error_messages={
            "required": _("Enter a number: “Reset to the policy” brings back the policy’s values."),
            "invalid": message,
        },
        validators=[_Range(low, high, message)],
        widget=forms.NumberInput(attrs={"min": low, "max": high, "step": 1}),
    )


def _label(name: str) -> Any:
    """The policy field's own name, as the policy page shows it."""
    field = Policy._meta.get_field(name)
    assert isinstance(field, models.Field)
    return capfirst(field.verbose_name)


class _Range:
    """A whole number from `low` to `high`, or `message`."""

    def __init__(self, low: int, high: int, message: Any) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, value: int) -> None:
        if not self.low <= value <= self.high:
            raise forms.ValidationError(self.message, code="out_of_range")
