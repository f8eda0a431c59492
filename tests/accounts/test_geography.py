import pycountry
from django.utils import translation

from accounts import geography, regions_ru


def test_every_russian_region_has_a_russian_and_an_english_name_and_nothing_else_does():
    codes = {s.code for s in pycountry.subdivisions.get(country_code="RU")}
    assert set(regions_ru.NAMES) == codes
    assert set(regions_ru.NAMES_EN) == codes


def test_region_names_follow_the_language():
    with translation.override("ru"):
        assert geography.region_name("RU-IRK") == "Иркутская область"
        assert geography.country_name("KZ") == "Казахстан"
    with translation.override("en"):
        assert geography.region_name("RU-IRK") == "Irkutsk Oblast"
        assert geography.region_name("RU-KDA") == "Krasnodar Krai"
        assert geography.region_name("RU-BA") == "Republic of Bashkortostan"
        assert geography.region_name("RU-MOW") == "Moscow"
        assert geography.region_name("RU-SPE") == "Saint Petersburg"
        assert geography.region_name("RU-KHM") == "Khanty-Mansi Autonomous Okrug – Yugra"
        assert geography.country_name("KZ") == "Kazakhstan"


def test_other_countries_keep_pycountrys_region_names_as_its_catalogues_translate_them():
    with translation.override("en"):
        assert geography.region_name("DE-BY") == "Bavaria"
        assert geography.region_name("DE-HH") == "Hamburg"


def test_region_choices_of_russia_are_english_names_in_english():
    with translation.override("en"):
        choices = dict(geography.region_choices("RU"))
    assert choices["RU-LEN"] == "Leningrad Oblast"
    assert choices["RU-CHE"] == "Chelyabinsk Oblast"
    assert len(choices) == len(regions_ru.NAMES_EN)


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
