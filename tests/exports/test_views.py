"""The pages of exports built on the worker: a run's page (polled while the worker has it), its
download and the user's exports. Only the user who asked sees a run: anyone else gets 404."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from kam.excel import XLSX
from kam.exports.models import ExportRun
from tests.exports.conftest import LOG, done_run

Status = ExportRun.Status
CONTENT = b"PK\x03\x04 the workbook"


def queued_run(user) -> ExportRun:
    return ExportRun.objects.create(
        created_by=user,
        url_name="accounts:client_export",
        language="en",
        file_name="My clients 2026-11-30.xlsx",
    )


def urls_of(run: ExportRun) -> list[str]:
    return [reverse(f"exports:{name}", args=[run.pk]) for name in ("run", "progress", "download")] + [LOG]


# Access: anonymous, another user, the wrong method, the owner


def test_anonymous_is_sent_to_log_in(client, manager):
    for url in urls_of(done_run(manager, CONTENT)):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url == f"/login/?next={quote(url)}"


@pytest.mark.parametrize("name", ["run", "progress", "download"])
def test_another_user_gets_404_even_a_director(name, manager, as_director):
    run = done_run(manager, CONTENT)

    assert as_director.get(reverse(f"exports:{name}", args=[run.pk])).status_code == 404


def test_the_wrong_method_gets_405(manager, as_manager):
    for url in urls_of(done_run(manager, CONTENT)):
        assert as_manager.post(url).status_code == 405


def test_the_owner_reads_a_finished_run_and_downloads_its_file(manager, as_manager):
    run = done_run(manager, CONTENT)
    run.file_name = "Мои клиенты 2026-11-30.xlsx"
    run.save(update_fields=["file_name"])

    page = as_manager.get(run.get_absolute_url())
    download = as_manager.get(reverse("exports:download", args=[run.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/exports/{run.pk}/download/"' in html
    assert "every 2s" not in html
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%9C%D0%BE%D0%B8%20%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D1%8B"
        "%202026-11-30.xlsx"
    )
    assert download.getvalue() == CONTENT


def test_the_owners_list_shows_their_runs_newest_first_with_downloads(manager, outsider, as_manager):
    first = done_run(manager, CONTENT)
    second = queued_run(manager)
    done_run(outsider, CONTENT)

    response = as_manager.get(LOG)

    assert response.status_code == 200
    assert [run.pk for run in response.context["page"].rows] == [second.pk, first.pk]
    html = response.content.decode()
    assert html.count("/download/") == 1
    assert f'href="/exports/{first.pk}/download/"' in html


# A run on the worker


def test_a_queued_runs_page_polls_its_progress(manager, as_manager):
    run = queued_run(manager)

    html = as_manager.get(run.get_absolute_url()).content.decode()

    assert f'hx-get="/exports/{run.pk}/progress/" hx-trigger="every 2s"' in html
    assert "Waiting for the background worker to start." in html
    assert "/download/" not in html


def test_the_progress_of_a_run_being_built(manager, as_manager):
    run = queued_run(manager)
    ExportRun.objects.filter(pk=run.pk).update(status=Status.BUILDING)

    response = as_manager.get(reverse("exports:progress", args=[run.pk]), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Building the file in the background." in html
    assert 'hx-swap-oob="true"' in html


def test_a_finished_run_tells_htmx_to_reload_the_page(manager, as_manager):
    run = done_run(manager, CONTENT)

    response = as_manager.get(reverse("exports:progress", args=[run.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_a_run_not_done_has_nothing_to_download(manager, as_manager):
    run = queued_run(manager)

    assert as_manager.get(reverse("exports:download", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_query_count_does_not_grow(count, manager, as_manager, assert_queries):
    for _number in range(count):
        done_run(manager, CONTENT)

    response = assert_queries(2, lambda: as_manager.get(LOG))

    assert len(response.context["page"].rows) == count
