import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.validators import WEIGHTS_10, WEIGHTS_12_FIRST, WEIGHTS_12_SECOND, is_valid_inn, validate_inn

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
