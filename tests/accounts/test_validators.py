import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.validators import (
    WEIGHTS_10,
    WEIGHTS_12_FIRST,
    WEIGHTS_12_SECOND,
    format_phone,
    is_valid_inn,
    normalise_phone,
    validate_birthday,
    validate_date_range,
    validate_inn,
    validate_kpp,
    validate_not_future,
    validate_phone,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)


def _check(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10)


@pytest.mark.parametrize("inn", ["7707083893", "7736050003", "500100732259"])
def test_inn_known_valid_numbers_pass(inn):
    validate_inn(inn)


@pytest.mark.parametrize(
    ("inn", "code"),
    [
        ("7707083894", "inn_checksum"),
        ("500100732258", "inn_checksum"),
        ("77070838", "inn_format"),
        ("77070838931", "inn_format"),
        ("77O7083893", "inn_format"),
        ("\uff17\uff17\uff10\uff17\uff10\uff18\uff13\uff18\uff19\uff13", "inn_format"),  # full-width digits
        ("", "inn_format"),
    ],
)
def test_inn_bad_numbers_give_their_reason(inn, code):
    with pytest.raises(ValidationError) as raised:
        validate_inn(inn)
    assert raised.value.code == code


@given(nine_digits)
def test_inn_10_digit_with_its_check_digit_is_valid(body):
    assert is_valid_inn(body + _check(body, WEIGHTS_10))


@given(nine_digits, st.integers(min_value=1, max_value=9))
def test_inn_10_digit_with_another_check_digit_is_invalid(body, shift):
    good = int(_check(body, WEIGHTS_10))
    assert not is_valid_inn(body + str((good + shift) % 10))


@given(ten_digits)
def test_inn_12_digit_with_both_check_digits_is_valid(body):
    eleven = body + _check(body, WEIGHTS_12_FIRST)
    assert is_valid_inn(eleven + _check(eleven, WEIGHTS_12_SECOND))


@given(ten_digits, st.integers(min_value=1, max_value=9))
def test_inn_12_digit_with_a_wrong_last_digit_is_invalid(body, shift):
    eleven = body + _check(body, WEIGHTS_12_FIRST)
    good = int(_check(eleven, WEIGHTS_12_SECOND))
    assert not is_valid_inn(eleven + str((good + shift) % 10))


# Dates

# Days from today, read when each test runs (a run collected before midnight runs after it).
TODAY, DAY = datetime.timedelta(0), datetime.timedelta(days=1)


def _on(value: datetime.date | datetime.timedelta) -> datetime.date:
    return timezone.localdate() + value if isinstance(value, datetime.timedelta) else value


FUTURE = "This date is in the future: enter the day it happened."
OUT_OF_RANGE = "Enter a date between 1900-01-01 and 2099-12-31."
NOT_BORN = "A birthday must be in the past."


def _messages(validator, value):
    try:
        validator(value)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        (datetime.date(1899, 12, 31), [OUT_OF_RANGE]),
        (datetime.date(1900, 1, 1), []),
        (datetime.date(2099, 12, 31), []),
        (datetime.date(2100, 1, 1), [OUT_OF_RANGE]),
        (datetime.date(9999, 12, 31), [OUT_OF_RANGE]),
    ],
)
def test_date_range_boundaries(value, messages):
    assert _messages(validate_date_range, value) == messages


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        (TODAY, []),
        (TODAY + DAY, [FUTURE]),
        (datetime.date(9999, 12, 31), [FUTURE]),
        (datetime.date(1900, 1, 1), []),
        (datetime.date(1899, 12, 31), [OUT_OF_RANGE]),
    ],
)
def test_not_future_allows_today_and_refuses_tomorrow(value, messages):
    assert _messages(validate_not_future, _on(value)) == messages


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        (TODAY - DAY, []),
        (TODAY, [NOT_BORN]),
        (TODAY + DAY, [NOT_BORN]),
        (datetime.date(9999, 12, 31), [NOT_BORN]),
        (datetime.date(1900, 1, 1), []),
        (datetime.date(1899, 12, 31), [OUT_OF_RANGE]),
    ],
)
def test_birthday_is_in_the_past_and_from_1900(value, messages):
    assert _messages(validate_birthday, _on(value)) == messages


# Phones

INVALID_PHONE = "This is not a valid phone number. Type it with the country code, like +7 912 345-67-89."


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("8 912 345-67-89", "+79123456789"),
        ("+7 912 345 67 89", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("7 (912) 345-67-89", "+79123456789"),
        ("912 345 67 89", "+79123456789"),
        ("8 (391) 200-00-00", "+73912000000"),
        ("+7 495 123-45-67", "+74951234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+375 29 123-45-67", "+375291234567"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phones_are_normalised_to_e164(typed, e164):
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize(
    "typed",
    ["12345", "8 912 345", "+7 000 000-00-00", "call me", "+999 123 456 789", "8 912 345-67-89-00-11"],
)
def test_invalid_phones_give_one_clear_message(typed):
    assert _messages(normalise_phone, typed) == [INVALID_PHONE]


@pytest.mark.parametrize(
    ("stored", "messages"),
    [("+79123456789", []), ("", []), ("8 912 345-67-89", [INVALID_PHONE]), ("12345", [INVALID_PHONE])],
)
def test_a_stored_phone_must_already_be_e164(stored, messages):
    assert _messages(validate_phone, stored) == messages


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+79123456789", "+7 912 345-67-89"),
        ("+442079460958", "+44 20 7946 0958"),
        ("", ""),
        ("ext. 12", "ext. 12"),
        ("12345", "12345"),
    ],
)
def test_phones_are_shown_in_the_international_format(stored, shown):
    assert format_phone(stored) == shown


# KPP

BAD_KPP = "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits."


@pytest.mark.parametrize(
    ("kpp", "messages"),
    [
        ("770701001", []),
        ("7707AB001", []),
        ("77070A001", []),
        ("7707ab001", [BAD_KPP]),
        ("77070100", [BAD_KPP]),
        ("7707010011", [BAD_KPP]),
        ("77A701001", [BAD_KPP]),
        ("7707010A1", [BAD_KPP]),
        ("7707ЖЖ001", [BAD_KPP]),
        ("\uff17\uff17\uff10\uff17\uff10\uff11\uff10\uff10\uff11", [BAD_KPP]),  # full-width digits
    ],
)
def test_kpp_format(kpp, messages):
    assert _messages(validate_kpp, kpp) == messages
