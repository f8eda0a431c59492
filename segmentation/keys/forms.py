from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyMixin
from segmentation.keys.services import NO_REASON, STRATEGIC
from segmentation.models import KeyReason, Tier


class KeyGrantForm(CrispyMixin, forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"),
        choices=KeyReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Grant for potential and strategic reasons, never for current sales or the relationship."
        ),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def clean_reasons(self) -> list[str]:
        if not self.cleaned_data["reasons"]:
            raise forms.ValidationError(NO_REASON, code="required")
        return list(self.cleaned_data["reasons"])


class StrategicMarksForm(CrispyMixin, forms.Form):
    """A candidate's strategic marks, before any grant: none of them clears the marks."""

    reasons = forms.MultipleChoiceField(
        label=_("Marked as"),
        choices=[(r.value, r.label) for r in STRATEGIC],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Marked candidates come first on the key candidates list."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class KeyRevokeForm(CrispyMixin, forms.Form):
    note = forms.CharField(
        label=_("Why is key status revoked?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class TierOverrideForm(CrispyMixin, forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example: an image client that buys little but opens doors."),
    )


class TierClearForm(CrispyMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why go back to the computed tier?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
