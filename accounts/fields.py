"""Field types shared by the models and their forms."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalise_phone, validate_phone


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneFormField(forms.CharField):
    """A typed phone number, returned in E.164; the model field's validator then checks it."""

    widget = TelInput

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("help_text"):
            kwargs["help_text"] = _(
                "A Russian number may start with 8 or +7; others need their country code."
            )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_phone(super().to_python(value) or "")


class PhoneNumberField(models.CharField):
    """Every phone number in the project: stored in E.164 (+79123456789), or blank."""

    default_validators = [validate_phone]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or PhoneFormField, choices_form_class=choices_form_class, **kwargs
        )
