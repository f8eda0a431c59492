"""The form of one of our own locations: the place is chosen from ISO 3166 lists, never typed."""

from typing import Any

from crispy_forms.layout import Layout
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import geography
from kam.crispy import Column, Row, form_helper
from segmentation.models import OwnLocation

DEFAULT_COUNTRY = "RU"


class LocationForm(forms.ModelForm):
    """Name, kind, country and region of a location; `is_active` only when editing one.

    The region list is the chosen country's (swapped by htmx when the country changes, as
    on the point of presence form); empty means the whole country, for a location abroad.
    `version` is the location's last save as the user opened it.
    """

    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(
        label=_("Region"),
        required=False,
        help_text=_("Leave empty only for a location that covers a whole country abroad."),
        widget=forms.Select,
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OwnLocation
        fields = ["name", "kind", "country", "region", "is_active"]
        error_messages = {"name": {"unique": _("We already have a location with this name.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["is_active"]
        country = str(self.data.get("country") or self.instance.country or DEFAULT_COUNTRY)
        self.fields["country"].choices = geography.country_choices()  # type: ignore[attr-defined]
        self.fields["country"].initial = country
        self.fields["country"].widget.attrs.update(
            {"hx-get": reverse("accounts:region_options"), "hx-target": "#id_region", "hx-swap": "innerHTML"}
        )
        regions = geography.region_choices(country[:2].upper())
        self.fields["region"].widget.choices = [("", "—"), *regions]
        self.helper = form_helper()
        self.helper.layout = Layout(
            "version",
            Row(Column("name", css_class="col-md-6"), Column("kind", css_class="col-md-6")),
            Row(Column("country", css_class="col-md-6"), Column("region", css_class="col-md-6")),
            *(["is_active"] if "is_active" in self.fields else []),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country, region = data.get("country"), data.get("region", "")
        if country and region and not geography.is_region_of(region, country):
            self.add_error(
                "region",
                forms.ValidationError(
                    _("Choose the region from the list: “%(region)s” is not a region of %(country)s."),
                    code="region_not_in_country",
                    params={"region": region, "country": geography.country_name(country)},
                ),
            )
        return data

    def location_values(self) -> dict[str, Any]:
        """The cleaned values of the location's own fields (not the version token)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
