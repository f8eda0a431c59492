"""Checking rows: each kind's validator turns the text cells of a chunk of rows into typed
values (ids resolved) and the problems it found, with one query per chunk for the clients and
one per import for each reference list, whatever the number of rows.

Interface: `validator = VALIDATORS[kind](user=..., header=..., mapping=..., monthly=..., today=...)`,
then `validator.check(rows)` for each chunk of RawRow (in file order, any size; CHUNK is what the
imports use) returns one Checked per row. A validator remembers the keys it saw, so a duplicate
row is found across chunks.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation

from accounts import geography
from accounts.models import Client, Contact, Industry, PointOfPresence, ProductGroup, Refusal
from accounts.rules import sees_every_client
from accounts.selectors import clients_visible_to
from accounts.validators import (
    normalise_phone,
    validate_birthday,
    validate_date_range,
    validate_inn,
    validate_kpp,
)
from kam.imports.columns import COLUMNS, normalise
from kam.imports.models import Kind
from kam.imports.parsing import RawRow
from kam.imports.texts import Message, _, from_validation
from kam.users.models import User
from segmentation.models import PotentialEstimate

CHUNK = 2000
MEMO_LIMIT = 50_000  # cells remembered per import (a file repeats its INNs and dates)
MAX_AMOUNT = Decimal("99999999999999.99")
MAX_ESTIMATE = Decimal("100000000000")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]+)?")
RU_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: [\d:]+)?")


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str  # the file's header, or blank (the field's label is shown for `field`)
    message: Message
    field: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, **self.message.as_json()}


@dataclass
class Checked:
    number: int
    values: dict[str, Any] = field(default_factory=dict)  # typed values, ids for references
    shown: dict[str, str] = field(default_factory=dict)  # the cells as read, by field
    problems: list[Problem] = field(default_factory=list)


class CellError(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


# One cell


def parse_amount(text: str, *, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """An amount as people and 1C write it: "1 234,56", "1234.56", "1,234.56", spaces and
    no-break spaces between thousands; the comma alone is the decimal separator."""
    compact = SPACES.sub("", text)
    if "," in compact and "." in compact:
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    if not NUMBER.fullmatch(compact):
        raise CellError(_("Not a number: “%(value)s”. Write an amount like 1 234,56.") % {"value": text[:50]})
    try:
        amount = Decimal(compact)
    except InvalidOperation as error:  # pragma: no cover -- the pattern admits only decimals
        raise CellError(
            _("Not a number: “%(value)s”. Write an amount like 1 234,56.") % {"value": text}
        ) from error
    if amount < 0:
        raise CellError(_("The amount is negative: %(value)s.") % {"value": text})
    # Before the places: quantize() refuses a number of more digits than the context's 28.
    if amount > maximum:
        raise CellError(_("The amount is too large: %(value)s.") % {"value": text[:50]})
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(_("The amount has more than two decimal places: %(value)s.") % {"value": text})
    return amount.quantize(Decimal("0.01"))


def parse_date(text: str, *, not_future: date | None = None) -> date:
    """A date written 31.12.2026 or 2026-12-31 (a time after it is ignored), within the range
    every form takes, and not after `not_future` when given."""
    value = text.strip()
    found = RU_DATE.fullmatch(value)
    parts = (found.group(3), found.group(2), found.group(1)) if found else None
    if parts is None and (iso := ISO_DATE.fullmatch(value)):
        parts = (iso.group(1), iso.group(2), iso.group(3))
    try:
        if parts is None:
            raise ValueError
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as error:
        raise CellError(
            _("Not a date: “%(value)s”. Write it as 31.12.2026 or 2026-12-31.") % {"value": value[:50]}
        ) from error
    if not_future is not None and day > not_future:
        raise CellError(_("This date is in the future: enter the day it happened."))
    try:
        validate_date_range(day)
    except ValidationError as error:
        raise CellError(from_validation(error)) from error
    return day


def check_inn(text: str) -> str:
    try:
        validate_inn(text)
    except ValidationError as error:
        raise CellError(from_validation(error)) from error
    return text


def check_kpp(text: str) -> str:
    if text:
        try:
            validate_kpp(text)
        except ValidationError as error:
            raise CellError(from_validation(error)) from error
    return text


def choice(text: str, choices: list[tuple[str, Any]]) -> str:
    """A choice by its code or its label in either language."""
    key = normalise(text)
    for code, label in choices:
        names = {normalise(code)}
        for language in ("en", "ru"):
            with translation.override(language):
                names.add(normalise(str(label)))
        if key in names:
            return str(code)
    raise CellError(
        _("Unknown value “%(value)s”: use one of %(choices)s.")
        % {"value": text[:50], "choices": ", ".join(code for code, _label in choices)}
    )


def text_of(text: str, limit: int) -> str:
    if len(text) > limit:
        raise CellError(_("Longer than %(limit)s characters.") % {"limit": limit})
    return text


# Rows


class Validator:
    kind = ""
    # The fields whose values make a row's identity in the file (duplicates are refused).
    key: tuple[str, ...] = ()

    def __init__(self, *, user: User, header: list[str], mapping: dict[int, str], monthly: bool, today: date):
        self.user = user
        self.header = header
        self.mapping = mapping
        self.monthly = monthly
        self.today = today
        self.headers = {field: header[index] for index, field in mapping.items()}
        self.seen: dict[tuple[Any, ...], int] = {}
        # Off when the writer finds the duplicates itself (the sales stage): nothing then grows
        # with the file's size.
        self.track_duplicates = True
        self.memo: dict[tuple[str, str], tuple[Any, Message | None]] = {}
        self.known: dict[str, list[tuple[int, str, str]]] = {}  # INN -> its clients (pk, KPP, name)
        self.groups = {normalise(group.name): group for group in self.group_choices()}
        self.prepare()

    def group_choices(self) -> list[ProductGroup]:
        return list(ProductGroup.objects.active())

    def prepare(self) -> None:
        """Read the reference lists the rows name (a query each, once per import)."""

    def cells(self, row: RawRow) -> dict[str, str]:
        return {
            field: (row.cells[index].strip() if index < len(row.cells) else "")
            for index, field in self.mapping.items()
        }

    def check(self, rows: list[RawRow]) -> list[Checked]:
        checked = []
        for row in rows:
            result = Checked(row.number, shown=self.cells(row))
            if row.problem:
                result.problems.append(Problem(row.number, "", row.problem))
            else:
                for field_name, text in result.shown.items():
                    if text.startswith("="):
                        result.problems.append(
                            Problem(
                                row.number,
                                self.headers[field_name],
                                _("This cell holds a formula (%(value)s): save the values, not the formulas.")
                                % {"value": text[:50]},
                            )
                        )
            checked.append(result)
        readable = [result for result in checked if not result.problems]
        for result in readable:
            self.parse(result)
        self.resolve([result for result in readable if not result.problems])
        for result in readable:
            if not result.problems and self.key and self.track_duplicates:
                identity = tuple(result.values[name] for name in self.key)
                first = self.seen.setdefault(identity, result.number)
                if first != result.number:
                    result.problems.append(
                        Problem(result.number, "", _("The same row as row %(row)s.") % {"row": first})
                    )
        return checked

    def field(
        self,
        result: Checked,
        name: str,
        parse: Callable[[str], Any],
        *,
        required: bool = False,
        memo: bool = False,
    ) -> None:
        """Parse one cell into result.values[name], or note its problem. With `memo` (a parser
        whose outcome depends on the text alone) the outcome of each text is remembered, up to
        MEMO_LIMIT texts, so a file's repeated INNs and dates are checked once."""
        text = result.shown.get(name, "")
        if not text:
            if required:
                result.problems.append(Problem(result.number, self.column(name), _("This cell is empty.")))
            result.values[name] = None
            return
        outcome = self.memo.get((name, text)) if memo else None
        if outcome is None:
            try:
                outcome = (parse(text), None)
            except CellError as error:
                outcome = (None, error.message)
            if memo:
                if len(self.memo) >= MEMO_LIMIT:
                    self.memo.clear()
                self.memo[(name, text)] = outcome
        value, message = outcome
        if message is None:
            result.values[name] = value
        else:
            result.problems.append(Problem(result.number, self.column(name), message))

    def column(self, name: str) -> str:
        if name in self.headers:
            return self.headers[name]
        return str(next(column.label for column in COLUMNS[self.kind] if column.field == name))

    def parse(self, result: Checked) -> None:
        raise NotImplementedError

    def resolve(self, results: list[Checked]) -> None:
        """Resolve the references of rows whose cells all parsed (a query per chunk at most)."""

    def group(self, result: Checked, *, required: bool = True) -> None:
        text = result.shown.get("product_group", "")
        if not text:
            if required:
                result.problems.append(
                    Problem(result.number, self.column("product_group"), _("This cell is empty."))
                )
            result.values["product_group"] = None
            return
        found = self.groups.get(normalise(text))
        if found is None:
            result.problems.append(
                Problem(
                    result.number,
                    self.column("product_group"),
                    _("No product group “%(value)s”.") % {"value": text[:50]},
                )
            )
        else:
            result.values["product_group"] = found.pk

    def clients(self) -> Any:
        return Client.objects.all()

    def resolve_clients(self, results: list[Checked]) -> None:
        """Each row's client by INN (+ KPP) among the clients this import may touch, in one query
        for the INNs not met in earlier chunks (up to MEMO_LIMIT INNs are remembered). A client out
        of reach is reported exactly as a missing one."""
        inns = {result.values["inn"] for result in results}
        unknown = inns - self.known.keys()
        if len(self.known) + len(unknown) > MEMO_LIMIT:
            self.known.clear()
            unknown = inns
        if unknown:
            clients = self.clients().filter(inn__in=unknown).values_list("pk", "inn", "kpp", "name")
            fresh: dict[str, list[tuple[int, str, str]]] = {inn: [] for inn in unknown}
            for pk, inn, kpp, name in clients:
                fresh[inn].append((pk, kpp, name))
            self.known.update(fresh)
        found = self.known
        for result in results:
            candidates = found.get(result.values["inn"], [])
            kpp = result.values.get("kpp") or ""
            if kpp:
                candidates = [client for client in candidates if client[1] == kpp]
            if len(candidates) == 1:
                result.values["client"] = candidates[0][0]
                result.values["client_name"] = candidates[0][2]
                continue
            result.values["client"] = None
            if candidates:
                message = _("Several clients have this INN: add the KPP column to tell them apart.")
            elif kpp:
                message = _("No client with this INN and KPP.")
            else:
                message = _("No client with this INN.")
            self.client_missing(result, message)

    def client_missing(self, result: Checked, message: Message) -> None:
        result.problems.append(Problem(result.number, self.column("inn"), message))

    def client_cells(self, result: Checked) -> None:
        self.field(result, "inn", check_inn, required=True, memo=True)
        self.field(result, "kpp", check_kpp, memo=True)


class SalesValidator(Validator):
    kind = Kind.SALES
    key = ("client", "product_group", "date", "document")

    def group_choices(self) -> list[ProductGroup]:
        return list(ProductGroup.objects.all())  # past sales may name a group no longer offered

    def parse(self, result: Checked) -> None:
        self.client_cells(result)
        self.group(result)
        self.field(result, "date", parse_date, required=True, memo=True)
        self.field(result, "document", lambda text: text_of(text, 64))
        self.field(result, "amount", parse_amount, required=True)
        result.values["document"] = result.values.get("document") or ""
        if self.monthly and result.values.get("date"):
            day = result.values["date"]
            result.values["date"] = day.replace(day=1)
            result.values["document"] = ""

    def resolve(self, results: list[Checked]) -> None:
        self.resolve_clients(results)


class RefusalsValidator(Validator):
    kind = Kind.REFUSALS
    key = ("client", "date", "product_group", "reason")

    def parse(self, result: Checked) -> None:
        self.client_cells(result)
        self.field(result, "date", lambda text: parse_date(text, not_future=self.today), required=True)
        self.group(result, required=False)
        self.field(
            result,
            "reason",
            lambda text: choice(text, Refusal.Reason.choices),
            required=True,
        )
        self.field(result, "note", lambda text: text_of(text, 2000))
        result.values["note"] = result.values.get("note") or ""

    def resolve(self, results: list[Checked]) -> None:
        self.resolve_clients(results)


class EstimatesValidator(Validator):
    """A manager's file may name only the clients they are on; any other is "no client"."""

    kind = Kind.ESTIMATES
    key = ("client", "product_group")

    def clients(self) -> Any:
        return clients_visible_to(self.user)

    def parse(self, result: Checked) -> None:
        self.client_cells(result)
        self.group(result)
        self.field(result, "amount", lambda text: parse_amount(text, maximum=MAX_ESTIMATE), required=True)
        self.field(
            result,
            "source",
            lambda text: choice(text, PotentialEstimate.Source.choices),
            required=True,
        )
        self.field(
            result,
            "estimated_on",
            lambda text: _estimate_date(text, self.today),
            required=True,
        )

    def resolve(self, results: list[Checked]) -> None:
        self.resolve_clients(results)


def _estimate_date(text: str, today: date) -> date:
    try:
        return parse_date(text, not_future=today)
    except CellError as error:
        if error.message.msgid == _("This date is in the future: enter the day it happened.").msgid:
            raise CellError(_("An estimate cannot be dated in the future.")) from error
        raise


class ClientsValidator(Validator):
    """A row updates the card with its INN (+ KPP) or makes a new one; a blank cell leaves the
    card's value as it is."""

    kind = Kind.CLIENTS
    key = ("inn", "kpp")

    def prepare(self) -> None:
        self.industries = {normalise(industry.name): industry.pk for industry in Industry.objects.all()}
        users = get_user_model().objects.filter(is_active=True).only("pk", "username", "email")
        self.users: dict[str, int] = {}
        for user in users:
            self.users.setdefault(normalise(user.username), user.pk)
            if user.email:
                self.users.setdefault(normalise(user.email), user.pk)
        self.url = URLValidator()

    def parse(self, result: Checked) -> None:
        self.client_cells(result)
        result.values["kpp"] = result.values.get("kpp") or ""
        self.field(result, "name", lambda text: text_of(text, 200))
        self.field(result, "legal_name", lambda text: text_of(text, 300))
        self.field(result, "industry", self.industry)
        self.field(result, "manager", self.manager)
        self.field(result, "status", lambda text: choice(text, Client.Status.choices))
        self.field(result, "website", self.website)

    def industry(self, text: str) -> int:
        if (found := self.industries.get(normalise(text))) is None:
            raise CellError(_("No industry “%(value)s”.") % {"value": text[:50]})
        return found

    def manager(self, text: str) -> int:
        if (found := self.users.get(normalise(text))) is None:
            raise CellError(_("No active user with the login or e-mail “%(value)s”.") % {"value": text[:50]})
        return found

    def website(self, text: str) -> str:
        value = text if "://" in text else f"https://{text}"
        try:
            self.url(text_of(value, 200))
        except ValidationError as error:
            raise CellError(_("Not a web address: “%(value)s”.") % {"value": text[:50]}) from error
        return value

    def resolve(self, results: list[Checked]) -> None:
        """Match each row to a card (or none: a new one); a new card needs a name."""
        inns = {result.values["inn"] for result in results}
        found: dict[str, list[Client]] = {}
        for client in Client.objects.filter(inn__in=inns):
            found.setdefault(client.inn, []).append(client)
        for result in results:
            candidates = found.get(result.values["inn"], [])
            if result.values["kpp"]:
                candidates = [client for client in candidates if client.kpp == result.values["kpp"]]
            if len(candidates) > 1:
                result.problems.append(
                    Problem(
                        result.number,
                        self.column("inn"),
                        _("Several clients have this INN: add the KPP column to tell them apart."),
                    )
                )
                continue
            result.values["card"] = candidates[0] if candidates else None
            result.values["client"] = candidates[0].pk if candidates else None
            if not candidates and not result.values.get("name"):
                result.problems.append(
                    Problem(result.number, self.column("name"), _("A new client needs a name."))
                )


# Names people write for a country that are not its ISO name in either language.
COUNTRY_ALIASES = {"россия": "RU", "рф": "RU", "russia": "RU", "беларусь": "BY", "belarus": "BY"}
YES = {"yes", "y", "true", "1", "да", "д", "x", "+"}
NO = {"no", "n", "false", "0", "нет", "н", "-"}


def parse_yes_no(text: str) -> bool:
    key = normalise(text)
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError(_("Write yes or no: “%(value)s”.") % {"value": text[:50]})


class ContactsValidator(Validator):
    """A contact is its client and full name: a new name adds a contact, a known one takes the
    file's non-blank values. Personal notes are not imported (they stay on the card)."""

    kind = Kind.CONTACTS
    key = ("client", "name_key")

    def parse(self, result: Checked) -> None:
        self.client_cells(result)
        self.field(result, "name", lambda text: text_of(text, 200), required=True)
        result.values["name_key"] = normalise(result.values.get("name") or "")
        self.field(result, "position", lambda text: text_of(text, 200))
        self.field(result, "department", lambda text: text_of(text, 200))
        self.field(result, "phone", self.phone)
        self.field(result, "email", self.email)
        self.field(result, "birthday", self.birthday)
        self.field(result, "decision_role", lambda text: choice(text, Contact.DecisionRole.choices))
        self.field(result, "influence", self.influence)
        self.field(result, "attitude", lambda text: choice(text, Contact.Attitude.choices))

    def phone(self, text: str) -> str:
        try:
            return normalise_phone(text)
        except ValidationError as error:
            raise CellError(from_validation(error)) from error

    def email(self, text: str) -> str:
        try:
            validate_email(text)
        except ValidationError as error:
            raise CellError(_("Not an e-mail address: “%(value)s”.") % {"value": text[:50]}) from error
        return text_of(text, 254)

    def birthday(self, text: str) -> date:
        day = parse_date(text)
        try:
            validate_birthday(day)
        except ValidationError as error:
            raise CellError(from_validation(error)) from error
        return day

    def influence(self, text: str) -> int:
        value = text.strip().rstrip("%").strip()
        if not value.isdigit() or int(value) > 100:
            raise CellError(
                _("Influence is a whole number from 0 to 100: “%(value)s”.") % {"value": text[:50]}
            )
        return int(value)

    def resolve(self, results: list[Checked]) -> None:
        self.resolve_clients(results)


class PointsValidator(Validator):
    """A point is its client, country, region and city: a new place adds a point, a known one
    takes the file's head office, status and planned date."""

    kind = Kind.POINTS
    key = ("client", "country", "region", "city_key")

    def prepare(self) -> None:
        codes = set(geography.country_codes())
        self.countries = {normalise(code): code for code in codes} | COUNTRY_ALIASES
        for language in ("en", "ru"):
            with translation.override(language):
                for code, name in geography.country_choices():
                    self.countries.setdefault(normalise(name), code)
        self.regions: dict[str, dict[str, str]] = {}

    def region_names(self, country: str) -> dict[str, str]:
        if country not in self.regions:
            names: dict[str, str] = {}
            for language in ("en", "ru"):
                with translation.override(language):
                    for code, name in geography.region_choices(country):
                        names.setdefault(normalise(code), code)
                        names.setdefault(normalise(name), code)
            self.regions[country] = names
        return self.regions[country]

    def parse(self, result: Checked) -> None:
        self.client_cells(result)
        self.field(result, "country", self.country, required=True)
        country = result.values.get("country")
        self.field(result, "region", lambda text: self.region(text, country))
        result.values["region"] = result.values.get("region") or ""
        self.field(result, "city", lambda text: text_of(text, 120))
        result.values["city"] = result.values.get("city") or ""
        result.values["city_key"] = normalise(result.values["city"])
        self.field(result, "head_office", parse_yes_no)
        self.field(result, "status", lambda text: choice(text, PointOfPresence.Status.choices))
        self.field(result, "planned_date", parse_date)
        if result.values.get("status") == PointOfPresence.Status.PLANNED and not result.values.get(
            "planned_date"
        ):
            result.problems.append(
                Problem(
                    result.number,
                    self.column("planned_date"),
                    _("A planned point needs its planned opening date."),
                )
            )
        if result.values.get("status") == PointOfPresence.Status.OPEN:
            result.values["planned_date"] = None

    def country(self, text: str) -> str:
        if (found := self.countries.get(normalise(text))) is None:
            raise CellError(
                _("No country “%(value)s”: write its ISO code, such as RU.") % {"value": text[:50]}
            )
        return found

    def region(self, text: str, country: str | None) -> str:
        if not country:
            return ""
        if (found := self.region_names(country).get(normalise(text))) is None:
            raise CellError(
                _("No region “%(value)s” in this country: write its ISO code, such as RU-MOW.")
                % {"value": text[:50]}
            )
        return found

    def resolve(self, results: list[Checked]) -> None:
        self.resolve_clients(results)


VALIDATORS: dict[str, type[Validator]] = {
    Kind.CONTACTS: ContactsValidator,
    Kind.POINTS: PointsValidator,
    Kind.CLIENTS: ClientsValidator,
    Kind.SALES: SalesValidator,
    Kind.REFUSALS: RefusalsValidator,
    Kind.ESTIMATES: EstimatesValidator,
}


def allowed_kinds(user: User) -> list[str]:
    """The kinds this user may import: every one for directors and admins, estimates for managers."""
    if sees_every_client(user):
        return [kind.value for kind in Kind]
    return [Kind.ESTIMATES.value] if user.has_perm("imports.use") else []
