"""A director marks a silver or gold candidate as strategic, image or competence before any
grant (DOMAIN §4): the marks rank the key candidates and start the grant form."""

import pytest
from django.urls import reverse

from accounts.models import Client
from segmentation.keys import services
from segmentation.keys.services import KeyStatusRefused
from segmentation.models import ClientSegment, KeyStatus
from tests.factories import ClientFactory
from tests.helpers import messages_of

CANDIDATES_URL = reverse("segmentation:candidates")


def tiered(client: Client, tier: str = "gold", potential: int = 1000) -> Client:
    ClientSegment.objects.create(client=client, tier=tier, potential=potential)
    return client


def marks(client: Client) -> tuple[bool, list[str], str] | None:
    status = KeyStatus.objects.filter(client=client).first()
    return (status.is_key, status.reasons, status.note) if status else None


def test_a_silver_or_gold_candidate_is_marked_with_a_note_and_the_history_says_who(client_card, director):
    tiered(client_card, "silver")

    services.strategic_marks_set(
        client=client_card,
        reasons=["competence", "strategic"],
        note=" Opens the northern market ",
        by=director,
    )

    assert marks(client_card) == (False, ["strategic", "competence"], "Opens the northern market")
    record = KeyStatus.history.get()
    assert (record.history_user, record.history_change_reason) == (director, "Opens the northern market")


def test_no_reasons_clear_the_marks(client_card, director):
    tiered(client_card)
    services.strategic_marks_set(client=client_card, reasons=["image"], note="", by=director)

    services.strategic_marks_set(client=client_card, reasons=[], note="", by=director)

    assert marks(client_card) == (False, [], "")
    assert KeyStatus.history.first().history_change_reason == "Strategic marks changed"


@pytest.mark.parametrize(
    ("setup", "reasons", "message"),
    [
        ("bronze", ["strategic"], "Only silver or gold clients can be key: Siberian Steel is bronze."),
        ("unseen", ["strategic"], "Only silver or gold clients can be key: Siberian Steel is bronze."),
        (
            "gold",
            ["potential", "image"],
            "Only strategic importance, image and competence mark a candidate: not potential.",
        ),
        ("key", ["image"], "Siberian Steel is a key client already: change its reasons instead."),
    ],
)
def test_marks_are_refused_with_the_rule_and_write_nothing(client_card, director, setup, reasons, message):
    if setup in ("bronze", "gold", "key"):
        tiered(client_card, "gold" if setup == "key" else setup)
    if setup == "key":
        KeyStatus.objects.create(client=client_card, is_key=True, reasons=["potential"])
    before = marks(client_card)

    with pytest.raises(KeyStatusRefused) as refused:
        services.strategic_marks_set(client=client_card, reasons=reasons, note="", by=director)

    assert refused.value.message == message
    assert marks(client_card) == before


def test_a_director_marks_on_the_key_page_and_the_candidate_ranks_first(as_director, client_card, manager):
    tiered(client_card, "gold", potential=10)
    bigger = tiered(ClientFactory(name="Bigger", responsible_manager=manager), "gold", potential=900)
    url = reverse("segmentation:key_decide", args=[client_card.pk])

    page = as_director.get(url).content.decode()
    response = as_director.post(
        url, {"action": "mark", "mark-reasons": ["image"], "mark-note": "Opens doors"}
    )
    candidates = as_director.get(CANDIDATES_URL)

    assert 'id="strategic-marks"' in page
    assert response.status_code == 302
    assert messages_of(response) == ["The strategic marks of Siberian Steel were saved."]
    assert marks(client_card) == (False, ["image"], "Opens doors")
    rows = candidates.context["page"].rows
    assert [(row.client.name, row.flags) for row in rows] == [
        ("Siberian Steel", ["Image client: known, opens doors"]),
        (bigger.name, []),
    ]
    form = as_director.get(url).context["grant"]
    assert form.initial["reasons"] == ["image"]


def test_a_refused_mark_shows_the_rule_and_writes_nothing(as_director, client_card):
    tiered(client_card, "bronze")
    url = reverse("segmentation:key_decide", args=[client_card.pk])

    response = as_director.post(url, {"action": "mark", "mark-reasons": ["image"]})

    assert response.status_code == 200
    assert response.context["mark"].non_field_errors() == [
        "Only silver or gold clients can be key: Siberian Steel is bronze."
    ]
    assert marks(client_card) is None


def test_a_manager_cannot_mark(as_manager, client_card):
    tiered(client_card)
    url = reverse("segmentation:key_decide", args=[client_card.pk])

    response = as_manager.post(url, {"action": "mark", "mark-reasons": ["image"]})

    assert response.status_code == 403
    assert marks(client_card) is None
