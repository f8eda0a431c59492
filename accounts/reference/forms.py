"""The form of one reference item: its name, and whether it is offered (when editing one)."""

from typing import Any, cast

from django import forms
from django.forms.models import modelform_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import name_key
from accounts.reference.kinds import ReferenceKind
from kam.crispy import form_helper


class ReferenceForm(forms.ModelForm):
    """`version` is the item's last save as the user opened the form (edits only)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, kind: ReferenceKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if self.instance.pk is None:
            del self.fields["is_active"]
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version
            self.fields["is_active"].label = _("Offered for new records")
            self.fields["is_active"].help_text = _("Records that already have it keep it either way.")
        self.helper = form_helper()

    def clean_name(self) -> str:
        """The name with its spaces tidied; refused if another item differs from it only in case."""
        name = " ".join(self.cleaned_data["name"].split())
        others = self._meta.model._default_manager.exclude(pk=self.instance.pk)
        clash = others.filter(name_key=name_key(name)).first()
        if clash is not None:
            raise forms.ValidationError(
                str(self.kind.duplicate), code="duplicate", params={"name": clash.name}
            )
        return name

    def values(self) -> dict[str, Any]:
        """The cleaned values of the item's own fields (not the version token)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


def reference_form(kind: ReferenceKind, *args: Any, **kwargs: Any) -> ReferenceForm:
    """The form for an item of `kind` (a new one without `instance`)."""
    form_class = cast(
        type[ReferenceForm], modelform_factory(kind.model, form=ReferenceForm, fields=["name", "is_active"])
    )
    return form_class(*args, kind=kind, **kwargs)
