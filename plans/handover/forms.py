"""The handover note's form: its text and the version it was opened at."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyMixin
from plans.models import HandoverNote

MAX_TEXT = 20000


class HandoverNoteForm(CrispyMixin, forms.ModelForm):
    text = forms.CharField(
        label=_("Handover note"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 24}),
        error_messages={"required": _("The note cannot be empty: write what the new manager needs.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = HandoverNote
        fields = ["text"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
