"""A problem is kept as its msgid and parameters: the log reads in each reader's language."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import validators
from kam.imports.texts import VALIDATION_MESSAGES, from_validation
from tests.imports.conftest import BAD_INN, csv_bytes, last_run, problems, upload


def test_problems_found_in_russian_are_shown_in_english(as_admin, base):
    with translation.override("ru"):
        upload(
            as_admin, "sales", csv_bytes("ИНН;Товарная группа;Дата;Сумма", f"{BAD_INN};Болты;15.03.2026;-1")
        )

    with translation.override("en"):
        english = problems(last_run())
    with translation.override("ru"):
        russian = problems(last_run())

    assert english == [
        (2, "ИНН", "This INN fails its checksum: check the digits for a typo."),
        (2, "Товарная группа", "No product group “Болты”."),
        (2, "Сумма", "The amount is negative: -1."),
    ]
    assert russian == [
        (2, "ИНН", "ИНН не проходит проверку контрольной суммы: проверьте, нет ли опечатки в цифрах."),
        (2, "Товарная группа", "Нет товарной группы «Болты»."),
        (2, "Сумма", "Сумма отрицательная: -1."),
    ]


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (validators.validate_inn, "12"),
        (validators.validate_inn, BAD_INN),
        (validators.validate_kpp, "1"),
        (validators.validate_date_range, __import__("datetime").date(1800, 1, 1)),
        (validators.validate_not_future, __import__("datetime").date(2999, 1, 1)),
        (validators.validate_birthday, __import__("datetime").date(2999, 1, 1)),
        (validators.normalise_phone, "12"),
    ],
)
def test_the_kept_copies_of_the_validators_messages_are_the_same(check, value):
    with pytest.raises(ValidationError) as caught:
        check(value)

    assert caught.value.error_list[0].code in VALIDATION_MESSAGES
    assert str(from_validation(caught.value)) == " ".join(caught.value.messages)
