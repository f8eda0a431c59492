"""The time split's choice, in the query string: whose split (one manager or the whole department)
and the period. Bad input is refused with the reason, and nothing is computed."""

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.forms import DATE_INPUT
from accounts.validators import validate_date_range
from kam.users.fields import Names, UserChoiceField
from kam.users.models import User
from segmentation.timesplit.selectors import last_full_month

MAX_DAYS = 366


class TimeSplitForm(forms.Form):
    """A manager among `managers` (empty: all of them, the department) and two dates, each
    optional: a missing date takes its default, the last full calendar month.

    When `own` is given (an account manager looking at their own split) the field is fixed to
    `own`, and any other manager's id is refused. `names`: the names of `managers` as a prepared
    query (`kam.users.fields`), when there is one for them."""

    manager = UserChoiceField(
        queryset=User.objects.none(),
        label=_("Manager"),
        required=False,
        empty_label=_("All managers (the department)"),
        error_messages={"invalid_choice": _("Choose one of the active account managers.")},
    )
    since = forms.DateField(
        label=_("Period start"), required=False, widget=DATE_INPUT, validators=[validate_date_range]
    )
    until = forms.DateField(
        label=_("Period end"), required=False, widget=DATE_INPUT, validators=[validate_date_range]
    )

    def __init__(
        self,
        *args: Any,
        managers: QuerySet[User],
        own: User | None,
        today: date,
        names: Names | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.own = own
        self.defaults = last_full_month(today)
        self.fields["since"].initial, self.fields["until"].initial = self.defaults
        field: Any = self.fields["manager"]
        field.queryset, field.names = managers, names
        if own is not None:
            field.empty_label, field.initial, field.disabled = None, own.pk, True

    def clean_manager(self) -> User | None:
        """The chosen manager, or for an account manager themselves: asking for anyone else is
        refused rather than quietly answered with their own split."""
        if self.own is None:
            return self.cleaned_data.get("manager")
        if self.data.get(self.add_prefix("manager"), "") not in ("", str(self.own.pk)):
            raise forms.ValidationError(_("You may see only your own time split."), code="not_own")
        return self.own

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since = cleaned.get("since") or self.defaults[0]
        until = cleaned.get("until") or self.defaults[1]
        if "since" in self.errors or "until" in self.errors:
            return cleaned
        if since > until:
            raise forms.ValidationError(
                _(
                    "The start date %(since)s is after the end date %(until)s: "
                    "choose a start on or before the end."
                ),
                code="period_reversed",
                params={"since": since.isoformat(), "until": until.isoformat()},
            )
        days = (until - since).days + 1
        if days > MAX_DAYS:
            raise forms.ValidationError(
                _("The period is %(days)s days long: choose at most %(limit)s days."),
                code="period_too_long",
                params={"days": days, "limit": MAX_DAYS},
            )
        cleaned["since"], cleaned["until"] = since, until
        return cleaned

    def choice(self) -> tuple[User | None, date, date] | None:
        """(the manager or None for all, start, end) as chosen, the defaults when nothing was
        asked, or None when the input is bad."""
        if not self.is_bound:
            return self.own, *self.defaults
        if not self.is_valid():
            return None
        return self.cleaned_data["manager"], self.cleaned_data["since"], self.cleaned_data["until"]
