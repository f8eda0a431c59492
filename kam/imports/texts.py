"""The texts of import problems, kept as their English msgid and parameters and translated when
shown: the log of an import reads in each reader's language, whoever uploaded the file.

`_("... %(value)s ...") % {"value": ...}` here makes a Message (the name `_` keeps the msgids in
the catalogue); `str(message)` translates it into the active language.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

# The accounts validators' messages by code, with the same msgids (so the same translations).
VALIDATION_MESSAGES = {
    "inn_format": gettext_noop("An INN has 10 digits (a company) or 12 digits (a sole trader)."),
    "inn_checksum": gettext_noop("This INN fails its checksum: check the digits for a typo."),
    "kpp_format": gettext_noop(
        "A KPP has 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits."
    ),
    "date_range": gettext_noop("Enter a date between %(earliest)s and %(latest)s."),
    "future": gettext_noop("This date is in the future: enter the day it happened."),
    "not_past": gettext_noop("A birthday must be in the past."),
    "phone": gettext_noop(
        "This is not a valid phone number. Type it with the country code, like +7 912 345-67-89."
    ),
}


@dataclass(frozen=True)
class Message:
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __mod__(self, params: Mapping[str, Any]) -> "Message":
        return Message(self.msgid, dict(params))

    def __str__(self) -> str:
        text = gettext(self.msgid)
        return text % dict(self.params) if self.params else text

    def as_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": dict(self.params)}


def _(msgid: str) -> Message:
    return Message(msgid)


def from_validation(error: ValidationError) -> Message:
    """The first message of a validator's error, by its code; an unknown code keeps its text."""
    first = error.error_list[0]
    if first.code in VALIDATION_MESSAGES:
        return Message(VALIDATION_MESSAGES[first.code], dict(first.params or {}))
    return Message(" ".join(error.messages))


def shown(problem: Mapping[str, Any]) -> str:
    """A kept problem's text in the active language."""
    return str(Message(problem["msgid"], problem.get("params") or {}))
