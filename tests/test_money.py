"""Amounts as the product shows them: whole, grouped as the language groups digits, with the currency."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from kam.money import money


def test_money_is_grouped_as_the_language_groups_digits_and_names_the_currency():
    with translation.override("en"):
        assert money(Decimal("1200000.50")) == "1,200,001\xa0RUB"
    with translation.override("ru"):
        assert money(Decimal(1_200_000)) == "1\xa0200\xa0000\xa0RUB"


def test_money_names_the_configured_currency(settings):
    settings.KAM_CURRENCY = "EUR"
    with translation.override("en"):
        assert money(950) == "950\xa0EUR"


def test_the_money_filter_formats_an_amount_and_leaves_none_empty():
    template = Template("{% load amounts %}[{{ amount|money }}][{{ missing|money }}]")
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("46057742.00"), "missing": None})) == (
            "[46,057,742\xa0RUB][]"
        )
