"""The checks every form shares: INN checksums (10 digits for companies, 12 for sole traders),
KPP format, phone numbers, and the range a date may take."""

import re
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
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


# Dates: one sane range for every date a person types in, and "not later than today" for
# what has already happened (a touch, a refusal, an estimate). "Today" is never in a database
# constraint; the fixed bounds are (see the models' Meta.constraints).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def validate_date_range(value: date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def validate_not_future(value: date) -> None:
    """Something that happened (a touch, a refusal): today is allowed, tomorrow is not.

    One message per date: a far-future one is "in the future", not also "out of range".
    """
    if value > timezone.localdate():
        raise ValidationError(_("This date is in the future: enter the day it happened."), code="future")
    validate_date_range(value)


def validate_birthday(value: date) -> None:
    """A birthday is before today and not before EARLIEST_DATE."""
    if value >= timezone.localdate():
        raise ValidationError(_("A birthday must be in the past."), code="not_past")
    validate_date_range(value)


# Phones: parsed with Google's libphonenumber, stored in E.164 (+79123456789), shown in
# the international format. A number without a country code is read as Russian.
PHONE_REGION = "RU"


def normalise_phone(value: str) -> str:
    """The E.164 form of a typed number; blank stays blank; an invalid one raises ValidationError."""
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number. Type it with the country code, like +7 912 345-67-89."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """A stored phone must be blank or already in E.164 (forms normalise before this runs)."""
    if value and normalise_phone(value) != value:
        raise ValidationError(
            _("This is not a valid phone number. Type it with the country code, like +7 912 345-67-89."),
            code="phone",
        )


def format_phone(value: str) -> str:
    """The international format (+7 912 345-67-89); a number that does not parse is shown as stored."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# KPP (код причины постановки на учёт): NNNNPPXXX, where NNNN is the tax office's code,
# PP the reason for registration and XXX a sequence number. Since 2013 PP may be two digits
# or capital Latin letters A-Z (Order of the Federal Tax Service of 29.06.2012
# No. ММВ-7-6/435@, "Порядок и условия присвоения, применения, а также изменения ИНН", p. 5).
KPP_PATTERN = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")


def validate_kpp(value: str) -> None:
    if not KPP_PATTERN.fullmatch(value):
        raise ValidationError(
            _("A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits."),
            code="kpp_format",
        )
