"""Russian taxpayer number (INN) checksums: 10 digits for companies, 12 for sole traders."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
WEIGHTS_12_FIRST = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
WEIGHTS_12_SECOND = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 10:
        return inn_check_digit(value, WEIGHTS_10) == int(value[9])
    if len(value) == 12:
        return inn_check_digit(value, WEIGHTS_12_FIRST) == int(value[10]) and inn_check_digit(
            value, WEIGHTS_12_SECOND
        ) == int(value[11])
    return False


def validate_inn(value: str) -> None:
    if not value.isascii() or not value.isdigit() or len(value) not in (10, 12):
        raise ValidationError(
            _("An INN has 10 digits (a company) or 12 digits (a sole trader)."), code="inn_format"
        )
    if not is_valid_inn(value):
        raise ValidationError(
            _("This INN fails its checksum: check the digits for a typo."), code="inn_checksum"
        )
