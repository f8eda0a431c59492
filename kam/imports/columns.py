"""The columns each kind of import reads, the headers that name them in Russian and English
(compared case- and space-insensitively), and the header row of the template files."""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.imports.models import Kind


@dataclass(frozen=True)
class Column:
    field: str
    label: Promise  # the template's header, in the language the template is made for
    required: bool
    synonyms: tuple[str, ...]  # other headers that mean this column (Russian and English)
    example: str = ""


INN = Column("inn", _("INN"), True, ("inn", "инн", "инн контрагента", "инн клиента", "tax id"), "7707083893")
KPP = Column("kpp", _("KPP"), False, ("kpp", "кпп", "кпп контрагента", "кпп клиента"), "")
CLIENT_NAME = Column(
    "client",
    _("Client"),
    False,
    ("client", "клиент", "контрагент", "покупатель", "customer"),
    "Siberian Steel",
)
GROUP = Column(
    "product_group",
    _("Product group"),
    True,
    ("product group", "товарная группа", "группа товаров", "номенклатурная группа", "группа", "category"),
    "Cables",
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.CLIENTS: (
        Column(
            "name",
            _("Name"),
            True,
            ("name", "название", "наименование", "client", "клиент"),
            "Siberian Steel",
        ),
        Column(
            "legal_name",
            _("Legal name"),
            False,
            ("legal name", "юридическое название", "полное наименование", "юр. название", "юрлицо"),
            "Siberian Steel LLC",
        ),
        INN,
        KPP,
        Column("industry", _("Industry"), False, ("industry", "отрасль"), ""),
        Column(
            "manager",
            _("Responsible manager"),
            False,
            ("responsible manager", "ответственный менеджер", "manager", "менеджер", "ответственный"),
            "",
        ),
        Column("status", _("Status"), False, ("status", "статус"), "active"),
        Column("website", _("Website"), False, ("website", "сайт", "веб-сайт", "site", "url"), ""),
    ),
    Kind.SALES: (
        INN,
        KPP,
        CLIENT_NAME,
        GROUP,
        Column(
            "date",
            _("Date"),
            True,
            (
                "date",
                "дата",
                "дата отгрузки",
                "дата документа",
                "дата счета",
                "период",
                "period",
                "month",
                "месяц",
            ),
            "15.03.2026",
        ),
        Column(
            "document",
            _("Document"),
            False,
            (
                "document",
                "документ",
                "номер документа",
                "номер",
                "document number",
                "invoice",
                "счет",
                "накладная",
            ),
            "РН-000123",
        ),
        Column(
            "amount",
            _("Amount"),
            True,
            ("amount", "сумма", "сумма с ндс", "выручка", "revenue", "sum", "total"),
            "125 000,00",
        ),
    ),
    Kind.REFUSALS: (
        INN,
        KPP,
        CLIENT_NAME,
        Column("date", _("Date"), True, ("date", "дата", "дата отказа"), "15.03.2026"),
        Column(GROUP.field, GROUP.label, False, GROUP.synonyms, "Cables"),
        Column("reason", _("Reason"), True, ("reason", "причина", "причина отказа"), "price"),
        Column("note", _("Note"), False, ("note", "комментарий", "примечание", "comment"), ""),
    ),
    Kind.ESTIMATES: (
        INN,
        KPP,
        CLIENT_NAME,
        GROUP,
        Column(
            "amount",
            _("Yearly purchases, all suppliers"),
            True,
            (
                "amount",
                "potential",
                "потенциал",
                "сумма",
                "закупки в год",
                "годовые закупки",
                "оценка",
                "estimate",
            ),
            "1 500 000",
        ),
        Column("source", _("Source"), True, ("source", "источник", "источник оценки"), "survey"),
        Column(
            "estimated_on",
            _("Estimated on"),
            True,
            ("estimated on", "дата оценки", "дата", "date"),
            "15.03.2026",
        ),
    ),
}
COLUMNS[Kind.CONTACTS] = (
    INN,
    KPP,
    CLIENT_NAME,
    Column(
        "name", _("Full name"), True, ("full name", "фио", "имя", "контакт", "contact", "name"), "Ivan Kuzmin"
    ),
    Column("position", _("Position"), False, ("position", "должность", "title"), ""),
    Column("department", _("Department"), False, ("department", "отдел", "подразделение"), ""),
    Column("phone", _("Phone"), False, ("phone", "телефон", "тел."), "+7 912 345-67-89"),
    Column("email", _("Email"), False, ("email", "e-mail", "почта", "эл. почта", "электронная почта"), ""),
    Column("birthday", _("Birthday"), False, ("birthday", "день рождения", "дата рождения"), ""),
    Column(
        "decision_role",
        _("Role in the decision group"),
        False,
        ("decision role", "role", "роль", "роль в гпр", "роль в группе принятия решений"),
        "decision_maker",
    ),
    Column("influence", _("Influence, %"), False, ("influence", "влияние", "влияние %", "влияние, %"), "60"),
    Column("attitude", _("Attitude to us"), False, ("attitude", "отношение", "отношение к нам"), "neutral"),
)
COLUMNS[Kind.POINTS] = (
    INN,
    KPP,
    CLIENT_NAME,
    Column("country", _("Country"), True, ("country", "страна"), "RU"),
    Column("region", _("Region"), False, ("region", "регион", "субъект"), "RU-KYA"),
    Column("city", _("City"), False, ("city", "город", "населенный пункт"), "Krasnoyarsk"),
    Column("head_office", _("Head office"), False, ("head office", "головной офис", "головной", "hq"), "no"),
    Column("status", _("Status"), False, ("status", "статус"), "open"),
    Column(
        "planned_date",
        _("Planned opening"),
        False,
        ("planned opening", "planned date", "дата открытия", "плановое открытие"),
        "",
    ),
)

SPACES = re.compile(r"\s+")


def normalise(header: str) -> str:
    """A header as compared: lower case, ё as е, single spaces, no edge spaces or colons."""
    text = SPACES.sub(" ", header.replace("\xa0", " ")).strip().strip(":*").strip().lower()
    return text.replace("ё", "е")


def column_of(kind: str, field: str) -> Column:
    return next(column for column in COLUMNS[kind] if column.field == field)


def recognise(kind: str, header: list[str], remembered: dict[str, str] | None = None) -> dict[int, str]:
    """Which field each header cell names: the remembered mapping first (by normalised header),
    then the synonyms and the labels in both languages. A field is taken by its first column."""
    remembered = remembered or {}
    names: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for text in (*column.synonyms, column.field, *_labels(column)):
            names.setdefault(normalise(text), column.field)
    found: dict[int, str] = {}
    taken: set[str] = set()
    for index, cell in enumerate(header):
        key = normalise(cell)
        field = remembered.get(key, names.get(key, ""))
        if field and field in {c.field for c in COLUMNS[kind]} and field not in taken:
            found[index] = field
            taken.add(field)
    return found


def _labels(column: Column) -> list[str]:
    from django.utils import translation

    labels = []
    for language in ("en", "ru"):
        with translation.override(language):
            labels.append(str(column.label))
    return labels


def missing(kind: str, mapping: dict[int, str]) -> list[Column]:
    present = set(mapping.values())
    return [column for column in COLUMNS[kind] if column.required and column.field not in present]
