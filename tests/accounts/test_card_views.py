"""The client card's tabs, its history and sales, and creating a card."""

import datetime
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Client, ClientListColumns, Contact
from accounts.views import card as card_views
from tests.accounts.conftest import valid_inn
from tests.factories import (
    ClientFactory,
    ContactFactory,
    IndustryFactory,
    ManagerFactory,
    PointFactory,
    ProductGroupFactory,
    RefusalFactory,
    SaleFactory,
    TeamMemberFactory,
    TouchFactory,
)
from tests.helpers import messages_of

DM = Contact.DecisionRole.DECISION_MAKER
WARNING = "The influence of active contacts should add up to 100%."
NO_DM_BADGE = '<span class="badge text-bg-danger" id="no-decision-maker">No decision maker identified</span>'


def url(name, client, *args):
    return reverse(f"accounts:{name}", args=[client.pk, *args])


# Decision group (DOMAIN §2)


def test_overview_warns_when_influence_is_not_100_and_no_decision_maker(client_card, as_manager):
    ContactFactory(client=client_card, name="Olga Lebedeva", influence=30, decision_role="influencer")
    ContactFactory(client=client_card, name="Pavel Sokolov", influence=30, decision_role="user")
    ContactFactory(
        client=client_card, name="Former Director", influence=40, decision_role=DM, is_active=False
    )

    response = as_manager.get(url("client_detail", client_card))

    html = response.content.decode()
    group = response.context["group"]
    assert [c.name for c in group["contacts"]] == ["Olga Lebedeva", "Pavel Sokolov"]
    assert (group["influence_total"], group["influence_off"], group["no_decision_maker"]) == (60, True, True)
    assert '<span class="badge text-bg-warning fs-6" id="influence-total">Influence: 60%</span>' in html
    assert WARNING in html
    assert NO_DM_BADGE in html
    assert "Former Director" not in html


def test_overview_has_no_warning_at_exactly_100_with_a_decision_maker(client_card, as_manager):
    ContactFactory(client=client_card, name="Irina Belova", influence=70, decision_role=DM)
    ContactFactory(client=client_card, name="Pavel Sokolov", influence=30, decision_role="influencer")

    response = as_manager.get(url("client_detail", client_card))

    html = response.content.decode()
    assert '<span class="badge text-bg-light fs-6" id="influence-total">Influence: 100%</span>' in html
    assert WARNING not in html
    assert "No decision maker identified" not in html
    assert "<li>Irina Belova, Buyer — Decision maker, 70%</li>" in html


def test_contacts_tab_flags_missing_decision_maker_even_at_100(client_card, as_manager):
    ContactFactory(client=client_card, name="Pavel Sokolov", influence=100, decision_role="influencer")

    response = as_manager.get(url("client_contacts", client_card))

    html = response.content.decode()
    assert WARNING not in html
    assert NO_DM_BADGE in html


def test_card_without_contacts_flags_no_decision_maker_but_no_sum(client_card, as_manager):
    response = as_manager.get(url("client_detail", client_card))

    group = response.context["group"]
    assert (group["contacts"], group["influence_total"], group["influence_off"]) == ([], 0, False)
    assert NO_DM_BADGE in response.content.decode()
    assert WARNING not in response.content.decode()


# Personal information is for people with access to the card only


@pytest.fixture
def confidant(client_card):
    return ContactFactory(
        client=client_card,
        name="Irina Belova",
        decision_role=DM,
        influence=100,
        birthday=datetime.date(1975, 3, 14),
        personal_notes="Loves ice fishing; two daughters",
    )


@pytest.mark.parametrize("persona", ["as_manager", "as_director"])
def test_personal_notes_and_birthday_shown_to_people_with_access(persona, confidant, request):
    response = request.getfixturevalue(persona).get(url("client_contacts", confidant.client))

    html = response.content.decode()
    assert "Loves ice fishing; two daughters" in html
    assert '<td class="small">14 Mar 1975</td>' in html


def test_personal_notes_never_reach_the_outsider(confidant, as_outsider):
    client = confidant.client
    responses = [
        as_outsider.get(url("client_detail", client)),
        as_outsider.get(url("client_contacts", client)),
        as_outsider.get(url("entry_edit", client, "contacts", confidant.pk)),
        as_outsider.get(url("client_contacts", client), HTTP_HX_REQUEST="true"),
        as_outsider.get(url("client_history", client)),
    ]
    search = as_outsider.get(reverse("accounts:client_search"), {"q": "Siberian"})

    assert [r.status_code for r in responses] == [404] * 5
    for response in [*responses, search]:
        html = response.content.decode()
        assert "ice fishing" not in html
        assert "1975" not in html
        assert "Irina Belova" not in html


# Query counts do not grow with the size of the card


def _grow_card(client, count):
    manager = client.responsible_manager
    group = ProductGroupFactory(name="Cables")
    for index in range(count):
        colleague = ManagerFactory()
        contact = ContactFactory.create(
            client=client, influence=1, decision_role=DM if index == 0 else "other"
        )
        contact.known_by.set([manager, colleague])
        touch = TouchFactory.create(client=client, kind="meeting", created_by=manager)
        touch.contacts.set([contact])
        touch.participants.set([manager, colleague])
        PointFactory(client=client, region="RU-NVS", city=f"Town {index}", is_head_office=index == 0)
        RefusalFactory(client=client, product_group=group)
        TeamMemberFactory(client=client, user=colleague)
        SaleFactory(client=client, product_group=group, amount=100)


TAB_SIZE = {
    "client_detail": lambda context: len(context["points"]),
    "client_contacts": lambda context: len(context["group"]["contacts"]),
    "client_touches": lambda context: len(context["touches"]),
    "client_points": lambda context: len(context["points"]),
    "client_refusals": lambda context: len(context["refusals"]),
    "client_sales": lambda context: int(context["by_group"][0]["last"]) // 100,
}


# Each tab costs 2 queries for the session with the user, their roles, permissions and unread
# badge, and the client, plus its own; a new tab must be pinned here before its test can run.
TAB_QUERIES = {
    # the client with its segments and decisions (the segments panel's and the plans' suggestion's,
    # in the client's query), contacts (names, roles and influence only), points, touches +
    # contacts + participants (the last meeting among them), team, the plans panel's active
    # plans with their progress, the loyalty ladder's line (the last activity and the next, with
    # the highest rung reached)
    "client_detail": 10,
    "client_contacts": 5,  # contacts + known-by, the contacts again for the form
    "client_touches": 5,  # touches + contacts + participants
    "client_points": 3,
    "client_refusals": 4,  # refusals, refusals with their product group
    "client_sales": 4,  # sales, product groups
}


@pytest.mark.parametrize("tab", sorted(TAB_SIZE))
def test_card_tab_query_count_does_not_grow(tab, client_card, as_manager, assert_queries):
    queries = TAB_QUERIES[tab]
    _grow_card(client_card, 1)
    small = assert_queries(queries, lambda: as_manager.get(url(tab, client_card)))
    _grow_card(client_card, 19)

    large = assert_queries(queries, lambda: as_manager.get(url(tab, client_card)))

    assert (TAB_SIZE[tab](small.context), TAB_SIZE[tab](large.context)) == (1, 20)


def test_overview_lists_points_team_touches_and_last_meeting(client_card, teammate, as_manager):
    TeamMemberFactory(client=client_card, user=teammate, role="logistics")
    PointFactory(client=client_card, region="RU-KYA", city="Krasnoyarsk", is_head_office=True)
    PointFactory(
        client=client_card, region="RU-IRK", city="Irkutsk", status="planned", planned_date="2025-03-01"
    )
    TouchFactory(client=client_card, kind="meeting", date=datetime.date(2024, 4, 2), summary="Met the buyer")
    TouchFactory(
        client=client_card, kind="call", date=datetime.date(2024, 5, 6), summary="Called about prices"
    )

    response = as_manager.get(url("client_detail", client_card))

    html = response.content.decode()
    assert [str(p) for p in response.context["points"]] == ["Krasnoyarsk, RU-KYA", "Irkutsk, RU-IRK"]
    assert [t.summary for t in response.context["touches"]] == ["Called about prices", "Met the buyer"]
    assert response.context["last_met_on"] == datetime.date(2024, 4, 2)
    assert "<li>Tanya Orlova — Logistics</li>" in html
    assert '<span class="badge text-bg-info">planned 1 Mar 2025</span>' in html


def test_a_meeting_older_than_the_latest_touches_is_read_with_them(client_card, as_manager, assert_queries):
    """The last meeting's day comes with the latest touches, also when none of them is a
    meeting: no query of its own."""
    TouchFactory(client=client_card, kind="meeting", date=datetime.date(2024, 1, 9), summary="Met")
    for day in range(1, 6):
        TouchFactory(client=client_card, kind="call", date=datetime.date(2024, 2, day))
    as_manager.get(url("client_detail", client_card))

    response = assert_queries(
        TAB_QUERIES["client_detail"], lambda: as_manager.get(url("client_detail", client_card))
    )

    assert [t.kind for t in response.context["touches"]] == ["call"] * 5
    assert response.context["last_met_on"] == datetime.date(2024, 1, 9)
    assert "9 Jan 2024" in response.content.decode()


def test_overview_says_never_met_without_a_meeting(client_card, as_manager):
    TouchFactory(client=client_card, kind="call")

    response = as_manager.get(url("client_detail", client_card))

    assert response.context["last_met_on"] is None
    assert '<span class="badge text-bg-warning">never met</span>' in response.content.decode()


# History tab


def test_history_tab_shows_who_changed_which_field(client_card, manager, as_manager):
    as_manager.post(
        url("client_edit", client_card),
        {
            "name": "Siberian Steel Works",
            "legal_name": client_card.legal_name,
            "inn": client_card.inn,
            "industry": client_card.industry_id,
            "status": "active",
            "version": 1,
        },
    )

    response = as_manager.get(url("client_history", client_card))

    latest = response.context["entries"][0]
    assert (latest.subject, latest.action, latest.user) == ("Card", "changed", manager)
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("Name", "Siberian Steel", "Siberian Steel Works")
    ]


def test_history_tab_names_the_account_team_member(card, as_manager):
    response = as_manager.get(url("client_history", card.client))

    team = [e for e in response.context["entries"] if e.subject.startswith("Account team")]
    assert [(e.subject, e.action) for e in team] == [("Account team: Tanya Orlova", "created")]
    assert [(c.field, c.new) for c in team[0].changes] == [
        ("Employee", "Tanya Orlova"),
        ("Role", "Technical specialist"),
    ]


# Sales tab (chart and trailing 12 months), with the clock frozen


TODAY = datetime.date(2024, 6, 15)


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr(card_views, "timezone", SimpleNamespace(localdate=lambda: TODAY))
    return TODAY


def chart_json(response):
    match = re.search(
        r'<script id="sales-chart" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, "the sales-chart json_script is missing"
    return json.loads(match.group(1))


def test_sales_chart_has_24_months_and_one_dataset_per_group(client_card, frozen_today, as_manager):
    cables, pipes = ProductGroupFactory(name="Cables"), ProductGroupFactory(name="Pipes")
    for day, amount in [
        ("2024-06-03", "100.50"),
        ("2024-06-10", "200"),
        ("2022-07-01", "50"),
        ("2022-06-30", "999"),
    ]:
        SaleFactory(client=client_card, product_group=cables, date=day, amount=Decimal(amount))
    SaleFactory(client=client_card, product_group=pipes, date="2023-01-15", amount=Decimal("70"))
    SaleFactory(client=client_card, product_group=pipes, date="2023-01-31", amount=Decimal("5"))
    SaleFactory(client=ClientFactory(), product_group=pipes, date="2023-01-15", amount=Decimal("1000"))

    config = chart_json(as_manager.get(url("client_sales", client_card)))

    labels = config["data"]["labels"]
    datasets = {d["label"]: d["data"] for d in config["data"]["datasets"]}
    assert len(labels) == 24
    assert (labels[0], labels[6], labels[-1]) == ("07.2022", "01.2023", "06.2024")
    assert sorted(datasets) == ["Cables", "Pipes"]
    assert datasets["Cables"] == [50.0] + [0.0] * 22 + [300.5]
    assert datasets["Pipes"] == [0.0] * 6 + [75.0] + [0.0] * 17


def test_sales_tab_trailing_twelve_months_by_group(client_card, frozen_today, as_manager):
    cables, pipes = ProductGroupFactory(name="Cables"), ProductGroupFactory(name="Pipes")
    # 365 days before 2024-06-15 is 2023-06-16: the last 12 months start the day after it.
    for day, amount in [
        ("2024-06-15", 10),
        ("2023-06-17", 20),
        ("2023-06-16", 40),
        ("2022-06-17", 80),
        ("2022-06-16", 160),
    ]:
        SaleFactory(client=client_card, product_group=cables, date=day, amount=Decimal(amount))
    SaleFactory(client=client_card, product_group=pipes, date="2024-01-01", amount=Decimal("1500.40"))

    response = as_manager.get(url("client_sales", client_card))

    assert response.context["by_group"] == [
        {"group": "Cables", "last": Decimal("30"), "previous": Decimal("120")},
        {"group": "Pipes", "last": Decimal("1500.40"), "previous": 0},
    ]
    html = response.content.decode()
    assert (
        '<tr><td>Cables</td><td class="text-end text-nowrap">30\xa0RUB</td>'
        '<td class="text-end text-nowrap">120\xa0RUB</td></tr>'
    ) in html
    assert (
        '<tr><td>Pipes</td><td class="text-end text-nowrap">1,500\xa0RUB</td>'
        '<td class="text-end text-nowrap">0\xa0RUB</td></tr>'
    ) in html


def test_sales_tab_without_sales_has_no_chart(client_card, frozen_today, as_manager):
    SaleFactory(client=client_card, date="2022-06-16")

    response = as_manager.get(url("client_sales", client_card))

    html = response.content.decode()
    assert 'id="sales-chart"' not in html
    assert html.count("No sales in the last 24 months.") == 2


def test_sales_tab_survives_a_sale_dated_next_month(client_card, frozen_today, as_manager):
    cables = ProductGroupFactory(name="Cables")
    SaleFactory(client=client_card, product_group=cables, date="2024-07-01", amount=999)
    SaleFactory(client=client_card, product_group=cables, date=frozen_today, amount=10)

    response = as_manager.get(url("client_sales", client_card))

    chart = chart_json(response)
    assert len(chart["data"]["labels"]) == 24
    assert [d["data"][-1] for d in chart["data"]["datasets"]] == [10.0]


# Creating a card


CREATE_URL = reverse("accounts:client_create")


def create_data(**overrides):
    data = {
        "name": "Baikal Timber",
        "legal_name": 'OOO "Baikal Timber"',
        "inn": valid_inn("380800000"),
        "website": "baikal-timber.example",
        "status": "prospect",
        "notes": "Met at the Irkutsk fair",
    }
    data.update(overrides)
    return data


def test_manager_creating_a_client_becomes_responsible(manager, outsider, as_manager):
    industry = IndustryFactory.create(name="Timber")

    response = as_manager.post(
        CREATE_URL,
        create_data(name="  Baikal   Timber ", industry=industry.pk, responsible_manager=outsider.pk),
    )

    created = Client.objects.get(inn=valid_inn("380800000"))
    assert response.status_code == 302
    assert response.url == f"/clients/{created.pk}/"
    assert (created.name, created.responsible_manager, created.industry, created.status, created.version) == (
        "Baikal Timber",
        manager,
        industry,
        "prospect",
        1,
    )
    assert created.website == "https://baikal-timber.example"
    assert list(created.history.values_list("history_type", "history_user")) == [("+", manager.pk)]
    assert messages_of(response) == ["The card of Baikal Timber was created."]


@pytest.fixture
def ural(outsider):
    return ClientFactory(name="Ural Copper", inn=valid_inn("660100000"), responsible_manager=outsider)


DUPLICATE = "A client with this name or INN already exists. Check the list below before creating."


@pytest.mark.parametrize(
    "overrides",
    [
        {"inn": valid_inn("660100000")},
        {"name": "URAL copper"},
        {"name": "  ural   Copper "},
    ],
    ids=["same-inn", "name-other-case", "name-other-spacing"],
)
def test_duplicate_is_refused_and_lists_the_existing_client(overrides, ural, as_manager):
    before = Client.objects.count()

    response = as_manager.post(CREATE_URL, create_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [DUPLICATE]
    assert response.context["form"].duplicates == [ural]
    assert f"<li>Ural Copper (INN {ural.inn}) — responsible: Oleg Petrov</li>" in html
    assert f'href="/clients/{ural.pk}/"' not in html
    assert Client.objects.count() == before
    assert Client.history.count() == before


def test_duplicate_cyrillic_name_in_another_case_is_refused(outsider, as_manager):
    ClientFactory(name="Сибирская Сталь", responsible_manager=outsider)

    response = as_manager.post(CREATE_URL, create_data(name="СИБИРСКАЯ СТАЛЬ", inn=""))

    assert response.status_code == 200
    assert Client.objects.filter(name="СИБИРСКАЯ СТАЛЬ").count() == 0


def test_confirmed_duplicate_is_created(manager, ural, as_manager):
    response = as_manager.post(CREATE_URL, create_data(inn=ural.inn, confirm_duplicate="on"))

    assert response.status_code == 302
    assert sorted(Client.objects.filter(inn=ural.inn).values_list("name", "responsible_manager")) == [
        ("Baikal Timber", manager.pk),
        ("Ural Copper", ural.responsible_manager_id),
    ]


# KPP: INN + KPP identify a client; a branch shares the INN and has its own KPP

SAME_INN_KPP = "A client with this INN and KPP already exists."


@pytest.fixture
def ural_head_office(ural):
    ural.kpp = "660101001"
    ural.save()
    return ural


def test_a_branch_with_the_same_inn_is_warned_about_first(ural_head_office, as_manager):
    before = Client.objects.count()

    response = as_manager.post(CREATE_URL, create_data(inn=ural_head_office.inn, kpp="667101001"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [DUPLICATE]
    assert f"<li>Ural Copper (INN {ural_head_office.inn}, KPP 660101001) — responsible: Oleg Petrov</li>" in (
        response.content.decode()
    )
    assert Client.objects.count() == before


def test_a_confirmed_branch_with_the_same_inn_and_its_own_kpp_is_created(
    manager, ural_head_office, as_manager
):
    response = as_manager.post(
        CREATE_URL, create_data(inn=ural_head_office.inn, kpp="667101001", confirm_duplicate="on")
    )

    assert response.status_code == 302
    assert sorted(Client.objects.filter(inn=ural_head_office.inn).values_list("name", "kpp")) == [
        ("Baikal Timber", "667101001"),
        ("Ural Copper", "660101001"),
    ]


@pytest.mark.parametrize("confirm", [{}, {"confirm_duplicate": "on"}], ids=["unconfirmed", "confirmed"])
def test_the_same_inn_and_kpp_is_refused_even_when_confirmed(confirm, ural_head_office, as_manager):
    before = Client.objects.count()

    response = as_manager.post(CREATE_URL, create_data(inn=ural_head_office.inn, kpp="660101001", **confirm))

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {"kpp": [SAME_INN_KPP]}
    assert form.duplicates == [ural_head_office]
    assert (Client.objects.count(), Client.history.count()) == (before, before + 1)


def test_a_kpp_in_lower_case_is_kept_in_capitals(as_manager):
    as_manager.post(CREATE_URL, create_data(kpp=" 3808ab001 "))

    assert Client.objects.get(inn=valid_inn("380800000")).kpp == "3808AB001"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kpp": "38080100"},
            "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits.",
        ),
        (
            {"kpp": "3808Ж1001"},
            "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits.",
        ),
        (
            {"kpp": "38A801001"},
            "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits.",
        ),
        (
            {"kpp": "3808010AB"},
            "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits.",
        ),
        ({"kpp": "3808010011"}, "Ensure this value has at most 9 characters (it has 10)."),
        ({"kpp": "380801001", "inn": ""}, "A KPP goes with the company's INN: enter the INN too."),
        (
            {"kpp": "380801001", "inn": "500100732259"},
            "A sole trader (12-digit INN) has no KPP: leave it blank.",
        ),
    ],
    ids=[
        "8-chars",
        "cyrillic",
        "letter-in-office-code",
        "letters-in-number",
        "10-chars",
        "no-inn",
        "sole-trader",
    ],
)
def test_a_bad_kpp_is_refused_and_writes_nothing(overrides, message, as_manager):
    before = Client.objects.count()

    response = as_manager.post(CREATE_URL, create_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == {"kpp": [message]}
    assert Client.objects.count() == before


def test_a_kpp_with_a_mistyped_inn_reports_only_the_inn(as_manager):
    response = as_manager.post(CREATE_URL, create_data(inn="7707083894", kpp="770701001"))

    assert response.context["form"].errors == {
        "inn": ["This INN fails its checksum: check the digits for a typo."]
    }
    assert Client.objects.count() == 0


def test_the_card_and_the_list_show_inn_and_kpp(ural_head_office, director, as_director):
    ClientListColumns.objects.create(user=director, columns=["inn"])  # the list hides it by default
    card = as_director.get(url("client_detail", ural_head_office)).content.decode()
    listing = as_director.get(reverse("accounts:client_list")).content.decode()

    assert f"INN {ural_head_office.inn} · KPP 660101001" in card
    assert f'<td><span class="font-monospace small">{ural_head_office.inn}/660101001</span></td>' in listing


def test_the_database_refuses_a_second_card_with_the_same_inn_and_kpp(ural_head_office):
    ClientFactory(name="Ural Copper (no KPP yet)", inn=ural_head_office.inn, kpp="")
    ClientFactory(name="Ural Copper, Perm branch", inn=ural_head_office.inn, kpp="590401001")

    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(name="Ural Copper again", inn=ural_head_office.inn, kpp="660101001")

    assert Client.objects.filter(inn=ural_head_office.inn).count() == 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"inn": "7707083894"}, "inn", "This INN fails its checksum: check the digits for a typo."),
        ({"inn": "77070838931"}, "inn", "An INN has 10 digits (a company) or 12 digits (a sole trader)."),
        ({"inn": "77O7083893"}, "inn", "An INN has 10 digits (a company) or 12 digits (a sole trader)."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "N" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"website": "not a website"}, "website", "Enter a valid URL."),
        (
            {"status": "archived"},
            "status",
            "Select a valid choice. archived is not one of the available choices.",
        ),
    ],
    ids=[
        "inn-checksum",
        "inn-11-digits",
        "inn-letter",
        "name-empty",
        "name-blank",
        "name-201",
        "website",
        "status",
    ],
)
def test_bad_input_writes_nothing(overrides, field, message, manager, as_manager):
    before = Client.objects.count()

    response = as_manager.post(CREATE_URL, create_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Client.objects.count() == before
    assert Client.history.count() == before


def test_refusals_are_counted_by_quarter_and_reason(as_manager, client_card):
    for day, reason in [
        ("2026-01-10", "price"),
        ("2026-02-11", "price"),
        ("2026-03-30", "competitor"),
        ("2026-04-01", "price"),
    ]:
        RefusalFactory(client=client_card, date=day, reason=reason)

    response = as_manager.get(url("client_refusals", client_card))

    table = response.context["by_quarter"]
    assert [r.value for r in table["reasons"]] == ["price", "competitor"]
    assert [(r["year"], r["quarter"], r["counts"], r["total"]) for r in table["quarters"]] == [
        (2026, 2, [1, 0], 1),
        (2026, 1, [2, 1], 3),
    ]
    assert "Q1 2026" in response.content.decode()


def test_the_decision_group_shows_each_contact_s_last_touch_and_marks_stale_ones(client_card, as_manager):
    from datetime import date, timedelta

    from accounts.selectors import decision_group
    from tests.factories import ContactFactory, TouchFactory

    today = date(2026, 11, 30)
    recent = ContactFactory(client=client_card, name="Recent")
    old = ContactFactory(client=client_card, name="Old")
    never = ContactFactory(client=client_card, name="Never")
    TouchFactory(client=client_card, date=today - timedelta(days=5)).contacts.add(recent, old)
    TouchFactory(client=client_card, date=today - timedelta(days=200)).contacts.add(old)
    TouchFactory(client=client_card, date=today - timedelta(days=95)).contacts.add(never)
    never.touches.clear()

    rows = {c.name: (c.last_touch, c.stale) for c in decision_group(client_card, today=today)["contacts"]}

    assert rows == {
        "Recent": (today - timedelta(days=5), False),
        "Old": (today - timedelta(days=5), False),
        "Never": (None, True),
    }
    stale = ContactFactory(client=client_card, name="Stale")
    TouchFactory(client=client_card, date=today - timedelta(days=91)).contacts.add(stale)
    assert {c.name: c.stale for c in decision_group(client_card, today=today)["contacts"]}["Stale"] is True


# The touches tab, a page at a time


def test_the_touches_tab_shows_a_page_of_the_newest_touches_and_pages_to_older_ones(
    client_card, as_manager, monkeypatch
):
    monkeypatch.setattr(card_views, "TOUCHES_PER_PAGE", 3)
    start = datetime.date(2026, 1, 1)
    for day in range(7):
        TouchFactory(client=client_card, date=start + datetime.timedelta(days=day), summary=f"Day {day}")

    first = as_manager.get(url("client_touches", client_card))
    page = first.context["page"]
    second = as_manager.get(url("client_touches", client_card), {"after": page.next_cursor})
    last = as_manager.get(url("client_touches", client_card), {"after": second.context["page"].next_cursor})
    back = as_manager.get(
        url("client_touches", client_card), {"before": last.context["page"].previous_cursor}
    )

    assert [t.summary for t in first.context["touches"]] == ["Day 6", "Day 5", "Day 4"]
    assert f'href="?after={page.next_cursor}"' in first.content.decode()
    assert [t.summary for t in second.context["touches"]] == ["Day 3", "Day 2", "Day 1"]
    assert [t.summary for t in last.context["touches"]] == ["Day 0"]
    assert last.context["page"].next_cursor == ""
    assert [t.summary for t in back.context["touches"]] == ["Day 3", "Day 2", "Day 1"]


def test_a_broken_touches_cursor_shows_the_first_page(client_card, as_manager):
    TouchFactory(client=client_card, summary="The only one")

    response = as_manager.get(
        url("client_touches", client_card), {"after": "not-a-cursor", "before": "x" * 500}
    )

    assert [t.summary for t in response.context["touches"]] == ["The only one"]
