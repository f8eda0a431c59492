"""Clients, refusals and potential estimates: matched by their natural keys, written with their
history, checked like the forms check them, and a manager's estimates only for their clients."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Client, Industry, Refusal
from kam.imports.models import ImportRun
from segmentation.models import PotentialEstimate
from tests.factories import ClientFactory, RefusalFactory
from tests.imports.conftest import (
    ALFA_INN,
    OTHER_INN,
    STEEL_INN,
    commit,
    csv_bytes,
    database,
    last_run,
    problems,
    upload,
)


def tomorrow() -> str:
    """Tomorrow as a cell writes it, read when the test runs (a run may cross midnight)."""
    return (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d.%m.%Y")


def counts() -> tuple[str, int, int, int]:
    run = last_run()
    return run.status, run.created, run.updated, run.unchanged


# Clients


def test_clients_are_created_and_updated_by_inn_and_kpp(as_admin, base):
    Industry.objects.create(name="Metals")
    new_inn = "7707083893"
    content = csv_bytes(
        "Наименование;ИНН;КПП;Отрасль;Ответственный менеджер;Статус;Сайт",
        f"Siberian Steel Group;{STEEL_INN};;metals;boris@example.com;Active;steel.example.com",
        f"Sberbank;{new_inn};773601001;Metals;manager;prospect;",
        f";{ALFA_INN};;;;;",
    )

    upload(as_admin, "clients", content)
    commit(as_admin, last_run())
    first = counts()
    upload(as_admin, "clients", content)
    commit(as_admin, last_run())

    assert first == ("committed", 1, 1, 1)
    assert counts() == ("committed", 0, 0, 3)
    steel = Client.objects.get(pk=base.steel.pk)
    assert (steel.name, steel.responsible_manager, steel.website, steel.version) == (
        "Siberian Steel Group",
        base.other_manager,
        "https://steel.example.com",
        2,
    )
    new = Client.objects.get(inn=new_inn)
    assert (new.kpp, new.status, new.responsible_manager, new.industry.name) == (
        "773601001",
        "prospect",
        base.manager,
        "Metals",
    )
    assert [entry.history_type for entry in new.history.all()] == ["+"]
    assert [entry.history_type for entry in steel.history.order_by("history_id")][-1] == "~"


def test_client_rows_with_problems_write_nothing(as_admin, base):
    ClientFactory(name="Branch", inn=STEEL_INN, kpp="540101001")
    before = database()
    content = csv_bytes(
        "Name;INN;KPP;Industry;Responsible manager;Status;Website",
        f"X;{STEEL_INN};;;;;",
        ";7707083893;;;;;",
        "Y;7707083893;12;Cars;nobody;closed;not a site",
    )

    upload(as_admin, "clients", content)
    commit(as_admin, last_run())

    assert problems(last_run()) == [
        (2, "INN", "Several clients have this INN: add the KPP column to tell them apart."),
        (3, "Name", "A new client needs a name."),
        (4, "KPP", "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits."),
        (4, "Industry", "No industry “Cars”."),
        (4, "Responsible manager", "No active user with the login or e-mail “nobody”."),
        (4, "Status", "Unknown value “closed”: use one of prospect, active, inactive."),
        (4, "Website", "Not a web address: “not a site”."),
    ]
    assert database() == before


# Refusals


def test_refusals_are_matched_by_client_date_group_and_reason(as_admin, base):
    RefusalFactory(
        client=base.steel, date=datetime.date(2026, 3, 1), product_group=base.cables, reason="price"
    )
    content = csv_bytes(
        "INN;Date;Product group;Reason;Note",
        f"{STEEL_INN};01.03.2026;Cables;Price;Too expensive",
        f"{ALFA_INN};2026-03-02;;Цена;",
        f"{ALFA_INN};2026-03-02;Pipes;delivery;",
    )

    upload(as_admin, "refusals", content)
    commit(as_admin, last_run())
    first = counts()
    upload(as_admin, "refusals", content)
    commit(as_admin, last_run())

    assert first == ("committed", 2, 1, 0)
    assert counts() == ("committed", 0, 0, 3)
    found = Refusal.objects.values_list("client__name", "date", "product_group__name", "reason", "note")
    assert sorted(found, key=lambda row: (row[0], row[1], row[2] or "")) == [
        ("Alfa Trade", datetime.date(2026, 3, 2), None, "price", ""),
        ("Alfa Trade", datetime.date(2026, 3, 2), "Pipes", "delivery", ""),
        ("Siberian Steel", datetime.date(2026, 3, 1), "Cables", "price", "Too expensive"),
    ]


def test_refusal_rows_with_problems_write_nothing(as_admin, base):
    before = database()
    content = csv_bytes(
        "INN;Date;Product group;Reason",
        f"{STEEL_INN};{tomorrow()};Cables;price",
        f"{STEEL_INN};01.03.2026;Bolts;mood",
    )

    upload(as_admin, "refusals", content)
    commit(as_admin, last_run())

    assert problems(last_run()) == [
        (2, "Date", "This date is in the future: enter the day it happened."),
        (3, "Product group", "No product group “Bolts”."),
        (
            3,
            "Reason",
            "Unknown value “mood”: use one of price, quality, service, delivery, competitor, other.",
        ),
    ]
    assert database() == before


# Estimates


def test_estimates_are_created_then_replaced_with_their_source_and_author(as_admin, admin_user, base):
    content = csv_bytes(
        "ИНН;Товарная группа;Потенциал;Источник;Дата оценки",
        f"{STEEL_INN};Cables;1 500 000;Survey after a purchase;15.03.2026",
        f"{ALFA_INN};Pipes;200000;journal;2026-03-10",
    )
    changed = csv_bytes(
        "ИНН;Товарная группа;Потенциал;Источник;Дата оценки",
        f"{STEEL_INN};Cables;1 600 000;survey;15.03.2026",
        f"{ALFA_INN};Pipes;200000;journal;2026-03-10",
    )

    for file in (content, content, changed):
        upload(as_admin, "estimates", file)
        commit(as_admin, last_run())

    assert [(run.created, run.updated, run.unchanged) for run in ImportRun.objects.order_by("pk")] == [
        (2, 0, 0),
        (0, 0, 2),
        (0, 1, 1),
    ]
    steel = PotentialEstimate.objects.get(client=base.steel)
    assert (steel.amount, steel.source, steel.estimated_on, steel.author) == (
        Decimal("1600000.00"),
        "survey",
        datetime.date(2026, 3, 15),
        admin_user,
    )
    assert [entry.history_type for entry in steel.history.order_by("history_id")] == ["+", "~"]


def test_a_manager_imports_estimates_for_their_clients_only(as_manager, base):
    before = database()
    content = csv_bytes(
        "INN;Product group;Amount;Source;Estimated on",
        f"{STEEL_INN};Cables;100;survey;01.03.2026",
        f"{OTHER_INN};Cables;100;survey;01.03.2026",
        f"{ALFA_INN};Cables;100;survey;{tomorrow()}",
    )

    upload(as_manager, "estimates", content)
    commit(as_manager, last_run())

    # Another manager's client reads exactly as a client that does not exist.
    assert problems(last_run()) == [
        (3, "INN", "No client with this INN."),
        (4, "Estimated on", "An estimate cannot be dated in the future."),
    ]
    assert database() == before

    fixed = csv_bytes(
        "INN;Product group;Amount;Source;Estimated on", f"{STEEL_INN};Cables;100;survey;01.03.2026"
    )
    upload(as_manager, "estimates", fixed)
    commit(as_manager, last_run())

    assert list(PotentialEstimate.objects.values_list("client__name", "amount", "author__username")) == [
        ("Siberian Steel", Decimal("100.00"), "manager")
    ]


# Contacts and points of presence


def test_contacts_are_matched_by_client_and_name(as_admin, base):
    from accounts.models import Contact
    from tests.factories import ContactFactory

    ContactFactory(client=base.steel, name="Ivan Kuzmin", position="Buyer", influence=10)
    content = csv_bytes(
        "ИНН;ФИО;Должность;Телефон;Эл. почта;День рождения;Роль в ГПР;Влияние, %;Отношение к нам",
        f"{STEEL_INN};ivan  kuzmin;Head of purchasing;;;;Decision maker;60;supporter",
        f"{ALFA_INN};Olga Lis;;8 912 345-67-89;olga@example.com;12.05.1980;;;",
    )

    upload(as_admin, "contacts", content)
    commit(as_admin, last_run())
    first = counts()
    upload(as_admin, "contacts", content)
    commit(as_admin, last_run())

    assert first == ("committed", 1, 1, 0)
    assert counts() == ("committed", 0, 0, 2)
    ivan = Contact.objects.get(client=base.steel)
    assert (ivan.name, ivan.position, ivan.decision_role, ivan.influence, ivan.attitude, ivan.version) == (
        "Ivan Kuzmin",
        "Head of purchasing",
        "decision_maker",
        60,
        "supporter",
        2,
    )
    olga = Contact.objects.get(client=base.alfa)
    assert (olga.phone, olga.email, olga.birthday) == (
        "+79123456789",
        "olga@example.com",
        datetime.date(1980, 5, 12),
    )
    assert [entry.history_type for entry in olga.history.all()] == ["+"]


def test_contact_rows_with_problems_write_nothing(as_admin, base):
    before = database()
    content = csv_bytes(
        "INN;Full name;Phone;Email;Birthday;Influence, %",
        f"{STEEL_INN};;;;;",
        f"{STEEL_INN};Anna;12;anna@;{tomorrow()};120",
    )

    upload(as_admin, "contacts", content)
    commit(as_admin, last_run())

    assert problems(last_run()) == [
        (2, "Full name", "This cell is empty."),
        (
            3,
            "Phone",
            "This is not a valid phone number. Type it with the country code, like +7 912 345-67-89.",
        ),
        (3, "Email", "Not an e-mail address: “anna@”."),
        (3, "Birthday", "A birthday must be in the past."),
        (3, "Influence, %", "Influence is a whole number from 0 to 100: “120”."),
    ]
    assert database() == before


def test_points_are_matched_by_client_country_region_and_city(as_admin, base):
    from accounts.models import PointOfPresence
    from tests.factories import PointFactory

    PointFactory(client=base.steel, country="RU", region="RU-KYA", city="Krasnoyarsk", is_head_office=False)
    content = csv_bytes(
        "ИНН;Страна;Регион;Город;Головной офис;Статус;Дата открытия",
        f"{STEEL_INN};Россия;RU-KYA;krasnoyarsk;да;;",
        f"{ALFA_INN};RU;Moscow;Moscow;no;planned;01.09.2027",
    )

    upload(as_admin, "points", content)
    commit(as_admin, last_run())
    first = counts()
    upload(as_admin, "points", content)
    commit(as_admin, last_run())

    assert first == ("committed", 1, 1, 0)
    assert counts() == ("committed", 0, 0, 2)
    found = PointOfPresence.objects.order_by("client__name").values_list(
        "client__name", "country", "region", "city", "is_head_office", "status", "planned_date"
    )
    assert list(found) == [
        ("Alfa Trade", "RU", "RU-MOW", "Moscow", False, "planned", datetime.date(2027, 9, 1)),
        ("Siberian Steel", "RU", "RU-KYA", "Krasnoyarsk", True, "open", None),
    ]


def test_point_rows_with_problems_write_nothing(as_admin, base):
    before = database()
    content = csv_bytes(
        "INN;Country;Region;Head office;Status",
        f"{STEEL_INN};Narnia;;;",
        f"{STEEL_INN};RU;Gotham;maybe;planned",
    )

    upload(as_admin, "points", content)
    commit(as_admin, last_run())

    assert problems(last_run()) == [
        (2, "Country", "No country “Narnia”: write its ISO code, such as RU."),
        (3, "Region", "No region “Gotham” in this country: write its ISO code, such as RU-MOW."),
        (3, "Head office", "Write yes or no: “maybe”."),
        (3, "Planned opening", "A planned point needs its planned opening date."),
    ]
    assert database() == before
