"""Reads of our own locations, with each place named in the active language."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts import geography
from kam.prepared import Prepared
from segmentation.models import OwnLocation


@dataclass
class LocationRow:
    location: OwnLocation
    place: str


def place_name(location: OwnLocation) -> str:
    """ "Krasnoyarsk Krai, Russia", or "Kazakhstan, the whole country" for a country-only location."""
    country = geography.country_name(location.country)
    if not location.region:
        return _("%(country)s, the whole country") % {"country": country}
    return f"{geography.region_name(location.region)}, {country}"


def location_rows() -> list[LocationRow]:
    """Every location, active ones first, by name: one query."""
    return [LocationRow(location, place_name(location)) for location in OwnLocation.objects.all()]


def active_location_rows() -> list[LocationRow]:
    """The active locations, by name, for the policy page's short list: one query."""
    return [LocationRow(location, place_name(location)) for location in _ACTIVE()]


_ACTIVE = Prepared(lambda: OwnLocation.objects.active())
