"""The review printed on A4 landscape and exported to Excel: localised headers, a frozen header
row, an autofilter, flags as columns, and formulas escaped."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kam.excel import escaped
from segmentation.models import ActionItem, Decision
from segmentation.radar.flags import FLAGS
from segmentation.reviews import services
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def export_url(review):
    return reverse("segmentation:review_export", args=[review.pk])


def print_url(review):
    return reverse("segmentation:review_print", args=[review.pk])


def workbook(response):
    return load_workbook(BytesIO(response.getvalue()))


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+7 913", "'+7 913"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Plain", "Plain"),
        (12, 12),
    ],
)
def test_formulas_are_escaped(text, cell):
    assert escaped(text) == cell


def test_the_excel_file_has_the_clients_with_flags_as_columns(review, base, director, manager, as_director):
    item = review.items.get(client=base["candidate_small"])
    services.review_decide(item=item, decision="watch", note="=cmd|' /C calc'!A0", by=director)
    services.action_add(
        item=item, what="@Visit Paris", owner=manager, due=date.today() + timedelta(days=5), by=director
    )

    response = as_director.get(export_url(review))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="review-')
    book = workbook(response)
    assert book.sheetnames == ["Clients", "Action items", "Minutes"]
    sheet = book["Clients"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["#", "Client", "INN", "Key status"]
    assert headers[13 : 13 + len(FLAGS)] == [str(flag.label) for flag in FLAGS]
    assert headers[-3:] == ["Decision", "Note", "Decided by"]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == (
        "A2",
        f"A1:{sheet.cell(1, len(headers)).column_letter}5",
    )
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == ["Alfa Key", "Beta Key", "Gamma Candidate", "Delta Candidate"]
    delta = dict(zip(headers, rows["Delta Candidate"], strict=True))
    assert (delta["Key status"], delta["Tier"], delta["Responsible manager"]) == (
        "Candidate",
        "Silver",
        "Nobody",
    )
    assert (delta["Nobody responsible"], delta["Never met"], delta["Manager over capacity"]) == (
        "yes",
        "yes",
        None,
    )
    assert (delta["Decision"], delta["Note"], delta["Decided by"]) == (
        "Watch",
        "'=cmd|' /C calc'!A0",
        "Dmitry Volkov",
    )
    assert dict(zip(headers, rows["Alfa Key"], strict=True))["Potential"] == 9000.0
    actions = list(book["Action items"].iter_rows(values_only=True))
    assert actions[0] == ("Client", "What", "Owner", "Due", "Status", "Overdue")
    assert actions[1][:3] == ("Delta Candidate", "'@Visit Paris", "Anna Smirnova")
    assert actions[1][4:] == ("Open", None)
    minutes = list(book["Minutes"].iter_rows(values_only=True))
    assert minutes[0][-1] == "Minutes"
    assert minutes[1][1] == "Dmitry Volkov"


def test_the_excel_headers_follow_the_language(review, as_director):
    as_director.cookies["django_language"] = "ru"
    with translation.override("ru"):
        response = as_director.get(export_url(review), HTTP_ACCEPT_LANGUAGE="ru")
    book = workbook(response)
    assert book.sheetnames == ["Клиенты", "Поручения", "Протокол"]
    assert [cell.value for cell in book.worksheets[0][1]][1] == "Клиент"


def test_the_print_view_lists_every_client_action_and_the_minutes(
    review, base, director, manager, as_director
):
    item = review.items.get(client=base["key_gold"])
    ActionItem.objects.create(
        item=item, what="Late call", owner=manager, due=date.today() - timedelta(days=1), created_by=director
    )
    services.review_close(
        review=review, attendees=[director], guests="CEO", summary="Agreed the list.", by=director
    )

    page = as_director.get(print_url(review)).content.decode()

    assert (
        page.index("Alfa Key")
        < page.index("Beta Key")
        < page.index("Gamma Candidate")
        < page.index("Delta Candidate")
    )
    assert "Nobody responsible; No touch lately; Never met; No decision maker known" in page
    assert 'class="overdue"' in page
    assert "Agreed the list." in page
    assert "css/print.css" in page
    assert "<nav" not in page


def test_a_printed_row_names_manager_and_decision_and_escapes_the_note(review, base, manager, as_director):
    item = review.items.get(client=base["key_gold"])
    manager.first_name, manager.last_name = "Anna", "Petrova"
    manager.save()
    review.items.filter(pk=item.pk).update(decision=Decision.KEEP, note="<b>as is</b>", manager=manager)

    page = as_director.get(print_url(review)).content.decode()

    row = page[page.index("<td>Alfa Key</td>") : page.index("</tr>", page.index("<td>Alfa Key</td>"))]
    assert "<td>Anna Petrova</td>" in row
    assert row.endswith("<td>Keep</td><td>&lt;b&gt;as is&lt;/b&gt;</td>")


@pytest.mark.parametrize("extra", [0, 50])
def test_print_and_excel_run_a_constant_number_of_queries(review, as_director, assert_queries, extra):
    from segmentation.models import ReviewItem

    clients = ClientFactory.create_batch(extra)
    ReviewItem.objects.bulk_create(
        ReviewItem(review=review, client=c, position=5 + n) for n, c in enumerate(clients)
    )
    assert_queries(4, lambda: as_director.get(print_url(review)))
    assert_queries(5, lambda: as_director.get(export_url(review)))


def test_a_manager_gets_neither(review, as_manager):
    assert as_manager.get(print_url(review)).status_code == 403
    assert as_manager.get(export_url(review)).status_code == 403


def test_an_admin_may_print_and_export(review, as_admin):
    assert as_admin.get(print_url(review)).status_code == 200
    assert as_admin.get(export_url(review)).status_code == 200
    assert as_admin.post(export_url(review)).status_code == 405


def test_the_print_is_drawn_once_per_version_of_the_review_and_day(
    review, base, director, as_director, assert_queries, monkeypatch
):
    first = as_director.get(print_url(review)).content.decode()

    # the session with the user, their permissions, review: the sheet itself comes from the cache
    assert_queries(2, lambda: as_director.get(print_url(review)))
    assert as_director.get(print_url(review)).content.decode() == first

    item = review.items.get(client=base["key_gold"])
    services.review_decide(item=item, decision=Decision.WATCH, note="Call in May", by=director)
    decided = as_director.get(print_url(review)).content.decode()
    assert "Call in May" not in first
    assert "<td>Watch</td><td>Call in May</td>" in decided

    ActionItem.objects.create(  # written behind the services' back: the review's version stays
        item=item, what="Late call", owner=director, due=date.today(), created_by=director
    )
    assert as_director.get(print_url(review)).content.decode() == decided
    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr("segmentation.reviews.views.timezone.localdate", lambda: tomorrow)
    assert 'class="overdue"' in as_director.get(print_url(review)).content.decode()
