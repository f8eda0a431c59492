"""The smoke client reads the product's pages as a browser would: the fields a form submits
(hidden CSRF token, a select's selected option, no unchecked box), the linked CSS and JS, and
the nightly runs log."""

from django.urls import reverse

from segmentation.models import NightlyRun
from tests.smoke.smoke import Page, PageParser


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def test_the_new_client_form_submits_what_a_browser_would(as_manager):
    url = reverse("accounts:client_create")
    response = as_manager.get(url)
    page = Page(url=f"http://testserver{url}", status=200, headers=response.headers, body=response.content)

    fields = dict(page.form(has_field="name").fields)

    assert fields["csrfmiddlewaretoken"] == response.context["csrf_token"]
    assert (fields["name"], fields["status"], fields["industry"]) == ("", "active", "")
    assert "purchasing_centralised" not in fields
    assert "confirm_duplicate" not in fields


def test_the_login_page_links_its_css_and_js(client, db):
    html = parse(client.get(reverse("login")).content.decode())

    assert html.stylesheets == ["/static/vendor/bootstrap/bootstrap.min.css", "/static/css/app.css"]
    assert html.scripts == [
        "/static/vendor/bootstrap/bootstrap.bundle.min.js",
        "/static/vendor/htmx.min.js",
        "/static/js/app.js",
    ]


def test_the_runs_log_gives_each_run_and_its_status(as_admin):
    run = NightlyRun.objects.create(
        run_on="2025-06-01", status=NightlyRun.Status.SUCCESS, trigger="smoke-admin"
    )

    rows = parse(as_admin.get(reverse("segmentation:run_list")).content.decode()).runs

    assert [(row.pk, row.status, row.cells[5]) for row in rows] == [(run.pk, "success", "smoke-admin")]


def test_a_textarea_and_a_select_without_a_selected_option():
    html = parse(
        '<form method="post"><textarea name="notes">\nline</textarea>'
        '<select name="kind"><option value="a">A</option><option value="b">B</option></select>'
        '<input type="checkbox" name="on" value="1" checked><input type="text" name="off" disabled>'
        '<button type="submit" name="go" value="1">Go</button></form>'
    )

    assert html.forms[0].fields == [("notes", "line"), ("kind", "a"), ("on", "1")]


def test_a_run_numbered_past_a_thousand_keeps_its_number_whole(as_admin):
    """Numbers are grouped on the pages (1,019 or 1 019): not in an id, an anchor or a field."""
    run = NightlyRun.objects.create(pk=1019, run_on="2025-06-01", status=NightlyRun.Status.SUCCESS)

    html = as_admin.get(reverse("segmentation:run_list")).content.decode()

    assert [row.pk for row in parse(html).runs] == [run.pk]
    assert 'id="run-1019"' in html
