"""The card's lists written in Python (`accounts.templatetags.card_tags`) against the templates
they replace: the same markup, whitespace between blocks aside, in both languages."""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Engine
from django.utils import translation

from accounts import selectors
from accounts.models import Contact, Touch
from accounts.templatetags.card_tags import contact_rows, touch_list
from tests.factories import ClientFactory, ContactFactory, ManagerFactory, TouchFactory

# The templates the tags replace, as they were (tests/accounts/replaced/).
REPLACED = Path(__file__).parent / "replaced"
TOUCH_LIST_TEMPLATE = (REPLACED / "_touch_list.html").read_text()
CONTACT_ROWS_TEMPLATE = (REPLACED / "_contact_rows.html").read_text()

BLOCK = re.compile(r"\s*(</?(?:ul|li|div|tr|td)\b[^>]*>)\s*")


def rendered(tag, template_text: str, context: dict, language: str) -> tuple[str, str]:
    """What the tag writes (`tag()`) and what the template it replaces wrote, in `language`."""
    template = Engine.get_default().from_string(template_text)
    with translation.override(language):
        return tag(), template.render(Context(context))


def normalised(html: str) -> str:
    """Runs of whitespace as one space, and none around the block tags (as a browser lays them
    out); every other character as written."""
    return BLOCK.sub(r"\1", re.sub(r"\s+", " ", html)).strip()


@pytest.fixture
def touches(db):
    """Touches of every shape: with and without a duration (a long one grouped), people on
    either side, a next step with and without its date, text that needs escaping."""
    client = ClientFactory()
    ann = ContactFactory(client=client, name="<Ann> & 'Co'", influence=60)
    bob = ContactFactory(client=client, name="Bob", influence=10)
    ours = ManagerFactory(first_name="Irina", last_name='O"Brien')
    day = datetime.date(2026, 3, 4)
    meeting = TouchFactory(
        client=client,
        kind=Touch.Kind.MEETING,
        date=day,
        duration_minutes=1440,
        summary="Line one\n<script>alert(1)</script>",
        next_step="Send the <b>offer</b>",
        next_step_date=datetime.date(2026, 3, 20),
    )
    meeting.contacts.set([ann, bob])
    meeting.participants.set([ours])
    call = TouchFactory(
        client=client, kind=Touch.Kind.CALL, date=day, duration_minutes=5, next_step="Call back"
    )
    call.participants.set([ours])
    gift = TouchFactory(client=client, kind=Touch.Kind.GIFT, date=datetime.date(2025, 12, 31))
    gift.contacts.set([bob])
    TouchFactory(client=client, kind=Touch.Kind.EMAIL, date=datetime.date(2026, 1, 2), summary="")
    return client, selectors.with_people(list(selectors.touches_of(client)))


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("editable", [True, False])
def test_the_touch_list_writes_what_its_template_wrote(touches, language, editable):
    client, rows = touches
    context = {"touches": rows, "client": client, "may_edit": editable, "kind": "touches"}

    written, expected = rendered(
        lambda: touch_list(rows, client, editable), TOUCH_LIST_TEMPLATE, context, language
    )

    assert normalised(written) == normalised(expected)
    assert len(rows) == 4
    assert written.count("<li ") == 4
    assert "&lt;Ann&gt; &amp; &#x27;Co&#x27;, Bob" in written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in written
    assert ("hx-target" in written) is editable


def test_a_touch_s_parts_in_english(touches):
    client, rows = touches
    with translation.override("en"):
        meeting = next(row for row in rows if row.kind == Touch.Kind.MEETING)
        written = normalised(touch_list([meeting], client, True))

    edit = f"/clients/{client.pk}/touches/{meeting.pk}/edit/"
    assert written == (
        '<ul class="list-group list-group-flush"><li class="list-group-item px-0">'
        '<div class="d-flex justify-content-between"><strong>Meeting · 4 Mar 2026 · 1,440 min</strong> '
        f'<a class="small" href="{edit}" hx-get="{edit}" hx-target="#entry-form">Edit</a></div>'
        '<div class="text-prewrap">Line one &lt;script&gt;alert(1)&lt;/script&gt;</div>'
        '<div class="small text-muted">Their people: &lt;Ann&gt; &amp; &#x27;Co&#x27;, Bob. '
        "Our people: Irina O&quot;Brien.</div>"
        '<div class="small">Next step: Send the &lt;b&gt;offer&lt;/b&gt; — 20 Mar 2026</div></li></ul>'
    )


@pytest.fixture
def group(db):
    """A decision group of every shape: notes and a department or none, each attitude, a phone
    and an e-mail alone or together, a birthday or none, people of ours who know them or
    nobody, touched lately, long ago or never, and text that needs escaping."""
    client = ClientFactory()
    irina = ManagerFactory(first_name="Irina", last_name="<Kim>")
    oleg = ManagerFactory(first_name="Oleg", last_name="Ivanov")
    day = datetime.date(2026, 3, 4)
    made = [
        ContactFactory(
            client=client,
            name="Anna <Petrova>",
            position="CEO & owner",
            department="Board",
            personal_notes='Likes "tennis"\nTwo kids',
            decision_role=Contact.DecisionRole.DECISION_MAKER,
            influence=60,
            attitude=Contact.Attitude.SUPPORTER,
            phone="+79123456789",
            email="anna@example.com",
            birthday=datetime.date(1980, 2, 29),
        ),
        ContactFactory(
            client=client,
            name="Boris",
            position="",
            decision_role=Contact.DecisionRole.GATEKEEPER,
            influence=30,
            attitude=Contact.Attitude.OPPONENT,
            email="b'oris@example.com",
        ),
        ContactFactory(client=client, name="Vera", influence=10, phone="+74951234567"),
    ]
    made[0].known_by.set([irina, oleg])
    made[1].known_by.set([oleg])
    TouchFactory(client=client, date=day).contacts.set([made[0]])
    TouchFactory(client=client, date=datetime.date(2025, 1, 10)).contacts.set([made[1]])
    return client, selectors.decision_group(client, today=day)["contacts"]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("editable", [True, False])
def test_the_contact_rows_write_what_their_template_wrote(group, language, editable):
    client, contacts = group
    context = {"group": {"contacts": contacts}, "client": client, "may_edit": editable}

    written, expected = rendered(
        lambda: contact_rows(contacts, client, editable), CONTACT_ROWS_TEMPLATE, context, language
    )

    assert normalised(written) == normalised(expected)
    assert written.count("<tr>") == 3
    assert [contact.stale for contact in contacts] == [False, True, True]
    assert written.count('data-stale="1"') == 2
    assert "Anna &lt;Petrova&gt;" in written
    assert "Irina &lt;Kim&gt;, Oleg Ivanov" in written
    assert ("hx-target" in written) is editable


EMPTY: dict[str, tuple[Any, str, dict[str, Any], str]] = {
    "touches": (touch_list, TOUCH_LIST_TEMPLATE, {"touches": [], "kind": "touches"}, "No touches yet."),
    "contacts": (contact_rows, CONTACT_ROWS_TEMPLATE, {"group": {"contacts": []}}, 'colspan="10"'),
}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("kind", sorted(EMPTY))
def test_an_empty_list_says_so_as_its_template_did(db, kind, language):
    tag, template, context, said = EMPTY[kind]
    client = ClientFactory()

    written, expected = rendered(
        lambda: tag([], client, True), template, context | {"client": client, "may_edit": True}, language
    )

    assert normalised(written) == normalised(expected)
    with translation.override("en"):
        assert said in tag([], client, True)
