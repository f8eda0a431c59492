"""A table's rows drawn once per process for the values each row was read with.

A list page reads its fifty rows on every request, and most of its time went into what came
after: Django making a model of each row (with its segment, its manager...), then the cells
drawing each model. A row's HTML depends only on the values its query read, on what the table
draws besides (its columns, say: the caller's `context`), and on the active language, the day,
the time zone and the addresses' prefix. So each process keeps the HTML of the rows it drew by
all of these, the row's values as the database returned them included: a row read again with
the same values is written as it was, without a model; a row whose values changed (a client
renamed, a segment moved, a manager's name) is a row never drawn, and is drawn anew. Nothing is
shown stale, and a page no process has drawn costs what it did.

    rows = drawn_rows.of_pks(QUERY, pks)            # `Row`s: what the pager needs, by name
    html = drawn_rows.draw(rows, ("my-table", columns), draw_row)   # draw_row(model) -> str

That holds as long as a row's drawing reads nothing but its model's values that the query read
(`ListColumn.cell`'s rule) and `kam.cells`' language and day: what else it depends on must be
in `context`.
"""

from collections.abc import Callable, Hashable, Iterator, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils import timezone

from kam.cells import language, today
from kam.prepared import NOT_A_COLUMN, Fetched, Ids, Prepared

T = TypeVar("T")
# Rows kept per process; past that they are all drawn again. A client list's row, its values
# and its HTML, holds about 8 KB: some 17 MB a process.
KEPT = 2048
_kept: dict[tuple[Any, ...], str] = {}


class Row:
    """A row of a prepared query as the database returned it (`values`), which reads the
    query's columns by name (a field of its model, "pk", an annotation: what a pager orders by),
    and is made a model (`model`) only for any other name, or to be drawn."""

    __slots__ = ("_model", "fetched", "values")

    def __init__(self, fetched: Fetched[Any], values: tuple[Any, ...]):
        self.fetched, self.values = fetched, values
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self.fetched.made([self.values])[0]
        return self._model

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copying, pickling: not the row's
            raise AttributeError(name)
        value = self.fetched.value(self.values, name)
        return getattr(self.model, name) if value is NOT_A_COLUMN else value


class Made(Generic[T]):
    """A page's rows as a template or a test reads them (`T`, what `make` makes of each of the
    page's `clients`), made when first asked for: a table drawn by `draw`, which reads the
    clients, makes none for the rows it kept."""

    def __init__(self, clients: list[Any], make: Callable[[Any], T]):
        self.clients, self.make = clients, make

    @cached_property
    def rows(self) -> list[T]:
        return [self.make(client) for client in self.clients]

    def __len__(self) -> int:
        return len(self.clients)

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> T:
        if not isinstance(index, int):
            # A template's `page.name` is tried as `page["name"]` first: not a reason to make
            # every row, which the rows kept drawn would not need.
            raise TypeError(f"A page's rows are indexed by number, not {index!r}.")
        return self.rows[index]


def of_pks(query: Prepared[Any], pks: list[int]) -> list[Row]:
    """The rows of a prepared query of one `Ids` argument for these pks (`keyset_page`'s
    `read`), not yet made models."""
    fetched = query.fetch(Ids(pks))
    return [Row(fetched, values) for values in fetched.rows]


def draw(
    rows: Sequence[Any],
    context: tuple[Any, ...],
    draw_row: Callable[[Any], str],
    besides: Sequence[Hashable] | None = None,
) -> list[str]:
    """Each row's HTML by `draw_row(model)`, or as it was drawn for the same values, `context`,
    language, day, time zone and addresses' prefix. The rows not kept are made models together,
    in one go. Rows that are models already (not `Row`s) are drawn as they are; so is a row
    whose values cannot be a key (a list). `besides`: for each row, what its drawing reads besides
    its own values (what other queries read of it: a count, a plan), as a key's part."""
    shared = (context, language(), today(), timezone.get_current_timezone_name(), get_script_prefix())
    html: list[str | None] = []
    keys: list[tuple[Any, ...] | None] = []
    for index, row in enumerate(rows):
        also = besides[index] if besides is not None else None
        key = (shared, row.fetched.layout, row.values, also) if type(row) is Row else None
        try:
            html.append(_kept.get(key) if key is not None else None)
        except TypeError:  # unhashable
            key = None
            html.append(None)
        keys.append(key)
    _made(row for row, drawn in zip(rows, html, strict=True) if drawn is None and type(row) is Row)
    for index, drawn in enumerate(html):
        if drawn is not None:
            continue
        row = rows[index]
        drawn = html[index] = str(draw_row(row.model if type(row) is Row else row))
        key = keys[index]
        if key is not None:
            if len(_kept) >= KEPT:
                _kept.clear()
            _kept[key] = drawn
    return html  # type: ignore[return-value]  # every one drawn now


def _made(rows: Any) -> None:
    """Make models of the rows that have none, those of one query in one go."""
    by_query: dict[int, list[Row]] = {}
    for row in rows:
        if row._model is None:
            by_query.setdefault(id(row.fetched), []).append(row)
    for group in by_query.values():
        for row, model in zip(group, group[0].fetched.made([row.values for row in group]), strict=True):
            row._model = model


def forget() -> None:
    """Forget the rows this process drew."""
    _kept.clear()


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """A setting changed (a test's): formats, addresses or templates may draw otherwise."""
    _kept.clear()
