"""kam/links.py: an address reversed once, then filled with each row's pk, is reverse()'s own."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from kam.links import around_last, pk_url

NAMES = ["accounts:client_detail", "accounts:client_touches", "segmentation:potential"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 2_147_483_647, 10**12])
def test_an_address_is_what_reverse_gives(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_an_address_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert pk_url("accounts:client_detail", 5) == reverse("accounts:client_detail", args=[5])
        assert pk_url("accounts:client_detail", 5).startswith("/crm/")
    finally:
        clear_script_prefix()
    assert not pk_url("accounts:client_detail", 5).startswith("/crm/")


def test_what_reverse_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        pk_url("accounts:client_detail", None)


@pytest.mark.parametrize("position", [1, 49, 2049])
def test_an_address_around_its_last_argument_is_what_reverse_gives(position):
    before, after = around_last("segmentation:review_client", 12)

    assert f"{before}{position}{after}" == reverse("segmentation:review_client", args=[12, position])
