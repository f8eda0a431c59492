"""The message catalogues: the Russian one is complete, safe to format and used at run time.

The .po files are read with a small standard-library parser (polib is not a dependency);
the compiled .mo files are read with gettext.GNUTranslations, the reader Django itself uses.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
RU_PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
RU_MO = LOCALE / "ru" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

RU_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# A number that selects each Russian plural form in turn: 1 клиент, 2 клиента, 5 клиентов.
RU_FORM_SAMPLES = (1, 2, 5)
# A printf-style directive as Python's % operator reads it: %(name)s, %s, %d, %5.2f, %%.
DIRECTIVE = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>.)")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    """One message of a .po file; `strings` maps msgid, msgstr, msgstr[0]... to their text."""

    line: int
    flags: set[str] = field(default_factory=set)
    strings: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.strings["msgid"]

    @property
    def context(self) -> str | None:
        return self.strings.get("msgctxt")

    @property
    def is_plural(self) -> bool:
        return "msgid_plural" in self.strings

    @property
    def translations(self) -> list[str]:
        keys = sorted(k for k in self.strings if k.startswith("msgstr"))
        return [self.strings[k] for k in keys]

    @property
    def key(self) -> str:
        """The lookup key in a compiled catalogue: gettext joins a context with EOT."""
        return self.msgid if self.context is None else f"{self.context}\x04{self.msgid}"


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header and the active (non-obsolete) messages of a .po file."""
    entries: list[Entry] = []
    current: Entry | None = None
    keyword = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            current = None
            continue
        if line.startswith("#"):
            if current is None or current.strings:
                current = Entry(line=number)
                entries.append(current)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        match = KEYWORD.match(line)
        if match:
            if current is None or (match.group(1) in ("msgid", "msgctxt") and "msgid" in current.strings):
                current = Entry(line=number)
                entries.append(current)
            keyword = match.group(1)
            current.strings[keyword] = ast.literal_eval(match.group(2))
        else:
            if current is None or not line.startswith('"'):
                raise ValueError(f"{path}:{number}: cannot read {raw!r}")
            current.strings[keyword] += ast.literal_eval(line)
    header, messages = entries[0], entries[1:]
    assert header.msgid == "", f"{path} does not start with its header"
    return header, messages


def directives(text: str) -> tuple[set[str], list[str]]:
    """The named placeholders and, in order, the positional directives (without %%)."""
    named: set[str] = set()
    positional: list[str] = []
    for match in DIRECTIVE.finditer(text):
        if match.group("conv") == "%":
            continue
        if match.group("name") is not None:
            named.add(match.group("name"))
        else:
            positional.append(match.group("conv"))
    return named, positional


def sample_arguments(text: str) -> dict[str, int] | tuple[int, ...]:
    named, positional = directives(text)
    return dict.fromkeys(named, 1) if named else (1,) * len(positional)


@pytest.fixture(scope="module")
def russian() -> tuple[Entry, list[Entry]]:
    return parse_po(RU_PO)


@pytest.fixture(scope="module")
def russian_messages(russian: tuple[Entry, list[Entry]]) -> list[Entry]:
    return russian[1]


def test_russian_catalogue_has_the_three_form_plural_rule(russian):
    header = russian[0].strings["msgstr"]

    assert f"Plural-Forms: {RU_PLURAL_FORMS}\n" in header
    assert "Language: ru\n" in header
    assert "fuzzy" not in russian[0].flags


def test_russian_catalogue_has_no_untranslated_or_fuzzy_entries(russian_messages):
    assert len(russian_messages) > 100
    fuzzy = [e.msgid for e in russian_messages if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in russian_messages if not all(t.strip() for t in e.translations)]

    assert fuzzy == []
    assert untranslated == []


def test_every_russian_plural_has_three_forms(russian_messages):
    plurals = {e.msgid: len(e.translations) for e in russian_messages if e.is_plural}

    assert plurals
    assert set(plurals.values()) == {3}, plurals


def compiled_translations(compiled: gettext.GNUTranslations, e: Entry) -> list[str]:
    """What the .mo file answers for an entry: one text per plural form (n = 1, 2, 5 in Russian)."""
    context = e.context
    if not e.is_plural:
        text = compiled.gettext(e.msgid) if context is None else compiled.pgettext(context, e.msgid)
        return [text]
    plural = e.strings["msgid_plural"]
    if context is None:
        return [compiled.ngettext(e.msgid, plural, n) for n in RU_FORM_SAMPLES]
    return [compiled.npgettext(context, e.msgid, plural, n) for n in RU_FORM_SAMPLES]


def test_compiled_russian_catalogue_matches_the_po_file(russian_messages):
    with RU_MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [e.msgid for e in russian_messages if compiled_translations(compiled, e) != e.translations]

    assert stale == [], "run `manage.py compilemessages` after editing the .po file"


def test_placeholders_survive_translation(russian_messages):
    broken = []
    for e in russian_messages:
        if "python-format" not in e.flags:
            continue
        sources = [e.msgid, e.strings.get("msgid_plural", e.msgid)]
        named = set().union(*(directives(s)[0] for s in sources))
        positional = directives(e.msgid)[1]
        for text in e.translations:
            if directives(text) != (named, positional):
                broken.append((e.msgid, text))
    assert broken == []


def test_python_format_translations_can_be_formatted(russian_messages):
    broken = []
    for e in russian_messages:
        if "python-format" not in e.flags:
            continue
        for text in e.translations:
            try:
                text % sample_arguments(text)
            except (KeyError, TypeError, ValueError) as error:
                broken.append((e.msgid, text, str(error)))
    assert broken == []


def test_english_catalogue_has_the_same_messages(russian_messages):
    english = {e.key for e in parse_po(EN_PO)[1]}

    assert english == {e.key for e in russian_messages}


def test_russian_is_used_at_run_time():
    with translation.override("ru"):
        assert translation.gettext("My clients") == "Мои клиенты"
        assert translation.gettext("Client base") == "Клиентская база"
        assert translation.gettext("Touches") == "Касания"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 клиент"),
        (2, "2 клиента"),
        (5, "5 клиентов"),
        (11, "11 клиентов"),
        (14, "14 клиентов"),
        (21, "21 клиент"),
        (22, "22 клиента"),
        (112, "112 клиентов"),
    ],
)
def test_russian_plural_forms_follow_the_number(count, expected):
    with translation.override("ru"):
        text = translation.ngettext("%(counter)s client", "%(counter)s clients", count)

    assert text % {"counter": count} == expected
