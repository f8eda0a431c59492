"""The period of the dashboard's segment migration matrix, chosen in the query string."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import DATE_INPUT
from accounts.validators import validate_date_range
from segmentation.dashboard.selectors import default_period


class PeriodForm(forms.Form):
    """Two dates, both optional: a missing one takes its default (90 days ago, today). When
    the input is bad the form says why and `period()` falls back to the defaults."""

    since = forms.DateField(
        label=_("Period start"), required=False, widget=DATE_INPUT, validators=[validate_date_range]
    )
    until = forms.DateField(
        label=_("Period end"), required=False, widget=DATE_INPUT, validators=[validate_date_range]
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.defaults = default_period(today)
        self.fields["since"].initial, self.fields["until"].initial = self.defaults

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since = cleaned.get("since") or self.defaults[0]
        until = cleaned.get("until") or self.defaults[1]
        if not self.errors and since > until:
            raise forms.ValidationError(
                _(
                    "The start date %(since)s is after the end date %(until)s: "
                    "choose a start on or before the end."
                ),
                code="period_reversed",
                params={"since": since.isoformat(), "until": until.isoformat()},
            )
        cleaned["since"], cleaned["until"] = since, until
        return cleaned

    def period(self) -> tuple[date, date]:
        """The chosen dates when they are valid, else the defaults."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["since"], self.cleaned_data["until"]
        return self.defaults
