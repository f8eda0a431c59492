"""The commit of a sales file checked in SQL on PostgreSQL (the web's commit and manage.py
import_sales), so that Python reads only the rows that fail.

1. `load` puts the file's rows in a temporary table of text cells, `import_cells` (number, long,
   c0 ... cN-1, N the header's width, row 1 the header). A CSV holding no quote, no `\\.` and no
   NUL goes to COPY as it is (re-encoded from cp1251 to UTF-8 on the way), numbered in file order
   by the table's sequence: PostgreSQL's CSV reader then splits it exactly as Python's does.
   Otherwise, or when COPY refuses it (a row of another width, mixed line ends), or when it holds
   a blank row (which Python skips without numbering it), Python's reader feeds the table by
   COPY (XLSX files too).
2. `accept` puts in `import_rows`, in one INSERT ... SELECT, every row whose cells pass every
   check, typed and resolved. The client is resolved per distinct INN (+ KPP) of the clients and
   the group and date per distinct cell, and joined: the client by INN (+ KPP) when exactly one
   client has it (the INN's format and checksum, kam_inn_is_valid, and
   the KPP's pattern checked on the clients' side of the join: a row's INN is its client's), the
   product group by name (the file's distinct names matched in Python by the validator's own
   rule), the date (dd.mm.yyyy or yyyy-mm-dd, a time after it ignored, within the fixed range)
   by patterns. Each row's amount is read as parse_amount reads it (spaces and apostrophes
   dropped, a decimal comma), its document's length and its formulas checked.
3. The rows it did not accept go through the Python validator chunk by chunk, which words their
   problems exactly as the preview does. SQL's patterns are the narrower (digits of other scripts
   are Python's alone), so a row Python accepts joins the others in `import_rows`.
4. `RowsWriter` finds the duplicates in `import_rows` and merges it into the sales.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import IO, Any

import psycopg2
from django.db import connection, transaction

from kam.imports import parsing, writers
from kam.imports.columns import normalise
from kam.imports.models import ImportRun, SaleStage
from kam.imports.validation import CHUNK, MAX_AMOUNT, Problem, Validator
from kam.imports.writers import Counts

CELLS = "import_cells"
GROUPS = "import_groups"
ROWS = "import_rows"  # the rows checked, typed and resolved
CLIENT_MAP = "import_clients"
DATES = "import_dates"
# Every character Python's str.strip() and the pattern `\s` take for white space.
WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
KPP = "^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$"  # accounts.validators.KPP_PATTERN
RU_DATE = r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}( [0-9:]+)?$"  # validation.RU_DATE, ASCII digits
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]+)?$"  # validation.ISO_DATE, ASCII digits
NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"  # validation.NUMBER, ASCII digits
READ_SIZE = 1 << 20


def literal(text: str) -> str:
    """`text` as an SQL string literal written in ASCII (E'\\uXXXX' escapes)."""
    return "E'" + "".join(f"\\u{ord(char):04x}" for char in text) + "'"


WS = literal(WHITESPACE)
DROPPED = literal(WHITESPACE + "'")  # what parse_amount drops from an amount


def stripped(column: str) -> str:
    return f"btrim(coalesce({column}, ''), {WS})"


class _NotAsIs(Exception):
    """The file cannot go to COPY as it is: Python's reader feeds the table."""


# 1. Load


def load(run: ImportRun, width: int, mapping: dict[int, str], report: Callable[[int], None]) -> int:
    """Fill import_cells with the run's file; returns the number of data rows. Raises
    parsing.FileError as the Python path does for a file it cannot read."""
    detected = parsing.Detected(run.file_format, run.encoding, run.delimiter)
    columns = ", ".join(f"c{index} text" for index in range(width))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CELLS}, {ROWS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CELLS} (number bigserial, long boolean, {columns}) ON COMMIT DROP"
        )
        cursor.execute(
            f'CREATE TEMPORARY TABLE {ROWS} ("row" bigint, client_id bigint, product_group_id bigint, '
            "date date, until date, document text, amount numeric(16, 2)) ON COMMIT DROP"
        )
        if detected.file_format == "csv" and _plain(run.stored_name):
            try:
                with transaction.atomic():
                    return _copy_as_is(cursor, run, detected, width, report)
            except (psycopg2.DataError, _NotAsIs):
                pass
        return _copy_read(cursor, run, detected, sorted(mapping))


def _plain(name: str) -> bool:
    """Whether the file holds no quote, no `\\.` and no NUL: then PostgreSQL's CSV reader and
    Python's split it alike (they differ on quotes inside a field; `\\.` alone on a line ends a
    COPY). These bytes mean the same in UTF-8 and cp1251."""
    tail = b""
    with open(parsing.path_of(name), "rb") as handle:
        while chunk := handle.read(READ_SIZE):
            block = tail + chunk
            if b'"' in block or b"\\." in block or b"\x00" in block:
                return False
            tail = chunk[-1:]
    return True


class _Utf8:
    """The file's bytes as UTF-8 for COPY (cp1251 decoded as Python decodes it), reporting how
    many bytes were read."""

    def __init__(self, handle: IO[bytes], encoding: str, report: Callable[[int], None]) -> None:
        self.handle = handle
        self.report = report
        self.decoder = codecs.getincrementaldecoder("cp1251")("replace") if encoding == "cp1251" else None

    def read(self, size: int = READ_SIZE) -> bytes:
        chunk = self.handle.read(size)
        self.report(self.handle.tell())
        if self.decoder is None:
            return chunk
        return self.decoder.decode(chunk, final=not chunk).encode()


def _copy_as_is(cursor: Any, run: ImportRun, detected: parsing.Detected, width: int, report: Any) -> int:
    columns = ", ".join(f"c{index}" for index in range(width))
    with open(parsing.path_of(run.stored_name), "rb") as handle:
        cursor.cursor.copy_expert(
            f"COPY {CELLS} ({columns}) FROM STDIN WITH (FORMAT csv, DELIMITER '{detected.delimiter}')",
            _Utf8(handle, detected.encoding, report),
            size=READ_SIZE,
        )
    blank = " AND ".join(f"{stripped(f'c{index}')} = ''" for index in range(width))
    cursor.execute(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {blank}) FROM {CELLS}")
    rows, blanks = cursor.fetchone()
    if blanks or not rows:
        raise _NotAsIs
    return int(rows) - 1


class _RowsAsCsv:
    """The rows Python's reader yields (the header read past), as CSV lines for COPY: number,
    long, then the mapped cells. A reading error stops the stream and is raised after it."""

    def __init__(self, rows: Iterator[parsing.RawRow], indexes: list[int]) -> None:
        self.rows = rows
        self.indexes = indexes
        self.count = 0
        self.error: parsing.FileError | None = None

    def read(self, size: int = READ_SIZE) -> bytes:
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        while buffer.tell() < size and self.error is None:
            try:
                row = next(self.rows)
            except StopIteration:
                break
            except parsing.FileError as error:
                self.error = error
                break
            self.count += 1
            cells = row.cells
            # PostgreSQL's text holds no NUL; a cell with one is refused by every check but the
            # document's, which then keeps U+FFFD in its place.
            shown = [
                (cells[index] if index < len(cells) else "").replace("\x00", "\ufffd")
                for index in self.indexes
            ]
            out.writerow([row.number, "t" if row.problem else "f", *shown])
        return buffer.getvalue().encode()


def _copy_read(cursor: Any, run: ImportRun, detected: parsing.Detected, indexes: list[int]) -> int:
    rows = parsing.read_rows(run.stored_name, detected)
    next(rows, None)  # the header
    stream = _RowsAsCsv(rows, indexes)
    columns = ", ".join(["number", "long", *(f"c{index}" for index in indexes)])
    cursor.cursor.copy_expert(
        f"COPY {CELLS} ({columns}) FROM STDIN WITH (FORMAT csv)", stream, size=READ_SIZE
    )
    if stream.error is not None:
        raise stream.error
    return stream.count


# 2. Accept


def match_groups(validator: Validator, column: str) -> None:
    """import_groups: each distinct product group cell of the file that names a group, by the
    validator's rule (normalised as headers are), read through a server-side cursor."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {GROUPS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {GROUPS} (cell text PRIMARY KEY, id bigint) ON COMMIT DROP")
        with connection.chunked_cursor() as names:
            names.execute(f"SELECT DISTINCT coalesce({column}, '') FROM {CELLS} WHERE number > 1")
            while batch := names.fetchmany(CHUNK):
                found = [(cell, _group(validator, cell)) for (cell,) in batch]
                known = [(cell, pk) for cell, pk in found if pk is not None]
                if known:
                    cursor.execute(
                        f"INSERT INTO {GROUPS} SELECT * FROM unnest(%s::text[], %s::bigint[])",
                        [[cell for cell, _pk in known], [pk for _cell, pk in known]],
                    )


def _group(validator: Validator, cell: str) -> int | None:
    text = cell.strip()
    if not text or text.startswith("="):
        return None
    group = validator.groups.get(normalise(text))
    return group.pk if group is not None else None


def _date(column: str) -> str:
    """The distinct date cells that are dates (the cell, the day), as parse_date reads them. The
    fences (OFFSET 0) keep each step's casts to the rows the step before let through."""
    value = stripped("cell")
    ru = f"{value} ~ '{RU_DATE}'"

    def part(ru_part: str, iso_start: int, iso_length: int) -> str:
        return (
            f"CAST(CASE WHEN {ru} THEN {ru_part} ELSE substr({value}, {iso_start}, {iso_length}) END AS int)"
        )

    year = part(f"split_part(split_part({value}, '.', 3), ' ', 1)", 1, 4)
    month = part(f"split_part({value}, '.', 2)", 6, 2)
    day = part(f"split_part({value}, '.', 1)", 9, 2)
    cells = f"SELECT DISTINCT coalesce({column}, '') AS cell FROM {CELLS} WHERE number > 1 OFFSET 0"
    parts = (
        f"SELECT cell, {year} AS y, {month} AS m, {day} AS d FROM ({cells}) cells "
        f"WHERE {ru} OR {value} ~ '{ISO_DATE}' OFFSET 0"
    )
    in_range = "y BETWEEN 1900 AND 2099 AND m BETWEEN 1 AND 12"
    last_day = "CAST(extract(day FROM make_date(y, m, 1) + interval '1 month' - interval '1 day') AS int)"
    return (
        f"SELECT cell, make_date(y, m, d) AS day FROM ({parts}) parts "
        f"WHERE d BETWEEN 1 AND CASE WHEN {in_range} THEN {last_day} ELSE 0 END"
    )


CLIENTS = (
    "SELECT inn, '' AS kpp, MIN(id) AS id FROM accounts_client WHERE kam_inn_is_valid(inn) "
    "GROUP BY inn HAVING COUNT(*) = 1 "
    "UNION ALL SELECT inn, kpp, MIN(id) FROM accounts_client "
    f"WHERE kam_inn_is_valid(inn) AND kpp ~ '{KPP}' GROUP BY inn, kpp HAVING COUNT(*) = 1"
)


def _amount(text: str) -> str:
    """parse_amount's reading of a compacted amount: with both a comma and a point, the later is
    the decimal separator and the other is dropped; a comma alone is the decimal separator."""
    last_comma = f"strpos(reverse({text}), ',')"
    last_point = f"strpos(reverse({text}), '.')"
    return (
        f"CASE WHEN {last_comma} > 0 AND {last_point} > 0 THEN CASE WHEN {last_comma} < {last_point} "
        f"THEN replace(replace({text}, '.', ''), ',', '.') ELSE replace({text}, ',', '') END "
        f"ELSE replace({text}, ',', '.') END"
    )


def accept(run: ImportRun, width: int, mapping: dict[int, str]) -> int:
    """Stage every row that passes every check (see the module's step 2); returns how many."""
    column = {name: f"c{index}" for index, name in mapping.items()}

    def cell(name: str) -> str:
        return stripped(column[name]) if name in column else "''"

    lengths = " + ".join(f"coalesce(octet_length(c{index}), 0)" for index in range(width))
    formulas = " OR ".join(
        f"left({cell(name)}, 1) = '='" for name in ("client", "document") if name in column
    )
    refused = f"long OR (long IS NULL AND {lengths} + {width - 1} > {parsing.MAX_LINE})"
    if formulas:
        refused = f"{refused} OR {formulas}"
    raw = {name: f"coalesce({column[name]}, '')" for name in ("inn", "product_group", "date")}
    rows = (
        f"SELECT number, {cell('inn')} AS inn, {cell('kpp')} AS kpp, "
        f"{raw['product_group']} AS product_group, {raw['date']} AS date, {cell('document')} AS document, "
        f"{cell('amount')} AS written FROM {CELLS} "
        f"WHERE number > 1 AND NOT coalesce({refused}, false) OFFSET 0"
    )
    # An amount written as a plain number is one; any other is compacted and read as parse_amount does.
    compact = _amount(f"translate(written, {DROPPED}, '')")
    typed = (
        "SELECT number, inn, kpp, product_group, date, CASE WHEN length(document) <= 64 THEN document END "
        f"AS document, CASE WHEN written ~ '{NUMBER}' THEN CAST(written AS numeric) "
        f"WHEN {compact} ~ '{NUMBER}' THEN CAST({compact} AS numeric) END AS amount "
        f"FROM ({rows}) rows OFFSET 0"
    )
    # A refused document or amount is NULL, so that the planner expects most rows to pass.
    valid = (
        "SELECT number, inn, kpp, product_group, date, document, CASE WHEN amount >= 0 "
        "AND amount = trunc(amount, 2) AND amount <= %s THEN amount END AS amount "
        f"FROM ({typed}) typed OFFSET 0"
    )
    day = "date_trunc('month', d.day)::date" if run.monthly else "d.day"
    until = "(date_trunc('month', d.day) + interval '1 month')::date" if run.monthly else "NULL::date"
    document = "''" if run.monthly else "t.document"
    with connection.cursor() as cursor:
        # The clients and the dates as small tables with statistics: the planner then hashes
        # them, where estimates through the CTEs led it to loop over them for every row.
        cursor.execute(f"DROP TABLE IF EXISTS {CLIENT_MAP}, {DATES}")
        cursor.execute(f"CREATE TEMPORARY TABLE {CLIENT_MAP} ON COMMIT DROP AS {CLIENTS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {DATES} ON COMMIT DROP AS {_date(column['date'])}")
        cursor.execute(f"ANALYZE {CELLS}, {GROUPS}, {CLIENT_MAP}, {DATES}")
        # The rows' cells are expressions the planner has no statistics for: it would take the
        # joins for selective and loop over the small tables once a row. Hash joins are linear.
        cursor.execute(
            "SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)"
        )
        nestloop = cursor.fetchone()[0]
        cursor.execute(
            f'INSERT INTO {ROWS} ("row", client_id, product_group_id, date, until, document, amount) '
            f"SELECT t.number, k.id, g.id, {day}, {until}, {document}, t.amount "
            f"FROM ({valid}) t JOIN {CLIENT_MAP} k ON k.inn = t.inn AND k.kpp = t.kpp "
            f"JOIN {GROUPS} g ON g.cell = t.product_group JOIN {DATES} d ON d.cell = t.date "
            "WHERE t.amount IS NOT NULL AND t.document IS NOT NULL",
            [MAX_AMOUNT],
        )
        accepted = cursor.rowcount
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [nestloop])
        return accepted


# 3. The rows SQL did not accept


def refused_rows(width: int, mapping: dict[int, str]) -> Iterator[list[parsing.RawRow]]:
    """The rows not staged, in file order and in chunks, as Python's reader yields them."""
    indexes = sorted(mapping)
    lengths = " + ".join(f"coalesce(length(c{index}), 0)" for index in range(width))
    long = f"coalesce(long, {lengths} + {width - 1} > {parsing.MAX_LINE})"
    cells = ", ".join(f"coalesce(c{index}, '')" for index in indexes)
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT number, {long}, {cells} FROM {CELLS} c WHERE number > 1 AND NOT EXISTS "
            f'(SELECT 1 FROM {ROWS} r WHERE r."row" = c.number) ORDER BY number'
        )
        while batch := cursor.fetchmany(CHUNK):
            yield [_raw_row(found, indexes, width) for found in batch]


def _raw_row(found: tuple[Any, ...], indexes: list[int], width: int) -> parsing.RawRow:
    number, long, *values = found
    if long:
        return parsing.RawRow(number, [], parsing.too_long())
    cells = [""] * width
    for index, value in zip(indexes, values, strict=True):
        cells[index] = value
    return parsing.RawRow(number, cells)


def drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CELLS}, {GROUPS}, {CLIENT_MAP}, {DATES}, {ROWS}")


# 4. The writer


class RowsWriter(writers.SalesWriter):
    """The sales writer of the check in SQL: the rows are in import_rows (the ones Python accepted
    copied in by `add`). Only the rows that match a sale go to the stage, for the counts and the
    undo; the new ones go from import_rows to the sales in one INSERT, in the order of the sales'
    (client, date) index. Monthly totals are staged whole and merged as on the portable path."""

    def add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            day = row["date"]
            until = writers.next_month(day) if self.run.monthly else None
            values = (row["client"], row["product_group"], day, until, row["document"], row["amount"])
            out.writerow([row["number"], *values])
        buffer.seek(0)
        columns = '"row", client_id, product_group_id, date, until, document, amount'
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {ROWS} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (document))", buffer
            )

    def duplicates(self, limit: int) -> tuple[int, list[Problem]]:
        return writers.duplicates_in(ROWS, [], limit)

    def merge(self) -> Counts:
        stage, run_id = SaleStage._meta.db_table, self.run.pk
        columns = '"row", client_id, product_group_id, date, until, document, amount'
        with connection.cursor() as cursor:
            if self.run.monthly:
                cursor.execute(
                    f"INSERT INTO {stage} (run_id, outcome, {columns}) "
                    f"SELECT %s, 'created', {columns} FROM {ROWS}",
                    [run_id],
                )
                drop()
                return writers.merge_sales(self.run)
            # A join, not a probe a row: the planner hashes the sales when the file is large.
            cursor.execute(f"ANALYZE {ROWS}")
            cursor.execute(
                f"INSERT INTO {stage} (run_id, {columns}, sale_id, old_amount, outcome) "
                f'SELECT DISTINCT ON (r."row") %s, r."row", r.client_id, r.product_group_id, r.date, '
                "r.until, r.document, r.amount, s.id, s.amount, "
                "CASE WHEN s.amount = r.amount THEN 'unchanged' ELSE 'updated' END "
                f"FROM {ROWS} r JOIN {writers.SALE} s ON s.client_id = r.client_id "
                "AND s.product_group_id = r.product_group_id AND s.date = r.date AND s.document = r.document "
                'ORDER BY r."row", s.id',
                [run_id],
            )
            writers.update_amounts(cursor, run_id)
            cursor.execute(
                f"INSERT INTO {writers.SALE} (client_id, product_group_id, date, document, amount, "
                "import_batch) "
                f"SELECT client_id, product_group_id, date, document, amount, %s FROM {ROWS} r "
                f'WHERE NOT EXISTS (SELECT 1 FROM {stage} st WHERE st.run_id = %s AND st."row" = r."row") '
                "ORDER BY client_id, date",
                [run_id, run_id],
            )
            created = cursor.rowcount
        drop()
        return writers.staged_counts(self.run, created)
