from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts import geography
from accounts.columns import head_office_cell
from accounts.models import Client, Contact, TeamMember, Touch
from accounts.validators import format_phone
from kam.cells import esc, gettext, label, rows, text
from kam.dates import date
from kam.links import around_last, row_url

register = template.Library()


@register.simple_tag
def card_tab_links(tabs: Iterable[Any], active: str | None, pk: int) -> SafeString:
    """{% card_tab_links card_tabs tab client.pk %}: the card's tabs (`accounts.extensions.CardTab`),
    each an item of the card's nav linking to its page, the active one marked: written here, as a
    template loop drew them on every page of the card."""
    items = []
    for tab in tabs:
        before, after = around_last(tab.url_name)
        marked = " active" if tab.name == active else ""
        link = f'<a class="nav-link{marked}" href="{before}{pk}{after}">{esc(tab.label)}</a>'
        items.append(f'<li class="nav-item">{link}</li>\n  ')
    return SafeString("".join(items))


@register.filter
def country_name(code: str) -> str:
    return geography.country_name(code)


@register.filter
def region_name(code: str) -> str:
    return geography.region_name(code)


@register.filter
def head_office(client: Any) -> str:
    """The client list's head office cell, for the lists that show it outside the client list."""
    return head_office_cell(client)


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number in the international format: +7 912 345-67-89."""
    return format_phone(value)


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: str, descending_first: bool = False) -> str:
    """A column header that sorts the list by `key`: the first click ascending (descending for
    `descending_first`), the next one the other way; an arrow marks the current order."""
    current = context.get("sort")
    if current in (key, f"-{key}"):
        following = key if current.startswith("-") else f"-{key}"
    else:
        following = f"-{key}" if descending_first else key
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    query = context.get("query", "")
    return format_html(
        '<a href="?{}{}sort={}">{}{}</a>', query, "&" if query else "", following, label, arrow
    )


@register.simple_tag
@rows()
def touch_list(touches: Iterable[Any], client: Client, editable: bool) -> SafeString:
    """{% touch_list touches client may_edit %}: the touches (`selectors.with_people`) as a
    list, each with its kind, date, duration, summary, people and next step, and an "Edit" link
    into the tab's form when `editable`. Written in Python as the lists' rows are (`kam.cells`):
    the touches tab shows 25, as a template about a third of the tab's time."""
    said = {
        "edit": esc(gettext("Edit")),
        "theirs": esc(gettext("Their people")),
        "ours": esc(gettext("Our people")),
        "next": esc(gettext("Next step")),
        "minutes": gettext("%(m)s min"),
    }
    items = []
    for touch in touches:
        duration = (
            f" · {said['minutes'] % {'m': text(touch.duration_minutes)}}" if touch.duration_minutes else ""
        )
        edit = ""
        if editable:
            url = esc(row_url("accounts:entry_edit", client.pk, "touches", touch.pk))
            edit = f' <a class="small" href="{url}" hx-get="{url}" hx-target="#entry-form">{said["edit"]}</a>'
        people = []
        if touch.their_people:
            people.append(f"{said['theirs']}: {', '.join(esc(person) for person in touch.their_people)}.")
        if touch.our_people:
            people.append(f"{said['ours']}: {', '.join(esc(person) for person in touch.our_people)}.")
        step = ""
        if touch.next_step:
            by = f" — {esc(date(touch.next_step_date, 'SHORT_DATE_FORMAT'))}" if touch.next_step_date else ""
            step = f'<div class="small">{said["next"]}: {esc(touch.next_step)}{by}</div>'
        items.append(
            '<li class="list-group-item px-0"><div class="d-flex justify-content-between">'
            f"<strong>{esc(label(Touch.Kind, touch.kind))} · {esc(date(touch.date, 'DATE_FORMAT'))}"
            f"{duration}</strong>"
            f"{edit}</div>"
            f'<div class="text-prewrap">{esc(touch.summary)}</div>'
            f'<div class="small text-muted">{" ".join(people)}</div>{step}</li>'
        )
    if not items:
        items.append(f'<li class="list-group-item px-0 text-muted">{esc(gettext("No touches yet."))}</li>')
    lines = "\n".join(items)
    return SafeString(f'<ul class="list-group list-group-flush">\n{lines}\n</ul>')


STATUS_BADGES: dict[str, str] = {Client.Status.ACTIVE: "success", Client.Status.PROSPECT: "info"}


@register.filter
def status_badge(client: Client) -> SafeString:
    """{{ client|status_badge }}: the client's status as the card's header shows it, a badge."""
    colour = STATUS_BADGES.get(client.status, "secondary")
    status = esc(label(Client.Status, client.status))
    return SafeString(f'<span class="badge text-bg-{colour} align-middle fs-6">{status}</span>')


@register.simple_tag
@rows()
def team_list(team: Iterable[Any]) -> SafeString:
    """{% team_list team %}: the overview's account team besides the responsible manager
    (`selectors.client_team`), each with their role. Written in Python as the lists' rows are."""
    return SafeString(
        "".join(
            f"<li>{esc(member.user)} — {esc(label(TeamMember.Role, member.role))}</li>" for member in team
        )
    )


GROUP_SHOWN = 6  # the overview's decision group: its first people


@register.simple_tag
@rows()
def group_summary(contacts: list[Any]) -> SafeString:
    """{% group_summary group.contacts %}: the overview's list of the decision group's first
    `GROUP_SHOWN` people (`selectors.decision_group`), each with position, role and influence.
    Written in Python as the lists' rows are (`kam.cells`)."""
    items = [
        f"<li>{esc(contact.name)}{f', {esc(contact.position)}' if contact.position else ''}"
        f" — {esc(label(Contact.DecisionRole, contact.decision_role))}, {text(contact.influence)}%</li>"
        for contact in contacts[:GROUP_SHOWN]
    ]
    if not items:
        items.append(f'<li class="text-muted">{esc(gettext("No contacts yet."))}</li>')
    return SafeString("".join(items))


ATTITUDE_BADGES = {Contact.Attitude.SUPPORTER: "success", Contact.Attitude.OPPONENT: "danger"}


@register.simple_tag
@rows()
def contact_rows(contacts: Iterable[Any], client: Client, editable: bool) -> SafeString:
    """{% contact_rows group.contacts client may_edit %}: a <tr> per contact of the decision group
    (`selectors.decision_group`, detailed): name and notes, position and department, role,
    influence, attitude, phone and e-mail, birthday, who of ours knows them, the last touch
    (red when stale), and an "Edit" link into the tab's form when `editable`. Written in Python
    as the lists' rows are (`kam.cells`)."""
    said = {
        "never": esc(gettext("never")),
        "stale": f'<span class="visually-hidden"> ({esc(gettext("stale"))})</span>',
        "edit": esc(gettext("Edit")),
    }
    rows = []
    for contact in contacts:
        notes = contact.personal_notes
        notes = f'<div class="small text-muted text-prewrap">{esc(notes)}</div>' if notes else ""
        department = (
            f'<div class="small text-muted">{esc(contact.department)}</div>' if contact.department else ""
        )
        reach = []
        if contact.phone:
            phone = esc(format_phone(contact.phone))
            reach.append(f'<a href="tel:{esc(contact.phone)}" class="text-nowrap">{phone}</a>')
        if contact.email:
            reach.append(f'<br><a href="mailto:{esc(contact.email)}">{esc(contact.email)}</a>')
        birthday = esc(date(contact.birthday, "SHORT_DATE_FORMAT")) if contact.birthday else "—"
        known = ", ".join(esc(person) for person in contact.known) or "—"
        touched = esc(date(contact.last_touch, "SHORT_DATE_FORMAT")) if contact.last_touch else said["never"]
        stale = " text-danger" if contact.stale else ""
        edit = ""
        if editable:
            url = esc(row_url("accounts:entry_edit", client.pk, "contacts", contact.pk))
            edit = f'<a class="small" href="{url}" hx-get="{url}" hx-target="#entry-form">{said["edit"]}</a>'
        rows.append(
            f"<tr><td>{esc(contact.name)}{notes}</td>"
            f"<td>{esc(contact.position)}{department}</td>"
            f"<td>{esc(label(Contact.DecisionRole, contact.decision_role))}</td>"
            f'<td class="text-end">{text(contact.influence)}%</td>'
            f'<td><span class="badge text-bg-{ATTITUDE_BADGES.get(contact.attitude, "secondary")}">'
            f"{esc(label(Contact.Attitude, contact.attitude))}</span></td>"
            f'<td class="small">{"".join(reach)}</td>'
            f'<td class="small">{birthday}</td>'
            f'<td class="small">{known}</td>'
            f'<td class="small text-nowrap{stale}" data-stale="{1 if stale else 0}">'
            f"{touched}{said['stale'] if stale else ''}</td>"
            f'<td class="text-end">{edit}</td></tr>'
        )
    if not rows:
        empty = esc(gettext("No contacts yet: list the people from the director to the cleaner."))
        rows.append(f'<tr><td colspan="10" class="text-muted">{empty}</td></tr>')
    return SafeString("\n".join(rows))
