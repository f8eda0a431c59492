"""Amounts as the product shows them: whole, grouped as the language groups digits, with the currency."""

from decimal import ROUND_HALF_UP, Decimal

from django.template import Context, Template
from django.utils import formats, translation

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


AMOUNTS = [
    *(Decimal(n) / 4 for n in range(-20_000, 20_000, 7)),
    *(Decimal(10**n) + Decimal(k) / 2 for n in range(3, 16) for k in (-3, -1, 0, 1, 3)),
    *(-(10**n) for n in range(3, 16)),
    1_234_567,
    1234.5,
    "9876543.5",
]


def test_money_writes_what_number_format_writes_of_the_amount_rounded_half_up():
    for language in ("en", "ru"):
        with translation.override(language):
            for amount in AMOUNTS:
                rounded = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                expected = formats.number_format(rounded, 0, force_grouping=True)
                assert money(amount) == f"{expected}\xa0RUB", amount
