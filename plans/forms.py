"""The forms of plans and templates. Each carries the version of the record it was opened at."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DATE_INPUT, CrispyMixin
from accounts.models import Client
from accounts.validators import validate_date_range, validate_not_future
from plans import selectors
from plans.models import Plan, PlanKind, PlanStep, TemplateStep


class TemplateStepForm(CrispyMixin, forms.ModelForm):
    """A template step's wording in both languages (one is enough) and its default offset."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = TemplateStep
        fields = ["text_en", "text_ru", "offset_days"]
        widgets = {"offset_days": forms.NumberInput(attrs={"min": 0, "max": 3650})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text_en") and not data.get("text_ru") and not self.has_error("text_en"):
            raise forms.ValidationError(
                _("Write the step in English, in Russian or in both."), code="no_text"
            )
        return data

    def step_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PlanStepForm(CrispyMixin, forms.ModelForm):
    """Who does a step and by when, when it was done, a note, and the client's touch that did it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = PlanStep
        fields = ["assignee", "due", "done_on", "note", "touch"]
        widgets = {"due": DATE_INPUT, "done_on": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["version"].initial = self.instance.version
        self.fields["assignee"].queryset = selectors.account_people(  # type: ignore[attr-defined]
            client, keep=self.instance.assignee_id
        )
        touches = selectors.client_touches(client)
        self.fields["touch"].queryset = touches  # type: ignore[attr-defined]
        self.fields["touch"].help_text = _("Optional: the touch with the client that did this step.")
        self.fields["due"].validators.append(validate_date_range)
        self.fields["done_on"].validators.append(validate_not_future)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("touch") is not None and data.get("done_on") is None and not self.has_error("done_on"):
            data["done_on"] = data["touch"].date  # the touch that did it says when
        return data

    def step_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TickForm(forms.Form):
    """One click on a step: done today, or not done after all."""

    done = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def done_on(self) -> Any:
        return timezone.localdate() if self.cleaned_data["done"] else None


class PlanCloseForm(CrispyMixin, forms.Form):
    """How the plan ended; "won back" only for a win-back plan."""

    outcome = forms.ChoiceField(label=_("Outcome"))
    note = forms.CharField(
        label=_("Outcome in words"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": plan.version})
        super().__init__(*args, **kwargs)
        outcomes = [
            (value, label)
            for value, label in Plan.Outcome.choices
            if value != Plan.Outcome.WON_BACK or plan.kind == PlanKind.WIN_BACK
        ]
        self.fields["outcome"].choices = [("", "—"), *outcomes]  # type: ignore[attr-defined]


class OfferForm(CrispyMixin, forms.Form):
    """The offer a win-back plan makes: special offer, gift, discount or other, in words."""

    offer_kind = forms.ChoiceField(label=_("Offer"), choices=Plan.Offer.choices)
    offer_text = forms.CharField(
        label=_("The offer in words"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        initial = {"offer_kind": plan.offer_kind, "offer_text": plan.offer_text, "version": plan.version}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
