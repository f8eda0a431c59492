"""The imports' pages: who may open and post what (the four access cases on every view), the
pages' contents, the template files, and the log's query count."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from kam.imports.models import ImportRun
from tests.factories import UserFactory
from tests.helpers import messages_of
from tests.imports.conftest import LOG, STEEL_INN, UPLOAD, commit, csv_bytes, database, last_run, upload

SALES = csv_bytes("ИНН;Товарная группа;Дата;Документ;Сумма", f"{STEEL_INN};Cables;15.03.2026;1;100")
ESTIMATES = csv_bytes(
    "INN;Product group;Amount;Source;Estimated on", f"{STEEL_INN};Cables;100;survey;01.03.2026"
)


def urls(run: ImportRun) -> dict[str, str]:
    return {
        "upload": UPLOAD,
        "log": LOG,
        "run": reverse("imports:run", args=[run.pk]),
        "progress": reverse("imports:progress", args=[run.pk]),
        "mapping": reverse("imports:mapping", args=[run.pk]),
        "commit": reverse("imports:commit", args=[run.pk]),
        "undo": reverse("imports:undo", args=[run.pk]),
        "template": reverse("imports:template", args=["sales", "ru", "csv"]),
    }


GET_ONLY = {"log", "run", "progress", "template"}
POST_ONLY = {"mapping", "commit", "undo"}


@pytest.fixture
def sales_run(admin_user, base, browser_for) -> ImportRun:
    upload(browser_for(admin_user), "sales", SALES)
    return last_run()


@pytest.fixture
def manager_run(manager, base, browser_for) -> ImportRun:
    upload(browser_for(manager), "estimates", ESTIMATES)
    return last_run()


@pytest.mark.parametrize("name", sorted(GET_ONLY | POST_ONLY | {"upload"}))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, sales_run, name, method):
    url = urls(sales_run)[name]

    response = getattr(client, method)(url)

    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize("name", sorted(GET_ONLY | POST_ONLY | {"upload"}))
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_user_without_a_role_is_forbidden_and_nothing_is_written(browser_for, sales_run, name, method):
    browser = browser_for(UserFactory(username="nobody"))
    before = database(), ImportRun.objects.count()

    response = getattr(browser, method)(urls(sales_run)[name], {"kind": "sales"})

    assert response.status_code == 403
    assert (database(), ImportRun.objects.count()) == before


def test_a_manager_cannot_import_sales_or_clients_nor_undo(as_manager, sales_run):
    before = database(), ImportRun.objects.count()

    sales = upload(as_manager, "sales", SALES)
    clients = upload(as_manager, "clients", SALES)
    template = as_manager.get(reverse("imports:template", args=["clients", "en", "xlsx"]))
    page = as_manager.get(UPLOAD)
    undone = as_manager.post(reverse("imports:undo", args=[sales_run.pk]))

    assert (sales.status_code, clients.status_code, template.status_code, undone.status_code) == (
        403,
        403,
        403,
        403,
    )
    assert (database(), ImportRun.objects.count()) == before
    form = page.content.decode()
    assert '<option value="estimates"' in form
    assert '<option value="sales"' not in form


@pytest.mark.parametrize("name", ["run", "progress", "mapping", "commit"])
def test_a_manager_gets_404_for_someone_elses_import(as_outsider, manager_run, name):
    before = database()

    response = (as_outsider.get if name in GET_ONLY else as_outsider.post)(urls(manager_run)[name])

    assert response.status_code == 404
    assert database() == before
    assert last_run().status == ImportRun.Status.CHECKED


@pytest.mark.parametrize("name", ["mapping", "commit"])
def test_a_director_reads_a_managers_import_but_cannot_commit_it(as_director, manager_run, name):
    page = as_director.get(urls(manager_run)["run"])

    response = as_director.post(urls(manager_run)[name], {"column_0": "inn"})

    assert page.status_code == 200
    assert 'id="commit-form"' not in page.content.decode()
    assert response.status_code == 403
    assert last_run().status == ImportRun.Status.CHECKED


@pytest.mark.parametrize("name", sorted(GET_ONLY | POST_ONLY))
def test_wrong_methods_are_refused(as_admin, sales_run, name):
    method = "post" if name in GET_ONLY else "get"

    assert getattr(as_admin, method)(urls(sales_run)[name]).status_code == 405
    assert as_admin.put(urls(sales_run)["upload"]).status_code == 405


# Pages


def test_the_preview_shows_the_rows_as_read_and_the_problems(as_admin, base):
    content = csv_bytes(
        "ИНН;Товарная группа;Дата;Документ;Сумма;Склад",
        f"{STEEL_INN};Cables;15.03.2026;1;1 234,56;Main",
        f"{STEEL_INN};Bolts;15.03.2026;2;5;Main",
    )

    response = upload(as_admin, "sales", content, source="1C")
    page = as_admin.get(response.url).content.decode()

    assert 'id="preview"' in page
    assert "1 234,56" in page
    assert "Siberian Steel" in page
    assert "No product group “Bolts”." in page
    assert "not imported: Склад" in page
    assert 'id="commit-form"' not in page


def test_the_report_says_what_was_written_and_links_the_runs_page_for_admins(as_admin, base):
    upload(as_admin, "sales", SALES)
    response = commit(as_admin, last_run())
    page = as_admin.get(response.url).content.decode()

    assert messages_of(response) == ["Imported: 1 created, 0 updated, 0 unchanged."]
    assert "1 created, 0 updated, 0 unchanged" in page
    assert reverse("segmentation:run_list") in page
    assert reverse("imports:undo", args=[last_run().pk]) in page


def test_the_report_has_no_runs_link_for_a_director(as_director, base):
    upload(as_director, "sales", SALES)
    page = as_director.get(commit(as_director, last_run()).url).content.decode()

    assert "Segments, categories and tiers change at the next nightly run" in page
    assert reverse("segmentation:run_list") not in page


@pytest.mark.parametrize("language", ["ru", "en"])
def test_template_files_in_both_languages_are_recognised(as_admin, base, language):
    header_csv = as_admin.get(reverse("imports:template", args=["sales", language, "csv"]))
    header_xlsx = as_admin.get(reverse("imports:template", args=["sales", language, "xlsx"]))

    text = header_csv.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if language == "ru" else ","))
    sheet = openpyxl.load_workbook(io.BytesIO(header_xlsx.content), read_only=True).worksheets[0]
    first = list(next(sheet.iter_rows(values_only=True)))
    expected = {
        "ru": ["ИНН", "КПП", "Клиент", "Товарная группа", "Дата", "Документ", "Сумма"],
        "en": ["INN", "KPP", "Client", "Product group", "Date", "Document", "Amount"],
    }[language]
    assert rows[0] == first == expected
    assert header_csv["Content-Disposition"] == f'attachment; filename="sales-{language}.csv"'
    upload(as_admin, "sales", header_csv.content)
    assert last_run().mapping == {
        str(i): f
        for i, f in enumerate(["inn", "kpp", "client", "product_group", "date", "document", "amount"])
    }


def test_an_unknown_template_is_404(as_admin):
    assert as_admin.get(reverse("imports:template", args=["bolts", "ru", "csv"])).status_code == 404
    assert as_admin.get(reverse("imports:template", args=["sales", "de", "csv"])).status_code == 404
    assert as_admin.get(reverse("imports:template", args=["sales", "ru", "pdf"])).status_code == 404


# The log


def make_runs(user, count: int) -> None:
    ImportRun.objects.bulk_create(
        ImportRun(
            kind="sales",
            created_by=user,
            file_name=f"f{n}.csv",
            sha256="0" * 64,
            file_format="csv",
            status="committed",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [1, 50])
def test_the_log_costs_the_same_queries_for_1_and_50_imports(as_admin, admin_user, assert_queries, count):
    make_runs(admin_user, count)

    response = assert_queries(3, lambda: as_admin.get(LOG))

    assert response.content.decode().count("data-run=") == count


def test_a_manager_sees_only_their_imports_in_the_log(as_manager, manager, admin_user):
    make_runs(admin_user, 2)
    make_runs(manager, 1)

    page = as_manager.get(LOG).content.decode()

    assert page.count("data-run=") == 1
