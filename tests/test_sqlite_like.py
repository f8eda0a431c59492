import pytest

from accounts.models import Client
from kam.sqlite import unicode_like
from tests.factories import ClientFactory


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%сталь%", "Сибирская Сталь", True),
        ("СИБИРСКАЯ СТАЛЬ", "сибирская сталь", True),
        ("a_c", "ABC", True),
        ("a_c", "ABBC", False),
        ("100\\%", "100%", True),
        ("100\\%", "1000", False),
    ],
)
def test_unicode_like_folds_every_letter(pattern, value, expected):
    assert unicode_like(pattern, value, "\\") is expected


@pytest.mark.django_db
def test_case_insensitive_lookups_find_cyrillic_names_on_every_database():
    ClientFactory(name="Сибирская Сталь")

    assert list(Client.objects.filter(name__icontains="СТАЛЬ").values_list("name", flat=True)) == [
        "Сибирская Сталь"
    ]
