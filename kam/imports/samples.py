"""The template files: each kind's header row and an example row, as CSV or XLSX, in a language."""

import csv
import io

from django.utils import translation

from kam.imports.columns import COLUMNS


def header_and_example(kind: str, language: str) -> tuple[list[str], list[str]]:
    with translation.override(language):
        header = [str(column.label) for column in COLUMNS[kind]]
    return header, [column.example for column in COLUMNS[kind]]


def template_csv(kind: str, language: str) -> bytes:
    """UTF-8 with a BOM (so Excel opens it right); `;` for Russian, as Excel writes it there."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if language == "ru" else ",", lineterminator="\r\n")
    writer.writerows(header_and_example(kind, language))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str, language: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    for row in header_and_example(kind, language):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
