"""Reading an import file as rows of text cells, streamed: the file is never held in memory.

1. `store_upload` copies the upload to KAM_IMPORTS_ROOT in chunks, computing its SHA-256 and
   whether it is strict UTF-8 (and has a BOM) on the way, so the encoding is known after one pass.
2. `detect` names the format (XLSX by its zip signature), the encoding (UTF-8 with or without BOM,
   else cp1251, as 1C writes it) and the delimiter (`,` `;` or tab: the one the header row holds
   most, else csv.Sniffer on the first lines restricted to those three).
3. `read_rows` yields RawRow(number, cells, problem) with the header as row 1, numbered as a
   spreadsheet numbers them; blank rows are skipped; a line longer than MAX_LINE characters is
   yielded with a problem and no cells, read past in bounded pieces.
"""

import codecs
import csv
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from kam.imports.texts import Message, _

MAX_LINE = 65536
DELIMITERS = (",", ";", "\t")
XLSX_SIGNATURE = b"PK\x03\x04"
TOO_LONG = "\x00too-long"  # stands for an over-long line in the csv reader's input


class FileError(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class Stored:
    name: str  # the file's name under KAM_IMPORTS_ROOT (a random one, never the user's)
    size: int
    sha256: str
    utf8: bool
    bom: bool
    xlsx: bool


@dataclass(frozen=True)
class Detected:
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""  # "utf-8-sig", "utf-8" or "cp1251"; blank for XLSX
    delimiter: str = ""  # ",", ";" or "\t"; blank for XLSX


@dataclass(frozen=True)
class RawRow:
    number: int
    cells: list[str] = field(default_factory=list)
    problem: Message | None = None


def imports_root() -> Path:
    root = Path(settings.KAM_IMPORTS_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_of(name: str) -> Path:
    return imports_root() / name


def store_upload(chunks: Iterable[bytes]) -> Stored:
    """Write the upload's chunks to a new file of its own; see the module's step 1."""
    name = f"{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8, size, head = True, 0, b""
    with open(path_of(name), "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if len(head) < 4:
                head += chunk[: 4 - len(head)]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return Stored(
        name=name,
        size=size,
        sha256=digest.hexdigest(),
        utf8=utf8,
        bom=head.startswith(codecs.BOM_UTF8),
        xlsx=head.startswith(XLSX_SIGNATURE),
    )


def discard(name: str) -> None:
    if name:
        path_of(name).unlink(missing_ok=True)


def detect(stored: Stored) -> Detected:
    if stored.size == 0:
        raise FileError(_("The file is empty."))
    if stored.xlsx:
        return Detected("xlsx")
    encoding = "utf-8-sig" if stored.bom else "utf-8" if stored.utf8 else "cp1251"
    with _open_text(stored.name, encoding) as stream:
        sample = []
        for line in _bounded_lines(stream):
            if line.strip():
                sample.append(line)
            if len(sample) >= 20:
                break
    if not sample:
        raise FileError(_("The file is empty."))
    return Detected("csv", encoding, _delimiter(sample))


def _delimiter(lines: list[str]) -> str:
    header = lines[0]
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts.values())
    winners = [delimiter for delimiter, count in counts.items() if count == best]
    if best > 0 and len(winners) == 1:
        return winners[0]
    try:
        return csv.Sniffer().sniff("".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def read_rows(name: str, detected: Detected) -> Iterator[RawRow]:
    if detected.file_format == "xlsx":
        yield from _xlsx_rows(name)
    else:
        yield from _csv_rows(name, detected)


def _open_text(name: str, encoding: str) -> IO[str]:
    errors = "replace" if encoding == "cp1251" else "strict"
    return open(path_of(name), encoding=encoding, errors=errors, newline="")


def _bounded_lines(stream: IO[str]) -> Iterator[str]:
    """The stream's lines, each a line longer than MAX_LINE replaced by TOO_LONG."""
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line.rstrip("\r\n")) > MAX_LINE:
            while not line.endswith("\n"):
                line = stream.readline(MAX_LINE)
                if not line:
                    break
            yield TOO_LONG + "\n"
            continue
        yield line


def _csv_rows(name: str, detected: Detected) -> Iterator[RawRow]:
    with _open_text(name, detected.encoding) as stream:
        reader = csv.reader(_bounded_lines(stream), delimiter=detected.delimiter)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileError(
                    _("Row %(row)s cannot be read (%(error)s): nothing was read past it.")
                    % {"row": number + 1, "error": str(error)}
                ) from error
            if not any(cell.strip() for cell in cells):
                continue
            number += 1
            if cells == [TOO_LONG]:
                yield RawRow(number, [], too_long())
                continue
            yield RawRow(number, cells)


def too_long() -> Message:
    return _("This row is longer than %(limit)s characters.") % {"limit": f"{MAX_LINE:,}"}


def _xlsx_rows(name: str) -> Iterator[RawRow]:
    import openpyxl

    unreadable = _("This file is not a readable Excel workbook (.xlsx): save it again from Excel or as CSV.")
    with open(path_of(name), "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises zip, XML and key errors alike for a broken file
            raise FileError(unreadable) from error
        yield from _sheet_rows(workbook, unreadable)


def _sheet_rows(workbook: Any, unreadable: Message) -> Iterator[RawRow]:
    try:
        sheet = workbook.worksheets[0]
        number = 0
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise FileError(unreadable) from error
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                continue
            number += 1
            yield RawRow(number, cells)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)
