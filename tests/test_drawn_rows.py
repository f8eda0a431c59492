"""A table's rows drawn once per process for the values each was read with (kam.drawn_rows),
and the client list that draws its rows so: whatever changes in a row shows at once."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import QuerySet
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Client
from kam import drawn_rows
from kam.cells import rows
from kam.prepared import Ids, Prepared
from segmentation.models import ClientSegment
from tests.factories import ClientFactory, DirectorFactory, IndustryFactory, ManagerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("accounts:client_list")


@pytest.fixture(autouse=True)
def forgotten() -> None:
    drawn_rows.forget()


def _clients(ids: Any) -> QuerySet[Client]:
    return Client.objects.filter(pk__any=ids).select_related("responsible_manager").order_by()


QUERY = Prepared(_clients)


class Drawer:
    """Draws a row as its name and manager, counting the rows it drew."""

    def __init__(self) -> None:
        self.drawn: list[int] = []

    def __call__(self, client: Client) -> str:
        self.drawn.append(client.pk)
        return f"{client.name} / {client.responsible_manager.last_name}"


def _draw(pks: list[int], drawer: Drawer, context: tuple[Any, ...] = ("t",)) -> list[str]:
    with rows():
        return drawn_rows.draw(drawn_rows.of_pks(QUERY, pks), context, drawer)


@pytest.fixture
def three() -> list[Client]:
    return [ClientFactory(name=name) for name in ("Alpha", "Bravo", "Charlie")]


def test_a_row_reads_its_columns_by_name_and_is_made_a_model_for_the_rest(three: list[Client]) -> None:
    found = {row.pk: row for row in drawn_rows.of_pks(QUERY, [c.pk for c in three])}
    for client in three:
        row = found[client.pk]
        assert (row.name, row.inn, row.responsible_manager_id) == (
            client.name,
            client.inn,
            client.responsible_manager_id,
        )
        assert row._model is None  # no model for the columns
        assert row.responsible_manager == client.responsible_manager
        assert type(row.model) is Client
        assert row.model.pk == client.pk


def test_a_row_is_drawn_once_for_the_same_values_and_anew_when_they_change(
    three: list[Client], django_assert_num_queries: Any
) -> None:
    pks = [c.pk for c in three]
    drawer = Drawer()
    first = _draw(pks, drawer)
    assert sorted(drawer.drawn) == sorted(pks)

    drawer.drawn.clear()
    with django_assert_num_queries(1):  # the rows read, no model made
        assert _draw(pks, drawer) == first
    assert drawer.drawn == []

    Client.objects.filter(pk=three[1].pk).update(name="Bravo Two")
    manager = three[2].responsible_manager
    manager.last_name = "Renamed"
    manager.save()
    again = _draw(pks, drawer)
    assert sorted(drawer.drawn) == sorted([three[1].pk, three[2].pk])
    by_pk = dict(zip([row.pk for row in drawn_rows.of_pks(QUERY, pks)], again, strict=True))
    assert by_pk[three[0].pk] == dict(zip(pks, first, strict=True))[three[0].pk]
    assert by_pk[three[1].pk].startswith("Bravo Two / ")
    assert by_pk[three[2].pk] == "Charlie / Renamed"


def test_rows_are_drawn_anew_for_another_context_language_or_day(
    three: list[Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    pks = [c.pk for c in three]
    drawer = Drawer()
    _draw(pks, drawer)
    for change in ("context", "language", "day"):
        drawer.drawn.clear()
        if change == "context":
            _draw(pks, drawer, context=("other",))
        elif change == "language":
            with translation.override("ru" if translation.get_language() != "ru" else "en"):
                _draw(pks, drawer)
        else:
            tomorrow = timezone.localdate() + timedelta(days=1)
            monkeypatch.setattr(timezone, "localdate", lambda *args, day=tomorrow, **kwargs: day)
            _draw(pks, drawer)
        assert sorted(drawer.drawn) == sorted(pks), change


def test_what_a_row_s_drawing_reads_besides_its_values_is_part_of_its_key(three: list[Client]) -> None:
    pks = [c.pk for c in three]
    drawer = Drawer()
    with rows():
        drawn_rows.draw(drawn_rows.of_pks(QUERY, pks), ("t",), drawer, besides=[1, 1, 1])
        drawer.drawn.clear()
        fetched = drawn_rows.of_pks(QUERY, pks)
        besides = [2 if row.pk == three[1].pk else 1 for row in fetched]
        drawn_rows.draw(fetched, ("t",), drawer, besides=besides)
    assert drawer.drawn == [three[1].pk]


def test_models_are_drawn_every_time(three: list[Client]) -> None:
    drawer = Drawer()
    with rows():
        for _ in range(2):
            drawn_rows.draw(list(_clients(Ids(c.pk for c in three))), ("t",), drawer)
    assert sorted(drawer.drawn) == sorted([c.pk for c in three] * 2)


def test_the_rows_kept_are_bounded(three: list[Client], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawn_rows, "KEPT", 2)
    drawer = Drawer()
    _draw([c.pk for c in three], drawer)
    assert len(drawn_rows._kept) == 1  # full at the third: forgotten, then the third kept
    drawer.drawn.clear()
    _draw([three[2].pk], drawer)
    assert drawer.drawn == []


def test_a_changed_setting_forgets_the_rows(three: list[Client], settings: Any) -> None:
    drawer = Drawer()
    _draw([three[0].pk], drawer)
    settings.USE_THOUSAND_SEPARATOR = not settings.USE_THOUSAND_SEPARATOR
    assert drawn_rows._kept == {}


# The client list, whose rows are kept so


def _row_of(response: Any, client: Client) -> str:
    html = response.content.decode()
    start = html.index(f'href="/clients/{client.pk}/"')
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


@pytest.fixture
def listed(manager: Any) -> Client:
    client = ClientFactory(name="Alpha Mills", responsible_manager=manager, industry=IndustryFactory())
    ClientSegment.objects.create(client=client, category="B", tier="silver", revenue=Decimal("1000"))
    return client


def test_the_list_shows_what_changed_in_a_row_at_once(listed: Client, as_director: Any) -> None:
    before = _row_of(as_director.get(LIST_URL), listed)
    assert '&quot;Alpha Mills&quot;">Alpha Mills</a>' in before
    assert "<td>Anna Smirnova</td>" in before
    assert '<span class="badge text-bg-secondary">Silver</span>' in before
    assert '<span class="d-block text-end">1,000</span>' in before

    Client.objects.filter(pk=listed.pk).update(name="Alpha Steel")
    ClientSegment.objects.filter(client=listed).update(tier="gold", revenue=Decimal("2500000"))
    manager = listed.responsible_manager
    manager.first_name, manager.last_name = "Olga", "Newname"
    manager.save()
    after = _row_of(as_director.get(LIST_URL), listed)

    assert '&quot;Alpha Mills&quot;">Alpha Steel</a>' in after  # the legal name is the title
    assert "<td>Olga Newname</td>" in after
    assert '<span class="badge text-bg-warning">Gold</span>' in after
    assert '<span class="d-block text-end">2,500,000</span>' in after
    assert after == _row_of(as_director.get(LIST_URL), listed)


def test_the_list_marks_a_step_overdue_from_the_day_it_becomes_so(
    listed: Client, as_director: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = date(2026, 12, 10)
    Client.objects.filter(pk=listed.pk).update(next_step="Send the offer", next_step_due=due)
    for day, overdue in ((due, False), (due + timedelta(days=1), True), (due, False)):
        monkeypatch.setattr(timezone, "localdate", lambda *args, day=day, **kwargs: day)
        row = _row_of(as_director.get(LIST_URL), listed)
        assert ("text-bg-danger" in row) is overdue, day
        assert "Send the offer" in row


def test_a_row_is_ticked_only_on_a_list_with_actions(listed: Client, manager: Any, browser_for: Any) -> None:
    """A director may move clients to another manager; their manager may not."""
    box = f'name="client" value="{listed.pk}" form="list-action"'
    director, manager = browser_for(DirectorFactory()), browser_for(manager)
    for browser, ticked in ((director, True), (manager, False), (director, True)):
        assert (box in _row_of(browser.get(LIST_URL), listed)) is ticked


def test_another_manager_sees_nothing_of_the_rows_kept(
    listed: Client, as_manager: Any, browser_for: Any
) -> None:
    assert "Alpha Mills" in as_manager.get(LIST_URL).content.decode()
    other = browser_for(ManagerFactory())
    assert "Alpha Mills" not in other.get(LIST_URL).content.decode()


def test_a_template_asking_a_page_of_rows_for_a_name_makes_none_of_them():
    """The pager reads `page.previous_cursor`, which Django tries as `page["previous_cursor"]`
    first: that must not make every row of a page whose rows were kept drawn."""
    made: list[str] = []

    class Page(drawn_rows.Made[str]):
        next_cursor = "n"

    def make(client: str) -> str:
        made.append(client)
        return client.upper()

    page = Page(["a", "b"], make)
    html = Template("{{ page.previous_cursor }}|{{ page.next_cursor }}|{{ page|length }}").render(
        Context({"page": page})
    )

    assert html == "|n|2"
    assert made == []
    assert page[1] == "B"
    assert made == ["a", "b"]
    with pytest.raises(TypeError):
        page["next_cursor"]  # type: ignore[index]
