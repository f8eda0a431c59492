"""A handover note in words: plain text for a textarea, in the active language, one short section
per part of the card. An empty section says so."""

from datetime import date

from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Contact, Touch
from kam.money import money
from plans.handover.selectors import Facts, Whitespace
from plans.models import PlanStep
from segmentation.models import ActionItem

SUMMARY_CHARS = 200
WHITESPACE_ROWS = 5  # the biggest headrooms; the Potential tab has the rest


def note_text(facts: Facts) -> str:
    """The note: the decision group, open plan steps, open action items, the last touches and
    their next steps, and the whitespace, each under its heading."""
    next_steps = [touch for touch in facts.touches if touch.next_step]
    sections = [
        (_("Decision group"), [_contact(contact) for contact in facts.contacts]),
        (_("Open plan steps"), [_step(step) for step in facts.steps]),
        (_("Open action items"), [_action(action) for action in facts.actions]),
        (_("Last touches"), [_touch(touch) for touch in facts.touches]),
        (_("Next steps"), [_next_step(touch) for touch in next_steps]),
        (_("Whitespace"), _whitespace_lines(facts.whitespace)),
    ]
    return "\n\n".join(_section(heading, lines) for heading, lines in sections)


def _section(heading: str, lines: list[str]) -> str:
    return "\n".join([heading, *(f"- {line}" for line in lines or [_("none")])])


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else _("no date")


def _contact(contact: Contact) -> str:
    people = ", ".join(str(user) for user in contact.known_by.all()) or _("nobody on our side")
    who = f"{contact.name}, {contact.position}" if contact.position else contact.name
    return _("%(who)s: %(role)s, influence %(influence)s%%, %(attitude)s; known by %(people)s") % {
        "who": who,
        "role": contact.get_decision_role_display(),
        "influence": contact.influence,
        "attitude": str(contact.get_attitude_display()).lower(),
        "people": people,
    }


def _step(step: PlanStep) -> str:
    return _("%(step)s (%(plan)s), due %(due)s") % {
        "step": step.text,
        "plan": step.plan.get_kind_display(),
        "due": _day(step.due),
    }


def _action(action: ActionItem) -> str:
    return _("%(what)s, owner %(owner)s, due %(due)s") % {
        "what": action.what,
        "owner": action.owner,
        "due": _day(action.due),
    }


def _touch(touch: Touch) -> str:
    summary = Truncator(" ".join(touch.summary.split())).chars(SUMMARY_CHARS)
    return f"{_day(touch.date)}, {str(touch.get_kind_display()).lower()}: {summary}"


def _next_step(touch: Touch) -> str:
    if touch.next_step_date is None:
        return touch.next_step
    return _("%(step)s, by %(date)s") % {"step": touch.next_step, "date": _day(touch.next_step_date)}


def _whitespace_lines(rows: list[Whitespace]) -> list[str]:
    lines = [_whitespace(row) for row in rows[:WHITESPACE_ROWS]]
    more = len(rows) - WHITESPACE_ROWS
    if more > 0:
        lines.append(
            ngettext(
                "%(count)s more product group: see the Potential tab",
                "%(count)s more product groups: see the Potential tab",
                more,
            )
            % {"count": more}
        )
    return lines


def _whitespace(row: Whitespace) -> str:
    return _("%(group)s: estimate %(estimate)s, bought %(bought)s, headroom %(headroom)s") % {
        "group": row.group,
        "estimate": money(row.estimate),
        "bought": money(row.bought),
        "headroom": money(row.headroom),
    }
