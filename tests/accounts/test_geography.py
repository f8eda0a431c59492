import pycountry
from django.utils import translation

from accounts import geography, regions_ru


def test_every_russian_region_has_a_russian_name_and_nothing_else_does():
    codes = {s.code for s in pycountry.subdivisions.get(country_code="RU")}
    assert set(regions_ru.NAMES) == codes


def test_region_names_follow_the_language():
    with translation.override("ru"):
        assert geography.region_name("RU-IRK") == "Иркутская область"
        assert geography.country_name("KZ") == "Казахстан"
    with translation.override("en"):
        assert geography.region_name("RU-IRK") == "Irkutskaya oblast'"
        assert geography.country_name("KZ") == "Kazakhstan"


def test_moscow_city_and_moscow_oblast_are_two_regions_of_russia():
    assert geography.is_region_of("RU-MOW", "RU")
    assert geography.is_region_of("RU-MOS", "RU")
    assert not geography.is_region_of("RU-MOW", "KZ")


def test_continents_come_from_geonames():
    assert [geography.continent_of(c) for c in ("RU", "KZ", "DE", "CN", "BY")] == [
        "EU",
        "AS",
        "EU",
        "AS",
        "EU",
    ]
