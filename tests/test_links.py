"""kam/links.py: addresses reversed once, then filled with a row's pk or written as they are."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from kam.links import around_last, pk_url, plain_url, row_url

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


def test_an_address_around_its_last_argument_follows_the_script_prefix():
    around_last("segmentation:review_client", 12)  # kept for the root prefix
    set_script_prefix("/crm/")
    try:
        before, after = around_last("segmentation:review_client", 12)
        assert f"{before}7{after}" == reverse("segmentation:review_client", args=[12, 7])
        assert before.startswith("/crm/")
    finally:
        clear_script_prefix()


def test_an_argument_holding_the_stand_in_is_reversed_as_it_is():
    before, after = around_last("segmentation:review_client", 2_147_483_647)
    assert f"{before}3{after}" == reverse("segmentation:review_client", args=[2_147_483_647, 3])


# {% plain_url %}: the navigation's addresses without arguments ------------------------------

BASE_TEMPLATE = (Path(__file__).resolve().parent.parent / "templates" / "base.html").read_text()
NAVIGATION = sorted(set(re.findall(r"\{% plain_url '([^']+)' %\}", BASE_TEMPLATE)))


def test_the_base_template_names_its_addresses_through_plain_url():
    assert len(NAVIGATION) > 20
    assert "{% url " not in BASE_TEMPLATE


@pytest.mark.parametrize("name", NAVIGATION)
def test_a_plain_address_is_what_the_url_tag_writes(name):
    template = engines["django"].from_string(
        f'{{% load kam_links %}}{{% plain_url "{name}" %}}|{{% url "{name}" %}}'
    )

    plain, url = template.render({}).split("|")

    assert plain == url == reverse(name)


def test_a_plain_address_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert plain_url("plans:day") == "/crm/plans/day/"
    finally:
        clear_script_prefix()
    assert plain_url("plans:day") == "/plans/day/"


def test_a_plain_address_reverse_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        plain_url("accounts:client_detail")


# {% row_url %}: a list's rows, whose addresses differ only in their last argument -----------


@pytest.mark.parametrize("kind", ["contacts", "points", "touches", "refusals"])
@pytest.mark.parametrize(("client", "pk"), [(1, 1), (7, 1234), (2_147_483_647, 10**12)])
def test_a_row_address_is_what_the_url_tag_writes(kind, client, pk):
    template = engines["django"].from_string(
        "{% load kam_links %}{% row_url 'accounts:entry_edit' client kind pk as edit %}{{ edit }}"
        "|{% url 'accounts:entry_edit' client kind pk %}"
    )

    row, url = template.render({"client": client, "kind": kind, "pk": pk}).split("|")

    assert row == url == reverse("accounts:entry_edit", args=[client, kind, pk])


def test_a_row_address_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert row_url("accounts:entry_edit", 3, "touches", 9) == "/crm/clients/3/touches/9/edit/"
    finally:
        clear_script_prefix()
    assert row_url("accounts:entry_edit", 3, "touches", 9) == "/clients/3/touches/9/edit/"


def test_a_row_address_reverse_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        row_url("accounts:entry_edit", "x", "touches", 9)
    with pytest.raises(NoReverseMatch):
        row_url("accounts:entry_edit", 3, "touches", "x")
