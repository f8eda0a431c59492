"""Key status and tier overrides (DOMAIN §3-4): the rules, their messages, history, the views."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Client
from segmentation.keys import services as key_status
from segmentation.keys.services import KeyStatusRefused, TierOverrideRefused
from segmentation.models import ClientSegment, KeyStatus, Policy, TierOverride
from tests.factories import ClientFactory, UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db):
    """Ten more active clients, so the 20% cap leaves room for a couple of key clients."""
    return ClientFactory.create_batch(10)


def tiered(client: Client, tier: str = "gold", size: str = "medium") -> Client:
    ClientSegment.objects.create(client=client, tier=tier, size_class=size)
    return client


def make_key(client: Client) -> Client:
    KeyStatus.objects.create(client=client, is_key=True, reasons=["strategic"])
    return client


def key_rows() -> list[tuple[int, bool]]:
    return list(KeyStatus.objects.order_by("client_id").values_list("client_id", "is_key"))


def grant(client: Client, by: Any, reasons: list[str] | None = None) -> KeyStatus:
    return key_status.key_grant(client=client, reasons=reasons or ["potential"], note="Meeting 12", by=by)


def refusal(client: Client, by: Any, reasons: list[str] | None = None) -> str:
    before = key_rows()
    with pytest.raises(KeyStatusRefused) as refused:
        grant(client, by, reasons)
    assert key_rows() == before
    return refused.value.message


# The rules


def test_grant_writes_the_status_and_its_history(client_card, director, room):
    tiered(client_card, "silver")

    status = grant(client_card, director, ["image", "potential"])

    status.refresh_from_db()
    assert (status.is_key, status.reasons, status.note, status.decided_by) == (
        True,
        ["potential", "image"],
        "Meeting 12",
        director,
    )
    history = list(
        KeyStatus.history.values_list("history_type", "is_key", "history_user_id", "history_change_reason")
    )
    assert history == [("+", True, director.pk, "Meeting 12")]


def test_bronze_client_is_refused_with_the_rule(client_card, director):
    tiered(client_card, "bronze")

    assert (
        refusal(client_card, director) == "Only silver or gold clients can be key: Siberian Steel is bronze."
    )


def test_client_without_a_segment_counts_as_bronze(client_card, director):
    assert (
        refusal(client_card, director) == "Only silver or gold clients can be key: Siberian Steel is bronze."
    )


def test_tier_override_decides_the_tier(client_card, director, room):
    tiered(client_card, "gold")
    key_status.tier_override_set(client=client_card, tier="bronze", reason="Sold its plants", by=director)
    assert (
        refusal(client_card, director) == "Only silver or gold clients can be key: Siberian Steel is bronze."
    )

    key_status.tier_override_set(client=client_card, tier="silver", reason="Image client", by=director)
    ClientSegment.objects.filter(client=client_card).update(tier="bronze")

    assert grant(client_card, director).is_key is True


@pytest.mark.parametrize("reasons", [[], ["friendship"], ["potential", "current sales"]])
def test_grant_needs_a_known_reason(client_card, director, reasons):
    tiered(client_card)
    before = key_rows()

    with pytest.raises(KeyStatusRefused) as refused:
        key_status.key_grant(client=client_card, reasons=reasons, note="", by=director)

    expected = {
        0: "Give at least one reason for key status.",
        1: "Unknown reason for key status: friendship.",
        2: "Unknown reason for key status: current sales.",
    }[len(reasons)]
    assert refused.value.message == expected
    assert key_rows() == before


def test_grant_needs_a_responsible_manager(director):
    client = tiered(ClientFactory(name="Orphan", responsible_manager=None))

    assert (
        refusal(client, director) == "Refused: a key client needs its responsible manager. Assign one first."
    )


def cap_setup(key_count: int) -> Client:
    """50 active clients (and inactive ones that do not count), `key_count` of them key."""
    target = tiered(ClientFactory(name="Candidate"))
    others = ClientFactory.create_batch(49)
    ClientFactory.create_batch(5, status=Client.Status.INACTIVE)
    ClientFactory.create_batch(3, status=Client.Status.PROSPECT)
    for client in others[:key_count]:
        make_key(client)
    return target


def test_cap_refuses_the_eleventh_key_client_of_fifty(director):
    target = cap_setup(key_count=10)

    assert refusal(target, director) == (
        "Refused: key clients may not exceed 20% of the 50 active clients (10). "
        "There are already 10 key clients."
    )


def test_cap_grants_the_tenth_key_client_of_fifty(director):
    target = cap_setup(key_count=9)

    grant(target, director)

    assert KeyStatus.objects.filter(is_key=True).count() == 10


def test_cap_does_not_count_the_client_itself_when_its_reasons_change(director):
    target = cap_setup(key_count=9)
    grant(target, director)

    status = grant(target, director, ["competence"])

    assert (status.is_key, status.reasons) == (True, ["competence"])
    assert KeyStatus.objects.filter(is_key=True).count() == 10


def test_cap_follows_the_policy_share(director):
    Policy.objects.update_or_create(pk=1, defaults={"key_cap_share": 10})
    target = cap_setup(key_count=5)

    assert refusal(target, director) == (
        "Refused: key clients may not exceed 10% of the 50 active clients (5). "
        "There are already 5 key clients."
    )


def test_no_warning_up_to_three_key_clients_per_manager(client_card, manager, director):
    for _ in range(2):
        make_key(tiered(ClientFactory(responsible_manager=manager)))
    tiered(client_card)
    ClientFactory.create_batch(20)

    grant(client_card, director)

    assert key_status.key_warnings(client=client_card) == []


def test_warning_above_three_key_clients_per_manager(client_card, manager, director):
    for _ in range(3):
        make_key(tiered(ClientFactory(responsible_manager=manager)))
    tiered(client_card)
    ClientFactory.create_batch(20)

    grant(client_card, director)

    assert key_status.key_warnings(client=client_card) == [
        "Anna Smirnova now holds 4 key clients; a key account manager normally holds at most 3."
    ]


def test_warning_when_the_manager_carries_small_clients(client_card, manager, director, room):
    tiered(client_card, size="large")
    tiered(ClientFactory(responsible_manager=manager), tier="bronze", size="small")
    tiered(ClientFactory(responsible_manager=manager, status=Client.Status.INACTIVE), size="small")
    tiered(ClientFactory(), size="small")  # someone else's

    grant(client_card, director)

    assert key_status.key_warnings(client=client_card) == [
        "Anna Smirnova also carries 1 small client; a key account manager should not carry small clients."
    ]


def test_forbid_mode_refuses_a_manager_with_small_clients(client_card, manager, director):
    Policy.objects.update_or_create(pk=1, defaults={"kam_small_clients": Policy.SmallClientsRule.FORBID})
    tiered(client_card)
    for _ in range(2):
        tiered(ClientFactory(responsible_manager=manager), tier="bronze", size="small")

    assert refusal(client_card, director) == (
        "Refused: Anna Smirnova also carries 2 small clients, and the policy forbids "
        "a key account manager to carry small clients."
    )


def test_revoke_keeps_the_old_reasons_in_history(client_card, director, room):
    tiered(client_card)
    grant(client_card, director, ["strategic"])

    status = key_status.key_revoke(client=client_card, note="Moved production abroad", by=director)

    status.refresh_from_db()
    assert (status.is_key, status.reasons, status.note) == (False, [], "Moved production abroad")
    history = KeyStatus.history.order_by("history_id").values_list(
        "history_type", "is_key", "reasons", "history_user_id", "history_change_reason"
    )
    assert list(history) == [
        ("+", True, ["strategic"], director.pk, "Meeting 12"),
        ("~", False, [], director.pk, "Moved production abroad"),
    ]


def test_revoke_needs_a_key_client_and_a_note(client_card, director):
    with pytest.raises(KeyStatusRefused) as not_key:
        key_status.key_revoke(client=client_card, note="Why not", by=director)
    with pytest.raises(KeyStatusRefused) as no_note:
        key_status.key_revoke(client=client_card, note="  ", by=director)

    assert not_key.value.message == "Siberian Steel is not a key client."
    assert no_note.value.message == "Say why key status is revoked."
    assert key_rows() == []


def test_tier_override_set_and_clear_are_in_history(client_card, director):
    key_status.tier_override_set(client=client_card, tier="gold", reason="Image client", by=director)
    key_status.tier_override_set(client=client_card, tier="silver", reason="Opens the Urals", by=director)

    key_status.tier_override_clear(client=client_card, reason="Potential estimated now", by=director)

    assert not TierOverride.objects.exists()
    history = TierOverride.history.order_by("history_id").values_list(
        "history_type", "tier", "reason", "history_user_id", "history_change_reason"
    )
    assert list(history) == [
        ("+", "gold", "Image client", director.pk, "Image client"),
        ("~", "silver", "Opens the Urals", director.pk, "Opens the Urals"),
        ("-", "silver", "Opens the Urals", director.pk, "Potential estimated now"),
    ]


def test_tier_override_needs_a_tier_and_a_reason(client_card, director):
    with pytest.raises(TierOverrideRefused) as no_reason:
        key_status.tier_override_set(client=client_card, tier="gold", reason=" ", by=director)
    with pytest.raises(TierOverrideRefused) as bad_tier:
        key_status.tier_override_set(client=client_card, tier="platinum", reason="Big", by=director)
    with pytest.raises(TierOverrideRefused) as nothing_to_clear:
        key_status.tier_override_clear(client=client_card, reason="Back", by=director)

    assert no_reason.value.message == "Say why the tier is overridden."
    assert bad_tier.value.message == "Unknown tier: platinum."
    assert nothing_to_clear.value.message == "Siberian Steel has no tier override."
    assert not TierOverride.history.exists()


# The views


def key_url(client: Client) -> str:
    return reverse("segmentation:key_decide", args=[client.pk])


def tier_url(client: Client) -> str:
    return reverse("segmentation:tier_override", args=[client.pk])


def test_director_grants_on_the_card_and_sees_the_warnings(as_director, client_card, manager, room):
    for _ in range(3):
        make_key(tiered(ClientFactory(responsible_manager=manager)))
    tiered(client_card)
    ClientFactory.create_batch(20)
    page = as_director.get(key_url(client_card))
    assert page.status_code == 200
    assert "Grant key status" in page.content.decode()

    response = as_director.post(
        key_url(client_card),
        {"action": "grant", "grant-reasons": ["potential", "image"], "grant-note": "Board decision"},
    )

    assert (response.status_code, response.url) == (302, client_card.get_absolute_url())
    assert messages_of(response) == [
        "Siberian Steel is a key client.",
        "Anna Smirnova now holds 4 key clients; a key account manager normally holds at most 3.",
    ]
    status = KeyStatus.objects.get(client=client_card)
    assert (status.is_key, status.reasons, status.note) == (True, ["potential", "image"], "Board decision")


def test_a_refused_grant_shows_the_rule_on_the_form_and_writes_nothing(as_director, client_card):
    tiered(client_card, "bronze")

    response = as_director.post(key_url(client_card), {"action": "grant", "grant-reasons": ["strategic"]})

    assert response.status_code == 200
    assert response.context["grant"].non_field_errors() == [
        "Only silver or gold clients can be key: Siberian Steel is bronze."
    ]
    assert (
        escape("Only silver or gold clients can be key: Siberian Steel is bronze.")
        in response.content.decode()
    )
    assert key_rows() == []


def test_key_page_says_up_front_that_a_bronze_client_will_be_refused(as_director, client_card, room):
    make_key(tiered(ClientFactory()))

    html = as_director.get(key_url(client_card)).content.decode()

    assert (
        "Siberian Steel is bronze: only silver or gold clients can be key, so a grant will be refused."
        in html
    )
    assert "1 key client now; at most 2: 20% of 12 active clients." in html


@pytest.mark.parametrize(
    ("segment", "override", "bronze"),
    [("silver", None, False), ("bronze", None, True), ("bronze", "silver", False), ("gold", "bronze", True)],
)
def test_key_page_reads_the_effective_tier(
    as_director, director, client_card, room, segment, override, bronze
):
    tiered(client_card, segment)
    if override:
        TierOverride.objects.create(client=client_card, tier=override, reason="Meeting", decided_by=director)

    html = as_director.get(key_url(client_card)).content.decode()

    assert ("Siberian Steel is bronze" in html) is bronze


def test_key_page_runs_a_constant_number_of_queries(as_director, director, client_card, room, assert_queries):
    tiered(client_card, "silver")
    make_key(tiered(ClientFactory()))
    as_director.get(key_url(client_card))

    # The session, the client (with whether the director is on its team), the key status (once
    # for both forms), the policy with the run's totals; no run kept them here, so the totals,
    # the rank and the active clients are counted; the client with its decisions; the loads'
    # version, then the key clients, counted: a test's request never commits, so the count is
    # not kept (test_key_cap)
    response = assert_queries(10, lambda: as_director.get(key_url(client_card)))

    assert response.status_code == 200


def test_grant_form_requires_a_reason(as_director, client_card):
    tiered(client_card)

    response = as_director.post(key_url(client_card), {"action": "grant", "grant-note": "No reason"})

    assert response.context["grant"].errors["reasons"] == ["Give at least one reason for key status."]
    assert key_rows() == []


def test_director_revokes_on_the_card(as_director, client_card, room):
    make_key(tiered(client_card))

    empty = as_director.post(key_url(client_card), {"action": "revoke", "revoke-note": ""})
    response = as_director.post(key_url(client_card), {"action": "revoke", "revoke-note": "Left the market"})

    assert empty.context["revoke"].errors["note"] == ["This field is required."]
    assert (response.status_code, messages_of(response)) == (
        302,
        ["Siberian Steel is no longer a key client."],
    )
    assert key_rows() == [(client_card.pk, False)]


def test_post_without_an_action_writes_nothing(as_director, client_card):
    tiered(client_card)

    response = as_director.post(key_url(client_card), {"grant-reasons": ["potential"]})

    assert response.status_code == 200
    assert key_rows() == []


def test_director_overrides_and_clears_the_tier_on_the_card(as_director, client_card, director):
    tiered(client_card, "bronze")

    missing = as_director.post(tier_url(client_card), {"action": "set", "set-tier": "gold", "set-reason": ""})
    saved = as_director.post(
        tier_url(client_card), {"action": "set", "set-tier": "gold", "set-reason": "Image"}
    )
    override = TierOverride.objects.get(client=client_card)
    cleared = as_director.post(tier_url(client_card), {"action": "clear", "clear-reason": "Estimated now"})

    assert missing.context["override_form"].errors["reason"] == ["This field is required."]
    assert (override.tier, override.reason, override.decided_by) == ("gold", "Image", director)
    assert (saved.status_code, cleared.status_code) == (302, 302)
    assert not TierOverride.objects.exists()


@pytest.mark.parametrize("url", [key_url, tier_url])
def test_anonymous_is_sent_to_log_in(client, client_card, url):
    response = client.get(url(client_card))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url(client_card)}"


@pytest.mark.parametrize("url", [key_url, tier_url])
def test_outsider_gets_404(as_outsider, client_card, url):
    tiered(client_card)

    assert as_outsider.get(url(client_card)).status_code == 404
    assert (
        as_outsider.post(url(client_card), {"action": "grant", "grant-reasons": ["potential"]}).status_code
        == 404
    )
    assert key_rows() == []


@pytest.mark.parametrize("url", [key_url, tier_url])
@pytest.mark.parametrize("persona", ["as_manager", "as_admin"])
def test_managers_and_admins_get_403(request, client_card, url, persona):
    browser = request.getfixturevalue(persona)
    tiered(client_card)
    data = {"action": "set", "set-tier": "gold", "set-reason": "x", "grant-reasons": ["potential"]}

    assert browser.get(url(client_card)).status_code == 403
    assert browser.post(url(client_card), data | {"action": "grant"}).status_code == 403
    assert browser.post(url(client_card), data).status_code == 403
    assert key_rows() == []
    assert not TierOverride.objects.exists()


def test_superuser_may_decide(client, client_card, room):
    client.force_login(UserFactory(username="root", is_superuser=True))
    tiered(client_card)

    response = client.post(key_url(client_card), {"action": "grant", "grant-reasons": ["strategic"]})

    assert response.status_code == 302
    assert key_rows() == [(client_card.pk, True)]


@pytest.mark.parametrize("url", [key_url, tier_url])
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_is_405(as_director, client_card, url, method):
    assert getattr(as_director, method)(url(client_card)).status_code == 405
