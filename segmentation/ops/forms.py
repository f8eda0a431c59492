"""The policy form: every threshold of the segment rules, checked against each other."""

from decimal import Decimal
from typing import Any

from crispy_forms.layout import Layout
from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from accounts.forms import MANAGER_NAMES, managers
from kam.crispy import AppendedText, Column, Fieldset, Row, form_helper
from kam.money import currency, money
from kam.users.fields import UserChoiceField
from segmentation.models import AMOUNT_FIELDS, DRouteKind, Policy

SPLIT_FIELDS = ["split_ab_share", "split_c_share", "split_development_share"]
SHARE_FIELDS = [
    "pareto_share",
    "wallet_share_limit",
    "gold_share",
    "silver_share",
    "key_cap_share",
    *SPLIT_FIELDS,
]
NORM_FIELDS = [f"{kind}_{category}" for kind in ("touches", "touch_minutes") for category in "abcd"]
FACTOR_FIELDS = ["at_risk_factor", "lost_factor"]
COUNT_FIELDS = [
    "at_risk_min_days",
    "lost_min_days",
    "no_rhythm_at_risk_days",
    "no_rhythm_lost_days",
    "won_back_days",
    "capacity_small",
    "capacity_medium",
    "capacity_large",
    "capacity_largest",
    "key_per_manager",
    "no_touch_days",
    "estimate_stale_months",
    *NORM_FIELDS,
    "working_hours",
]

# (lower field, higher field, the message when the higher one is below the lower one)
NOT_BELOW = [
    (
        "at_risk_factor",
        "lost_factor",
        _(
            "Lost cannot come before at risk: the lost factor must be at least the at-risk factor "
            "(%(value)s)."
        ),
    ),
    (
        "at_risk_min_days",
        "lost_min_days",
        _(
            "Lost cannot come before at risk: the lost minimum must be at least the at-risk minimum "
            "(%(value)s days)."
        ),
    ),
    (
        "no_rhythm_at_risk_days",
        "no_rhythm_lost_days",
        _(
            "Lost cannot come before at risk: without a rhythm, lost must take at least as many days "
            "as at risk (%(value)s)."
        ),
    ),
]
# (lower field, higher field, the message when the higher one is not above the lower one)
ABOVE = [
    (
        "medium_from",
        "large_from",
        _("Size classes must grow: a large client must start above a medium one (%(value)s)."),
    ),
    (
        "large_from",
        "largest_from",
        _("Size classes must grow: a very large client must start above a large one (%(value)s)."),
    ),
]


D_ROUTE_FIELDS = ["d_route", "d_route_employee", "d_route_partner"]


class PolicyForm(forms.ModelForm):
    """Every threshold of the policy, grouped as the domain groups them, each with its explanation.

    `version` is the policy's last save as the user opened it, so a save over someone
    else's newer change is refused instead of silently reverting it.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Policy
        fields = [*SHARE_FIELDS, *AMOUNT_FIELDS, *FACTOR_FIELDS, *COUNT_FIELDS]
        fields += ["kam_small_clients", "nightly_run_at", *D_ROUTE_FIELDS]
        widgets = {
            "nightly_run_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        field_classes = {"d_route_employee": UserChoiceField}
        help_texts = {
            "nightly_run_at": _(
                "Local time of the nightly recomputation. The scheduler checks every 15 minutes and "
                "starts it once this time has passed; without a Celery worker, run "
                "“manage.py run_nightly” from cron instead."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit(SHARE_FIELDS, 0, 100, _("Enter a share from 0 to 100%."))
        self._limit(AMOUNT_FIELDS, 0, None, _("Enter an amount of zero or more."))
        self._limit(FACTOR_FIELDS, 1, None, _("Enter a factor of at least 1."))
        self._limit(COUNT_FIELDS, 1, None, _("Enter a whole number of at least 1."))
        employee: Any = self.fields["d_route_employee"]
        employee.queryset = managers()
        employee.names = MANAGER_NAMES
        employee.empty_label = _("Nobody")
        route: Any = self.fields["d_route"]
        route.choices = [("", _("Not chosen")), *DRouteKind.choices]
        for name in [*SHARE_FIELDS, *AMOUNT_FIELDS, *FACTOR_FIELDS]:
            value = self.initial.get(name)
            if isinstance(value, Decimal) and value == value.to_integral():
                self.initial[name] = value.to_integral()  # 80, not 80.00
        self.helper = form_helper()
        self.helper.layout = self._layout()

    def employee_choices(self) -> list[tuple[Any, str]]:
        """The choices of the D route's employee, as the select writes them: read once, for it
        too (`list()` of Django's iterator would count them first)."""
        return [(value, str(label)) for value, label in iter(self.fields["d_route_employee"].widget.choices)]

    def policy_values(self) -> dict[str, Any]:
        """The cleaned values of the policy's own fields (not the version token)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    def _limit(self, names: list[str], low: int, high: int | None, message: Any) -> None:
        """One clear message for every value out of range, instead of Django's generic ones."""
        for name in names:
            field = self.fields[name]
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
            field.validators.append(_RangeValidator(low, high, message))
            field.widget.attrs["min"] = low
            if high is not None:
                field.widget.attrs["max"] = high

    def _layout(self) -> Layout:
        return Layout(
            "version",
            Fieldset(_("ABCD analysis"), _row("pareto_share", "wallet_share_limit", "min_headroom")),
            Fieldset(_("Priority tiers"), _row("gold_share", "silver_share")),
            Fieldset(
                _("Key clients"),
                _row("key_cap_share", "key_per_manager", "kam_small_clients", "no_touch_days"),
            ),
            Fieldset(
                _("Lost clients"),
                _row("at_risk_factor", "at_risk_min_days", "lost_factor", "lost_min_days"),
                _row("no_rhythm_at_risk_days", "no_rhythm_lost_days", "won_back_days"),
            ),
            Fieldset(
                _("Size classes and capacities"),
                _row("medium_from", "large_from", "largest_from"),
                _row("capacity_small", "capacity_medium", "capacity_large", "capacity_largest"),
            ),
            Fieldset(
                _("Time split and touch norms"),
                _row(*SPLIT_FIELDS, "working_hours"),
                _row(*NORM_FIELDS[:4]),
                _row(*NORM_FIELDS[4:]),
            ),
            Fieldset(_("Estimates and the nightly run"), _row("estimate_stale_months", "nightly_run_at")),
            Fieldset(_("D clients"), _row(*D_ROUTE_FIELDS)),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        gold, silver = data.get("gold_share"), data.get("silver_share")
        if gold is not None and silver is not None and gold + silver > 100:
            self.add_error(
                "silver_share",
                forms.ValidationError(
                    _("Gold and silver together cannot exceed 100%% of potential (now %(total)s%%)."),
                    code="tiers_over_100",
                    params={"total": _number(gold + silver)},
                ),
            )
        split = [data[name] for name in SPLIT_FIELDS if data.get(name) is not None]
        if len(split) == len(SPLIT_FIELDS) and sum(split) > 100:
            self.add_error(
                "split_development_share",
                forms.ValidationError(
                    _("The time split cannot exceed 100%% of a manager's time (now %(total)s%%)."),
                    code="split_over_100",
                    params={"total": _number(sum(split))},
                ),
            )
        for lower, higher, message in NOT_BELOW:
            self._compare(data, lower, higher, message, strict=False)
        self._clean_d_route(data)
        for lower, higher, message in ABOVE:
            self._compare(data, lower, higher, message, strict=True)
        return data

    def _clean_d_route(self, data: dict[str, Any]) -> None:
        """The employee route names the employee, the partner route the partner; a route keeps
        only what it names, so the policy never holds a stale employee or partner."""
        route = data.get("d_route")
        data["d_route_partner"] = (data.get("d_route_partner") or "").strip()
        if (
            route == DRouteKind.EMPLOYEE
            and not data.get("d_route_employee")
            and "d_route_employee" not in self.errors
        ):
            self.add_error(
                "d_route_employee",
                forms.ValidationError(_("Choose the employee who takes every D client."), code="required"),
            )
        if route == DRouteKind.PARTNER and not data["d_route_partner"]:
            self.add_error(
                "d_route_partner",
                forms.ValidationError(_("Name the partner the D clients are handed to."), code="required"),
            )
        if route != DRouteKind.EMPLOYEE:
            data["d_route_employee"] = None
        if route != DRouteKind.PARTNER:
            data["d_route_partner"] = ""

    def _compare(self, data: dict[str, Any], lower: str, higher: str, message: Any, *, strict: bool) -> None:
        low, high = data.get(lower), data.get(higher)
        if low is None or high is None:
            return
        if high < low or (strict and high == low):
            self.add_error(
                higher,
                forms.ValidationError(
                    message,
                    code="order",
                    params={"value": money(low) if lower in AMOUNT_FIELDS else _number(low)},
                ),
            )


def _number(value: Decimal | int) -> str:
    """A number as the user's locale writes it, without trailing zero decimals: 2, 2.5, 1,000,000."""
    if isinstance(value, Decimal) and value == value.to_integral():
        value = value.to_integral()
    return str(formats.localize(value))


def _row(*names: str) -> Row:
    return Row(*(Column(_field(name), css_class="col-md-6 col-xl-3") for name in names))


def _field(name: str) -> str | AppendedText:
    """An amount's input carries the currency as its suffix."""
    return AppendedText(name, currency()) if name in AMOUNT_FIELDS else name


class _RangeValidator:
    """A value between `low` and `high` (inclusive; no upper end when `high` is None)."""

    def __init__(self, low: int, high: int | None, message: Any) -> None:
        self.low, self.high, self.message = Decimal(low), high, message

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        if value < self.low or (self.high is not None and value > self.high):
            raise forms.ValidationError(self.message, code="out_of_range")
