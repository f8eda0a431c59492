from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyMixin
from kam.imports.columns import COLUMNS
from kam.imports.models import Kind

EXTENSIONS = (".csv", ".txt", ".xlsx")


class UploadForm(CrispyMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=Kind.choices)
    file = forms.FileField(
        label=_("File"),
        max_length=255,
        help_text=_("CSV (UTF-8 or Windows-1251, separated by commas, semicolons or tabs) or Excel (.xlsx)."),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=100,
        help_text=_(
            "Where the file comes from, such as “1C Trade”: a mapping of its columns is remembered by it."
        ),
    )
    monthly = forms.BooleanField(
        label=_("Monthly totals"),
        required=False,
        help_text=_(
            "Sales only: each row is a client's total of a product group for a month; "
            "the file's months replace those months' sales."
        ),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field: Any = self.fields["kind"]
        kind_field.choices = [(value, label) for value, label in Kind.choices if value in kinds]
        if Kind.SALES in kinds:
            kind_field.initial = Kind.SALES

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.KAM_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB: split it into smaller files."),
                code="too_large",
                params={"limit": limit // (1024 * 1024)},
            )
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(
                _("Upload a CSV (.csv, .txt) or an Excel (.xlsx) file."), code="extension"
            )
        return upload


class MappingForm(forms.Form):
    """Which field each column of the file holds; a field may be chosen once."""

    def __init__(
        self, *args: Any, kind: str, header: list[str], mapping: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", _("— not imported —"))] + [(column.field, column.label) for column in COLUMNS[kind]]
        for index, title in enumerate(header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=title or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=mapping.get(index, ""),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [value for value in data.values() if value]
        twice = sorted({value for value in chosen if chosen.count(value) > 1})
        labels = {column.field: column.label for column in COLUMNS[self.kind]}
        if twice:
            raise forms.ValidationError(
                _("Each field can be chosen for one column only: %(fields)s.")
                % {"fields": ", ".join(str(labels[value]) for value in twice)}
            )
        absent = [
            str(column.label)
            for column in COLUMNS[self.kind]
            if column.required and column.field not in chosen
        ]
        if absent:
            raise forms.ValidationError(
                _("Choose a column for each required field: %(fields)s.") % {"fields": ", ".join(absent)}
            )
        return data

    def chosen(self) -> dict[int, str]:
        return {
            int(name.removeprefix("column_")): value for name, value in self.cleaned_data.items() if value
        }
