"""A director's decisions on a client: key status (DOMAIN §4) and a tier override (DOMAIN §3).

Every decision is atomic and kept in the model's history with who made it. Grants
are serialised on the policy row, so two directors cannot both take the last place
under the cap.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Client
from kam.users.models import User
from segmentation.keys.selectors import key_cap
from segmentation.models import KeyReason, KeyStatus, Policy, Tier, TierOverride
from segmentation.segments.tiers import effective_tier_of
from segmentation.segments.words import number
from segmentation.workload.selectors import kam_load_of, kam_warnings

NO_REASON = gettext_lazy("Give at least one reason for key status.")
CHANGE_REASON_LENGTH = 100  # simple_history's history_change_reason column


@dataclass
class DecisionRefused(Exception):
    """A rule forbids the decision; `message` names the rule. Nothing was written."""

    message: str

    def __str__(self) -> str:
        return self.message


class KeyStatusRefused(DecisionRefused):
    """A grant or revoke of key status that the rules of DOMAIN §4 refuse."""


class TierOverrideRefused(DecisionRefused):
    """A tier override without a valid tier or a reason."""


def key_grant(*, client: Client, reasons: list[str], note: str, by: User) -> KeyStatus:
    """Make the client key, or update the reasons of a key client.

    Refused (KeyStatusRefused) without a valid reason, without a responsible manager,
    for a bronze client, when the manager may not carry small clients (policy "forbid"),
    and when one more key client would exceed the cap. See `key_warnings` for what is
    only warned about afterwards.
    """
    reasons = _checked_reasons(reasons)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=Policy.current().pk)
        _check_manager(client, policy)
        _check_tier(client)
        _check_cap(client, policy)
        status = KeyStatus.objects.filter(client=client).first() or KeyStatus(client=client)
        status.is_key = True
        status.reasons = reasons
        status.note = note.strip()
        return _save(status, by, note)


STRATEGIC = [KeyReason.STRATEGIC, KeyReason.IMAGE, KeyReason.COMPETENCE]


def strategic_marks_set(*, client: Client, reasons: list[str], note: str, by: User) -> KeyStatus:
    """Mark a silver or gold client that is not key yet as strategic, image or competence
    (DOMAIN §4), with a note; no reasons clears the marks. The marks rank the key candidates
    and start the grant form. Refused (KeyStatusRefused) for a key client (its reasons are
    changed by a grant), for a bronze one, and for anything but the three strategic reasons.
    """
    unknown = [r for r in reasons if r not in STRATEGIC]
    if unknown:
        raise KeyStatusRefused(
            _("Only strategic importance, image and competence mark a candidate: not %(reason)s.")
            % {"reason": ", ".join(unknown)}
        )
    with transaction.atomic():
        status = KeyStatus.objects.select_for_update().filter(client=client).first()
        if status is not None and status.is_key:
            raise KeyStatusRefused(
                _("%(client)s is a key client already: change its reasons instead.") % {"client": client}
            )
        _check_tier(client)
        status = status or KeyStatus(client=client)
        status.reasons = [r for r in STRATEGIC if r in reasons]
        status.note = note.strip()
        return _save(status, by, note or str(_("Strategic marks changed")))


def key_revoke(*, client: Client, note: str, by: User) -> KeyStatus:
    """End the client's key status; the note says why and the history keeps the old reasons."""
    if not note.strip():
        raise KeyStatusRefused(_("Say why key status is revoked."))
    with transaction.atomic():
        status = KeyStatus.objects.select_for_update().filter(client=client, is_key=True).first()
        if status is None:
            raise KeyStatusRefused(_("%(client)s is not a key client.") % {"client": client})
        status.is_key = False
        status.reasons = []
        status.note = note.strip()
        return _save(status, by, note)


def _save(status: KeyStatus, by: User, note: str) -> KeyStatus:
    status.decided_by = by
    _attribute(status, by, note)
    status.save()
    return status


def _attribute(decision: Model, by: User, why: str) -> None:
    """Who decided and why, for the history row that the next save or delete writes."""
    decision._history_user = by  # type: ignore[attr-defined]
    decision._change_reason = why.strip()[:CHANGE_REASON_LENGTH]  # type: ignore[attr-defined]


def _checked_reasons(reasons: list[str]) -> list[str]:
    if not reasons:
        raise KeyStatusRefused(str(NO_REASON))
    unknown = [r for r in reasons if r not in KeyReason.values]
    if unknown:
        raise KeyStatusRefused(
            _("Unknown reason for key status: %(reason)s.") % {"reason": ", ".join(unknown)}
        )
    return [r for r in KeyReason.values if r in reasons]


def _check_manager(client: Client, policy: Policy) -> None:
    manager = client.responsible_manager
    if manager is None:
        raise KeyStatusRefused(_("Refused: a key client needs its responsible manager. Assign one first."))
    if policy.kam_small_clients != Policy.SmallClientsRule.FORBID:
        return
    small = kam_load_of(client).small
    if small:
        raise KeyStatusRefused(
            ngettext(
                "Refused: %(manager)s also carries %(count)s small client, and the policy forbids "
                "a key account manager to carry small clients.",
                "Refused: %(manager)s also carries %(count)s small clients, and the policy forbids "
                "a key account manager to carry small clients.",
                small,
            )
            % {"manager": manager, "count": small}
        )


def _check_tier(client: Client) -> None:
    if effective_tier_of(client) == Tier.BRONZE:
        raise KeyStatusRefused(
            _("Only silver or gold clients can be key: %(client)s is bronze.") % {"client": client}
        )


def _check_cap(client: Client, policy: Policy) -> None:
    """One more key client must stay within the cap share of the active clients."""
    cap = key_cap(policy, excluding=client)
    if cap.count + 1 <= cap.limit:
        return
    rule = ngettext(
        "Refused: key clients may not exceed %(cap)s%% of the %(base)s active client (%(limit)s).",
        "Refused: key clients may not exceed %(cap)s%% of the %(base)s active clients (%(limit)s).",
        cap.active,
    ) % {"cap": number(cap.cap_share), "base": cap.active, "limit": cap.limit}
    count = ngettext(
        "There is already %(count)s key client.", "There are already %(count)s key clients.", cap.count
    ) % {"count": cap.count}
    raise KeyStatusRefused(f"{rule} {count}")


def key_warnings(*, client: Client) -> list[str]:
    """What a grant is allowed but warned about: the manager's load of key and small clients."""
    manager = client.responsible_manager
    if manager is None:
        return []
    return kam_warnings(kam_load_of(client), Policy.current(), manager=manager)


def tier_override_set(*, client: Client, tier: str, reason: str, by: User) -> TierOverride:
    """A director's tier for the client instead of the computed one, with the reason."""
    if tier not in Tier.values:
        raise TierOverrideRefused(_("Unknown tier: %(tier)s.") % {"tier": tier})
    if not reason.strip():
        raise TierOverrideRefused(_("Say why the tier is overridden."))
    with transaction.atomic():
        override = TierOverride.objects.select_for_update().filter(client=client).first()
        override = override or TierOverride(client=client)
        override.tier = tier
        override.reason = reason.strip()
        override.decided_by = by
        _attribute(override, by, reason)
        override.save()
    return override


def tier_override_clear(*, client: Client, reason: str, by: User) -> None:
    """Go back to the computed tier; the history keeps the override and why it was cleared."""
    if not reason.strip():
        raise TierOverrideRefused(_("Say why the override is cleared."))
    with transaction.atomic():
        override = TierOverride.objects.select_for_update().filter(client=client).first()
        if override is None:
            raise TierOverrideRefused(_("%(client)s has no tier override.") % {"client": client})
        _attribute(override, by, reason)
        override.delete()
