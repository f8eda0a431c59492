"""The potential table on the card: figures per product group, inline and plain editing, access."""

import re
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import TeamMember
from segmentation.models import ClientSegment, NightlyRun, Policy, PotentialEstimate
from segmentation.potential import services as estimates
from segmentation.potential.selectors import potential_table, stale_before
from tests.factories import ClientFactory, ManagerFactory, ProductGroupFactory, SaleFactory, TeamMemberFactory
from tests.helpers import messages_of

TODAY = date(2026, 6, 15)


@pytest.fixture
def cables(db):
    return ProductGroupFactory(name="Cables")


@pytest.fixture
def teammate(client_card):
    user = ManagerFactory(username="teammate", first_name="Tanya", last_name="Orlova")
    TeamMemberFactory(client=client_card, user=user, role=TeamMember.Role.TECHNICAL)
    return user


def estimate(
    client: Any, group: Any, amount: Any, *, on: date = TODAY, author: Any = None
) -> PotentialEstimate:
    return PotentialEstimate.objects.create(
        client=client,
        product_group=group,
        amount=Decimal(amount),
        source="survey",
        estimated_on=on,
        author=author,
    )


def state(client: Any) -> list[tuple[Any, ...]]:
    """Every estimate of the client, to prove a refused request wrote nothing."""
    rows = PotentialEstimate.objects.filter(client=client).order_by("product_group__name")
    return list(rows.values_list("product_group__name", "amount", "source", "estimated_on", "author_id"))


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} in the form"
    return unescape(match.group(1))


def potential_url(client: Any) -> str:
    return reverse("segmentation:potential", args=[client.pk])


def new_url(client: Any, group: Any) -> str:
    return reverse("segmentation:estimate_new", args=[client.pk, group.pk])


def edit_url(client: Any, row: PotentialEstimate) -> str:
    return reverse("segmentation:estimate_edit", args=[client.pk, row.pk])


def delete_url(client: Any, row: PotentialEstimate) -> str:
    return reverse("segmentation:estimate_delete", args=[client.pk, row.pk])


def valid(**changes: Any) -> dict[str, Any]:
    return {"amount": "1200000.50", "source": "service", "estimated_on": "2026-05-04", "seen": ""} | changes


# The table's figures


def test_potential_table_per_group_and_totals(client_card):
    cables, pipes, paint, old, retired = (
        ProductGroupFactory(name=n) for n in ["Cables", "Pipes", "Paint", "Old stock", "Retired"]
    )
    old.is_active = retired.is_active = False
    old.save()
    retired.save()
    year_ago = TODAY - timedelta(days=365)
    for group, day, amount in [
        (cables, TODAY, 300),
        (cables, year_ago + timedelta(days=1), 500),
        (cables, year_ago, 10_000),  # the 366th day back: outside the 365 days ending today
        (cables, TODAY + timedelta(days=1), 10_000),  # after today
        (pipes, TODAY - timedelta(days=30), 2_000),  # above its estimate: a 100% share
        (paint, TODAY - timedelta(days=30), 400),  # no estimate
        (old, TODAY - timedelta(days=30), 999),  # inactive without an estimate: not listed
    ]:
        SaleFactory(client=client_card, product_group=group, date=day, amount=amount)
    SaleFactory(product_group=cables, date=TODAY, amount=7_777)  # another client's sale
    estimate(client_card, cables, 1000)
    estimate(client_card, pipes, 1500, on=months_before(TODAY, 12))
    estimate(client_card, retired, 200, on=months_before(TODAY, 12) - timedelta(days=1))

    table = potential_table(client_card, today=TODAY, policy=Policy.current())

    rows = [
        (
            r.group.name,
            r.estimate.amount if r.estimate else None,
            r.ours,
            r.share,
            r.headroom,
            r.whitespace,
            r.stale,
        )
        for r in table.rows
    ]
    assert rows == [
        ("Cables", Decimal(1000), Decimal(800), Decimal(80), Decimal(200), False, False),
        ("Paint", None, Decimal(400), None, None, False, False),
        ("Pipes", Decimal(1500), Decimal(2000), Decimal(100), Decimal(0), False, False),
        ("Retired", Decimal(200), Decimal(0), Decimal(0), Decimal(200), True, True),
    ]
    assert (table.potential, table.ours, table.covered, table.headroom) == (
        Decimal(2700),
        Decimal(3200),
        Decimal(2300),
        Decimal(400),
    )
    assert table.share_text == "85"
    assert table.analysed is True


def test_whitespace_is_an_estimate_with_our_share_below_the_limit(client_card):
    groups = [ProductGroupFactory(name=n) for n in ["A none", "B low", "C at limit", "D zero estimate"]]
    for group, amount, sold in zip(groups, [1000, 1000, 1000, 0], [0, 699, 700, 50], strict=True):
        estimate(client_card, group, amount)
        if sold:
            SaleFactory(client=client_card, product_group=group, date=TODAY, amount=sold)

    table = potential_table(client_card, today=TODAY, policy=Policy.current())

    assert [(r.group.name, r.whitespace, r.share_text) for r in table.rows] == [
        ("A none", True, "0"),
        ("B low", True, "69.9"),
        ("C at limit", False, "70"),
        ("D zero estimate", False, ""),
    ]


def months_before(day: date, months: int) -> date:
    return stale_before(day, Policy(estimate_stale_months=months))


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert months_before(date(2026, 6, 15), 12) == date(2025, 6, 15)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 10), 13) == date(2024, 12, 10)


def test_potential_page_query_count_does_not_grow_with_product_groups(
    as_manager, client_card, assert_queries
):
    # the session with the user, their roles, permissions and unread badge, client, policy, estimates,
    # sales, product groups, segment
    queries = 7
    as_manager.get(potential_url(client_card))  # the session, the policy row: once per test
    for size in (1, 8):
        client = ClientFactory(responsible_manager=client_card.responsible_manager)
        for n in range(size):
            group = ProductGroupFactory(name=f"{client.pk} group {n}")
            estimate(client, group, 1000 + n)
            SaleFactory(client=client, product_group=group, date=timezone.localdate(), amount=100)
        response = assert_queries(queries, partial(as_manager.get, potential_url(client)))
        assert response.status_code == 200
        assert sum(1 for row in response.context["page"].table.rows if row.estimate) == size


def test_a_categorised_client_s_page_reads_the_policy_with_the_run_s_totals(
    as_manager, client_card, assert_queries
):
    # the session with the user, their roles, permissions and unread badge, client, segment, the
    # policy with the last run's totals, estimates, sales, product groups
    ClientSegment.objects.create(
        client=client_card, category="A", revenue=Decimal(900), potential=Decimal(1000)
    )
    totals = {"clients": 1, "active": 1, "revenue": "900", "potential": "1000"}
    NightlyRun.objects.create(run_on=TODAY, status=NightlyRun.Status.SUCCESS, totals=totals)
    as_manager.get(potential_url(client_card))  # the client's rank, counted once for the run

    response = assert_queries(7, partial(as_manager.get, potential_url(client_card)))

    assert response.context["page"].category.headline == "A"


def test_sales_of_every_group_come_from_one_query(client_card, assert_queries):
    for n in range(8):
        group = ProductGroupFactory(name=f"G{n}")
        SaleFactory(client=client_card, product_group=group, date=TODAY, amount=10)
        estimate(client_card, group, 100)
    policy = Policy.current()

    table = assert_queries(3, lambda: potential_table(client_card, today=TODAY, policy=policy))

    assert [r.ours for r in table.rows] == [Decimal(10)] * 8


# The page


def test_client_without_an_estimate_is_not_analysed_and_shows_no_category(as_manager, client_card, cables):
    ClientSegment.objects.create(client=client_card, category="", revenue=Decimal(5))

    response = as_manager.get(potential_url(client_card))

    html = response.content.decode()
    assert response.context["page"].table.analysed is False
    assert response.context["page"].category is None
    assert "Not analysed yet." in html
    assert "Fill in the table: for each product group" in html
    assert "Category at the last nightly run" not in html


def test_analysed_client_shows_the_nightly_category_with_its_reason(as_manager, client_card, cables):
    estimate(client_card, cables, 1000)
    ClientSegment.objects.create(
        client=client_card,
        category="C",
        revenue=Decimal(100),
        buys_a_lot=False,
        potential=Decimal(1000),
        covered_sales=Decimal(100),
        can_buy_more=True,
    )
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(900))

    response = as_manager.get(potential_url(client_card))

    assert str(response.context["page"].category) == (
        "C — outside the top 80% of revenue (rank 2 of 2);"
        " share of wallet 10% is below 70%, headroom 900\xa0RUB"
    )
    assert "Not analysed yet." not in response.content.decode()


def test_page_marks_whitespace_and_stale_rows(as_manager, client_card, cables):
    estimate(client_card, cables, 1000, on=timezone.localdate() - timedelta(days=400))

    html = as_manager.get(potential_url(client_card)).content.decode()

    assert 'class="table-warning"' in html
    assert "whitespace: room to grow" in html
    assert ">stale</span>" in html


def test_amounts_in_the_table_and_the_form_name_the_currency(as_manager, client_card, cables):
    estimate(client_card, cables, 1_234_567)

    table = as_manager.get(potential_url(client_card)).content.decode()
    form = as_manager.get(new_url(client_card, cables)).content.decode()

    cells = re.findall(r'<td class="text-end text-nowrap">([^<]*)</td>', table)
    assert cells == [
        "1,234,567\xa0RUB",  # the row: estimate, our sales, headroom
        "0\xa0RUB",
        "1,234,567\xa0RUB",
        "1,234,567\xa0RUB",  # the totals
        "0\xa0RUB",
        "1,234,567\xa0RUB",
    ]
    assert "Yearly purchases, all suppliers, RUB" in form


def test_director_sees_the_table_read_only(as_director, client_card, cables):
    row = estimate(client_card, cables, 1000)

    response = as_director.get(potential_url(client_card))

    html = response.content.decode()
    assert response.status_code == 200
    assert edit_url(client_card, row) not in html
    assert new_url(client_card, cables) not in html
    assert "The account team has not estimated" not in html


# Creating, editing and deleting


def test_manager_creates_an_estimate_on_the_plain_page(as_manager, client_card, cables, manager):
    form = as_manager.get(new_url(client_card, cables))
    assert form.status_code == 200
    assert form.templates[0].name == "segmentation/card_estimate_form.html"

    response = as_manager.post(new_url(client_card, cables), valid())

    assert response.status_code == 302
    assert response.url == potential_url(client_card)
    assert messages_of(response) == ["The estimate was saved."]
    assert state(client_card) == [("Cables", Decimal("1200000.50"), "service", date(2026, 5, 4), manager.pk)]
    history = PotentialEstimate.history.get()
    assert (history.history_type, history.history_user_id) == ("+", manager.pk)


def test_teammate_edits_inline_with_htmx_and_becomes_the_author(
    as_manager, client, client_card, cables, teammate
):
    row = estimate(client_card, cables, 1000, author=client_card.responsible_manager)
    client.force_login(teammate)

    form = client.get(edit_url(client_card, row), headers={"HX-Request": "true"})
    html = form.content.decode()
    assert html.lstrip().startswith(f'<tr id="row-{cables.pk}"')
    assert 'value="1000.00"' in html
    seen = hidden_value(html, "seen")
    assert seen == estimates.fingerprint(PotentialEstimate.objects.get(pk=row.pk))

    response = client.post(
        edit_url(client_card, row), valid(amount="2500", seen=seen), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#potential", "outerHTML")
    assert response.content.decode().lstrip().startswith('<div id="potential">')
    assert "2,500" in response.content.decode()
    assert state(client_card) == [("Cables", Decimal(2500), "service", date(2026, 5, 4), teammate.pk)]
    assert PotentialEstimate.history.count() == 2


def test_htmx_new_row_form_and_cancel_returns_the_table(as_manager, client_card, cables):
    form = as_manager.get(new_url(client_card, cables), headers={"HX-Request": "true"})
    cancel = as_manager.get(potential_url(client_card), headers={"HX-Request": "true"})

    assert 'name="amount"' in form.content.decode()
    assert f'id="id_group{cables.pk}_amount"' in form.content.decode()
    assert cancel.content.decode().lstrip().startswith('<div id="potential">')
    assert cancel["HX-Retarget"] == "#potential"


def test_new_on_a_group_with_an_estimate_replaces_it(as_manager, client_card, cables, manager):
    row = estimate(client_card, cables, 1000)

    as_manager.post(new_url(client_card, cables), valid(amount="10", seen=estimates.fingerprint(row)))

    assert state(client_card) == [("Cables", Decimal(10), "service", date(2026, 5, 4), manager.pk)]


def test_delete_plain_and_htmx(as_manager, client_card, cables, manager):
    pipes = ProductGroupFactory(name="Pipes")
    first, second = estimate(client_card, cables, 1000), estimate(client_card, pipes, 50)

    plain = as_manager.post(delete_url(client_card, first))
    inline = as_manager.post(delete_url(client_card, second), headers={"HX-Request": "true"})

    assert (plain.status_code, plain.url) == (302, potential_url(client_card))
    assert messages_of(plain) == ["The estimate was deleted."]
    assert inline.status_code == 200
    assert "Not analysed yet." in inline.content.decode()
    assert state(client_card) == []
    deleted = PotentialEstimate.history.filter(history_type="-").values_list("history_user_id", flat=True)
    assert list(deleted) == [manager.pk, manager.pk]


def test_a_stale_form_is_refused_and_writes_nothing(as_manager, client_card, cables, director):
    row = estimate(client_card, cables, 1000)
    seen = estimates.fingerprint(row)
    estimates.estimate_save(
        client=client_card,
        product_group=cables,
        amount=Decimal(3000),
        source="journal",
        estimated_on=TODAY,
        author=director,
    )
    before = state(client_card)

    response = as_manager.post(edit_url(client_card, row), valid(seen=seen))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Dmitry Volkov saved this estimate after you opened the form: 3,000\xa0RUB, "
        "estimated on 15 Jun 2026. "
        "Nothing was saved; check the values and save again."
    ]
    assert state(client_card) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "Ensure this value is greater than or equal to 0."),
        ({"amount": "a lot"}, "amount", "Enter a number."),
        ({"amount": "NaN"}, "amount", "Enter a number."),
        ({"amount": "10.005"}, "amount", "Ensure that there are no more than 2 decimal places."),
        ({"amount": "1" * 20}, "amount", "Ensure this value is less than or equal to 100000000000."),
        ({"amount": ""}, "amount", "This field is required."),
        ({"source": ""}, "source", "This field is required."),
        (
            {"source": "rumour"},
            "source",
            "Select a valid choice. rumour is not one of the available choices.",
        ),
        ({"estimated_on": "2999-01-01"}, "estimated_on", "An estimate cannot be dated in the future."),
        ({"estimated_on": "9999-12-31"}, "estimated_on", "An estimate cannot be dated in the future."),
        ({"estimated_on": "1899-12-31"}, "estimated_on", "Enter a date between 1900-01-01 and 2099-12-31."),
        ({"estimated_on": "31.02.2026"}, "estimated_on", "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(as_manager, client_card, cables, changes, field, message):
    row = estimate(client_card, cables, 1000)
    before = state(client_card)

    plain = as_manager.post(edit_url(client_card, row), valid(seen=estimates.fingerprint(row)) | changes)
    inline = as_manager.post(
        new_url(client_card, cables),
        valid(seen=estimates.fingerprint(row)) | changes,
        headers={"HX-Request": "true"},
    )

    assert plain.status_code == inline.status_code == 200
    assert plain.context["form"].errors[field] == [message]
    assert escape(message) in inline.content.decode()
    assert inline.content.decode().lstrip().startswith("<tr")
    assert state(client_card) == before


def test_empty_post_writes_nothing(as_manager, client_card, cables):
    response = as_manager.post(new_url(client_card, cables), {})

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == ["This field is required."]
    assert state(client_card) == []


def test_another_clients_estimate_or_an_inactive_group_is_404(as_manager, client_card, cables):
    other = ClientFactory(responsible_manager=client_card.responsible_manager)
    foreign = estimate(ClientFactory(), cables, 1000)
    retired = ProductGroupFactory(name="Retired", is_active=False)
    before = PotentialEstimate.objects.count()

    edit = as_manager.post(edit_url(client_card, foreign), valid())
    delete = as_manager.post(delete_url(client_card, foreign))
    own_other = as_manager.post(reverse("segmentation:estimate_delete", args=[other.pk, foreign.pk]))
    inactive = as_manager.get(new_url(client_card, retired))

    assert [edit.status_code, delete.status_code, own_other.status_code, inactive.status_code] == [404] * 4
    assert PotentialEstimate.objects.count() == before


def test_services_create_replace_and_delete(client_card, cables, manager):
    saved = estimates.estimate_save(
        client=client_card,
        product_group=cables,
        amount=Decimal(5),
        source="other",
        estimated_on=TODAY,
        author=manager,
    )
    again = estimates.estimate_save(
        client=client_card,
        product_group=cables,
        amount=Decimal(7),
        source="survey",
        estimated_on=TODAY,
        author=manager,
        seen=estimates.fingerprint(PotentialEstimate.objects.get(pk=saved.pk)),
    )
    assert again.pk == saved.pk
    assert state(client_card) == [("Cables", Decimal(7), "survey", TODAY, manager.pk)]

    estimates.estimate_delete(estimate=again, by=manager)

    assert state(client_card) == []
    assert list(PotentialEstimate.history.values_list("history_type", "amount").order_by("history_id")) == [
        ("+", Decimal(5)),
        ("~", Decimal(7)),
        ("-", Decimal(7)),
    ]


# Access: anonymous, outsider, read-only, wrong method


def urls(client: Any, group: Any, row: PotentialEstimate) -> dict[str, str]:
    return {
        "potential": potential_url(client),
        "estimate_new": new_url(client, group),
        "estimate_edit": edit_url(client, row),
        "estimate_delete": delete_url(client, row),
    }


@pytest.mark.parametrize("name", ["potential", "estimate_new", "estimate_edit", "estimate_delete"])
def test_anonymous_is_sent_to_log_in(client, client_card, cables, name):
    url = urls(client_card, cables, estimate(client_card, cables, 1))[name]

    response = client.get(url) if name == "potential" else client.post(url, valid())

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ["potential", "estimate_new", "estimate_edit", "estimate_delete"])
def test_outsider_gets_404_everywhere(as_outsider, client_card, cables, name):
    url = urls(client_card, cables, estimate(client_card, cables, 1))[name]
    before = state(client_card)

    allowed = {"potential": ["get"], "estimate_delete": ["post"]}.get(name, ["get", "post"])

    codes = [
        getattr(as_outsider, method)(url, valid() if method == "post" else None).status_code
        for method in allowed
    ]

    assert codes == [404] * len(allowed)
    assert state(client_card) == before


@pytest.mark.parametrize("persona", ["as_director", "as_admin"])
@pytest.mark.parametrize("name", ["estimate_new", "estimate_edit", "estimate_delete"])
def test_read_only_people_get_403_on_writes(request, client_card, cables, persona, name):
    browser = request.getfixturevalue(persona)
    url = urls(client_card, cables, estimate(client_card, cables, 1))[name]
    before = state(client_card)

    response = browser.post(url, valid(), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert state(client_card) == before
    assert browser.get(potential_url(client_card)).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("potential", "post"),
        ("potential", "put"),
        ("estimate_new", "put"),
        ("estimate_edit", "delete"),
        ("estimate_delete", "get"),
    ],
)
def test_wrong_method_is_405(as_manager, client_card, cables, name, method):
    url = urls(client_card, cables, estimate(client_card, cables, 1))[name]

    assert getattr(as_manager, method)(url).status_code == 405


def test_an_estimate_dated_today_or_on_1900_01_01_is_saved(as_manager, client_card, cables):
    today = timezone.localdate()

    as_manager.post(new_url(client_card, cables), valid(estimated_on=today.isoformat()))
    saved_today = state(client_card)
    row = PotentialEstimate.objects.get(client=client_card)
    as_manager.post(
        edit_url(client_card, row), valid(estimated_on="1900-01-01", seen=estimates.fingerprint(row))
    )

    assert [row[3] for row in saved_today] == [today]
    assert [row[3] for row in state(client_card)] == [date(1900, 1, 1)]


def test_an_estimate_posted_for_an_inactive_group_is_404_and_writes_nothing(as_manager, client_card):
    retired = ProductGroupFactory(name="Retired", is_active=False)

    response = as_manager.post(new_url(client_card, retired), valid())

    assert response.status_code == 404
    assert state(client_card) == []
