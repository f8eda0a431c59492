from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DATE_INPUT, CrispyMixin
from accounts.validators import validate_date_range
from kam.money import currency
from segmentation.models import PotentialEstimate


class EstimateForm(CrispyMixin, forms.Form):
    """One row of the potential table; `seen` is the estimate as the form showed it."""

    amount = forms.DecimalField(
        min_value=Decimal(0),
        max_value=Decimal("100000000000"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *PotentialEstimate.Source.choices])
    estimated_on = forms.DateField(label=_("Estimated on"), widget=DATE_INPUT)
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = _("Yearly purchases, all suppliers, %(currency)s") % {
            "currency": currency()
        }

    def clean_estimated_on(self) -> Any:
        day = self.cleaned_data["estimated_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An estimate cannot be dated in the future."), code="future")
        validate_date_range(day)
        return day
