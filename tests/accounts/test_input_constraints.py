"""What the database itself refuses, and the migration that rewrites stored phones to E.164."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from accounts.models import Contact
from tests.factories import ContactFactory, PointFactory, RefusalFactory, SaleFactory, TouchFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0006_kpp_phones_e164_date_ranges")


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (TouchFactory, "date"),
        (TouchFactory, "next_step_date"),
        (RefusalFactory, "date"),
        (SaleFactory, "date"),
        (ContactFactory, "birthday"),
        (PointFactory, "planned_date"),
    ],
)
@pytest.mark.parametrize(
    "day", [datetime.date(1899, 12, 31), datetime.date(2100, 1, 1), datetime.date(9999, 12, 31)]
)
def test_the_database_refuses_dates_outside_the_range(factory, field, day):
    extra = {"status": "planned"} if field == "planned_date" else {}

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**{field: day}, **extra)


@pytest.mark.parametrize("day", [datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)])
def test_the_database_takes_the_boundaries(day):
    contact = ContactFactory(birthday=day)
    touch = TouchFactory(date=day, next_step_date=day)

    assert (contact.birthday, touch.date, touch.next_step_date) == (day, day, day)


def test_the_migration_rewrites_valid_phones_and_leaves_the_rest():
    typed = {
        "mobile": "8 (912) 345-67-89",
        "office": "+7 (391) 200-00-00",
        "abroad": "+44 20 7946 0958",
        "done": "+79123456789",
        "short": "12-34",
        "words": "ask the secretary",
        "blank": "",
    }
    contacts = {name: ContactFactory(name=name, phone=phone) for name, phone in typed.items()}

    migration.phones_to_e164(apps, None)

    assert {name: Contact.objects.get(pk=c.pk).phone for name, c in contacts.items()} == {
        "mobile": "+79123456789",
        "office": "+73912000000",
        "abroad": "+442079460958",
        "done": "+79123456789",
        "short": "12-34",
        "words": "ask the secretary",
        "blank": "",
    }
