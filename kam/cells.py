"""Table cells rendered in Python, as the Django admin's change list renders its cells.

A list of 50 rows and ten columns renders 500 cells; as templates each cost dozens of variable
lookups, filters and a context push (about 60% of the client list's time), as functions a few
microseconds. Only the small pieces shared by every app's cells live here; each column's cell
lives beside the column.

Cells build their HTML with f-strings and `esc` (the standard library's escaping, which
`django.utils.html.escape` wraps): every value that is not a constant goes through `esc`.

A table writes its rows `within rows()`: the active language and the day are looked up once for
them all. Each lookup of the language reads an `asgiref` local behind a lock (a microsecond),
and a list's cells asked for it some 350 times a page, for its dates, figures, badges and words.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from html import escape
from typing import Any

from django.conf import settings
from django.db.models import Choices
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeData, SafeString, mark_safe

DASH = mark_safe('<span class="text-muted">—</span>')
DASH_END = mark_safe('<span class="d-block text-end text-muted">—</span>')


@dataclass
class _Rows:
    language: str | None
    day: date | None = None  # looked up when a cell first asks for it


_rows: ContextVar[_Rows | None] = ContextVar("kam_cells_rows", default=None)


@contextmanager
def rows() -> Iterator[None]:
    """While a table's rows are written: the language active as they begin, and the day, are the
    cells' (`language`, `today`), not looked up again in every cell. Rows within rows (a row's
    cells written apart) take the language active then, and the day of the rows around them."""
    around = _rows.get()
    token = _rows.set(_Rows(translation.get_language(), around.day if around else None))
    try:
        yield
    finally:
        _rows.reset(token)


def language() -> str | None:
    """The active language (as `rows()` found it, within it)."""
    within = _rows.get()
    return translation.get_language() if within is None else within.language


def today() -> date:
    """`timezone.localdate()` (as `rows()` found it, within it)."""
    within = _rows.get()
    if within is None:
        return timezone.localdate()
    if within.day is None:
        within.day = timezone.localdate()
    return within.day


def gettext(message: str) -> str:
    """`django.utils.translation.gettext` of a message written in the code, kept per language:
    the cells of a page ask for the same few words hundreds of times."""
    return _gettext(message, language())


@lru_cache(maxsize=1024)
def _gettext(message: str, language: str | None) -> str:
    return translation.gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    """`django.utils.translation.ngettext` of a message written in the code, kept per language
    (as `gettext`)."""
    return _ngettext(singular, plural, number, language())


@lru_cache(maxsize=1024)
def _ngettext(singular: str, plural: str, number: int, language: str | None) -> str:
    return translation.ngettext(singular, plural, number)


def get_format(format_type: str) -> Any:
    """`django.utils.formats.get_format` in the active language (`language()`)."""
    return formats.get_format(format_type, lang=language())


def esc(value: Any) -> str:
    """The value as text, escaped for HTML."""
    return escape(str(value))


def text(value: Any) -> str:
    """What `{{ value }}` writes: the value localised, then escaped unless already safe (a whole
    number as `grouped` writes it: a radar writes 500 of them, a printed review 2,000)."""
    if type(value) is int:
        return grouped(value) if settings.USE_THOUSAND_SEPARATOR else str(value)
    if type(value) is Decimal and value.is_finite():
        _sign, digits, exponent = value.as_tuple()
        if abs(int(exponent)) + len(digits) <= 200:  # longer ones Django writes with an exponent
            return _decimal(value)
    value = formats.localize(value)
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _decimal(value: Decimal) -> str:
    """What `formats.localize` writes of a decimal: all its digits, localised."""
    return localised(f"{value:f}")


def localised(written: str) -> str:
    """A number as Python writes it without an exponent ("-1234.5") in the active language: its
    decimal separator, the units grouped where the installation groups them (as Django's
    `number_format` writes them, without its general-purpose parsing)."""
    sign, digits = ("-", written[1:]) if written.startswith("-") else ("", written)
    units, _, fraction = digits.partition(".")
    if settings.USE_THOUSAND_SEPARATOR:
        units = grouped(int(units))
    return f"{sign}{units}{get_format('DECIMAL_SEPARATOR')}{fraction}" if fraction else f"{sign}{units}"


def short_date(value: date) -> str:
    """The date as the active language writes it short (SHORT_DATE_FORMAT)."""
    return _short_date(value, language())


@lru_cache(maxsize=4096)
def _short_date(value: date, language: str | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def short_datetime(value: datetime) -> str:
    """The moment in the current time zone as the active language writes it short
    (SHORT_DATETIME_FORMAT): its date as `short_date` writes it, then the time. Django's
    `date_format` reads the format letter by letter on every call (a list of fifty moments
    spent a quarter of its page there)."""
    return short_moment(timezone.localtime(value) if timezone.is_aware(value) else value)


def short_moment(value: datetime) -> str:
    """`short_datetime` of a moment as it is, in its own time zone (the template filter `date`
    has it converted already, unless `{% localtime off %}`)."""
    active = language()
    between = _time_after_date(active)
    if between is None:
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    return f"{_short_date(value.date(), active)}{between}{value.hour:02d}:{value.minute:02d}"


@lru_cache(maxsize=16)
def _time_after_date(language: str | None) -> str | None:
    """What SHORT_DATETIME_FORMAT writes between SHORT_DATE_FORMAT and the time ("H:i"), when it
    is that date, the separator and that time; else None."""
    moment, day = (
        str(formats.get_format("SHORT_DATETIME_FORMAT")),
        str(formats.get_format("SHORT_DATE_FORMAT")),
    )
    between = moment.removeprefix(day).removesuffix("H:i")
    if moment != f"{day}{between}H:i" or any(c.isalpha() or c == "\\" for c in between):
        return None
    return between


def label(choices: type[Choices], value: Any) -> str:
    """What `get_FOO_display()` says of a field of these choices holding `value` (its label in
    the active language, or the value itself), from their labels gathered and translated once
    per language: Django gathers them into a new dict on every call, and translates the one
    asked for."""
    return str(_labels(choices, language()).get(value, value))


@lru_cache(maxsize=256)
def _labels(choices: type[Choices], language: str | None) -> dict[Any, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def whole(value: Decimal | int | float | str, *, force_grouping: bool = True) -> str:
    """A figure rounded half up to a whole, digits grouped as the active language groups them
    (what `floatformat:"0g"` writes, without its general-purpose parsing; `"0"` without
    `force_grouping`: grouped where the installation groups them)."""
    number = int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return grouped(number) if force_grouping or settings.USE_THOUSAND_SEPARATOR else str(number)


def tenths(value: Decimal | int | float, *, force_grouping: bool = False) -> str:
    """A figure rounded half up to one decimal, as `floatformat:1` writes it (`"1g"` with
    `force_grouping`): the active language's decimal separator, its digits grouped where the
    installation groups them."""
    number = value if type(value) is Decimal else Decimal(str(value))
    rounded = int((abs(number) * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    units, tenth = divmod(rounded, 10)
    sign = "-" if value < 0 and rounded else ""
    units_text = grouped(units) if force_grouping or settings.USE_THOUSAND_SEPARATOR else str(units)
    return f"{sign}{units_text}{get_format('DECIMAL_SEPARATOR')}{tenth}"


def tenths_or_whole(value: Decimal | int) -> str:
    """What `floatformat:"-1g"` writes: a whole number whole, any other rounded half up to one
    decimal (2.04 is "2.0"); digits grouped."""
    if value == int(value):
        return grouped(int(value))
    return tenths(value, force_grouping=True)


def grouped(number: int) -> str:
    """A whole number with its digits grouped in threes by the active language's separator, as
    Django's `number_format` groups them for English and Russian (NUMBER_GROUPING 3), without
    its general-purpose parsing: the separator is its one lookup."""
    if -1000 < number < 1000:
        return str(number)
    return f"{number:,}".replace(",", str(get_format("THOUSAND_SEPARATOR")))


def figure_end(value: Decimal | None) -> SafeString:
    """A right-aligned whole figure, or a dash."""
    if value is None:
        return DASH_END
    return SafeString(f'<span class="d-block text-end">{esc(whole(value))}</span>')
