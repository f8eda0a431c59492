"""The key-list review meeting (DOMAIN §4, §8): open it with a snapshot, decide client by
client through the same services as the card, give action items, close it with the minutes.

A closed review is read-only. Decisions go through `keys.services` and
`segmentation.moves` (a reassignment), so the cap, the reasons, the bronze rule and the KAM
warnings hold here exactly as on the card; a refused decision is not recorded.
"""

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Client
from kam.users.models import User
from segmentation.keys import services as keys
from segmentation.keys.selectors import IS_KEY, candidate_page, candidates, total_potential
from segmentation.models import ActionItem, Decision, Notification, Policy, Review, ReviewItem
from segmentation.moves import selectors as moves_selectors
from segmentation.moves import services as moves
from segmentation.notifications.services import notify
from segmentation.radar.flags import FLAGS
from segmentation.radar.selectors import flag_field, with_flags
from segmentation.reviews import selectors
from segmentation.segments.tiers import effective_tier

CANDIDATES_IN_REVIEW = 50


@dataclass
class ReviewRefused(keys.DecisionRefused):
    """A review action the meeting's rules refuse (closed review, second open review...)."""


def review_open(*, by: User, today: date) -> Review:
    """Open a review of the key clients and the best candidates, snapshotting each one's
    segments, flags, responsible manager and key status. One review is open at a time."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=Policy.current().pk)
        if Review.objects.filter(closed_at__isnull=True).exists():
            raise ReviewRefused(_("A review is already open: close it before opening another."))
        previous = Review.objects.filter(closed_at__isnull=False).order_by("-closed_at", "-id").first()
        review = Review.objects.create(opened_by=by, previous=previous)
        ReviewItem.objects.bulk_create(_snapshot(review, by, today, policy), batch_size=1000)
        if previous is not None:
            review.difference = selectors.changes(review)
            review.save(update_fields=["difference"])
    return review


def _snapshot(review: Review, by: User, today: date, policy: Policy) -> list[ReviewItem]:
    """Key clients first (biggest potential first), then the top candidates in their ranking."""
    ranked = candidate_page(
        partial(candidates, by), after="", total=total_potential(), size=CANDIDATES_IN_REVIEW
    )
    candidate_ids = [row.client.pk for row in ranked.rows]
    clients = with_flags(
        Client.objects.filter(IS_KEY | Q(pk__in=candidate_ids))
        .select_related("segment", "key_status")
        .annotate(tier_now=effective_tier()),
        today,
        policy,
    )
    by_pk = {client.pk: client for client in clients}
    keys_first = sorted(
        (c for c in by_pk.values() if _is_key(c)),
        key=lambda c: (-(_segment(c, "potential") or 0), c.name, c.pk),
    )
    order = keys_first + [by_pk[pk] for pk in candidate_ids if pk in by_pk and not _is_key(by_pk[pk])]
    return [_item(review, position, client) for position, client in enumerate(order, start=1)]


def _is_key(client: Client) -> bool:
    return hasattr(client, "key_status") and client.key_status.is_key


def _segment(client: Client, name: str) -> Any:
    return getattr(client.segment, name) if hasattr(client, "segment") else None


def _item(review: Review, position: int, client: Any) -> ReviewItem:
    return ReviewItem(
        review=review,
        client=client,
        position=position,
        was_key=_is_key(client),
        reasons=client.key_status.reasons if hasattr(client, "key_status") else [],
        tier=client.tier_now or "",
        category=_segment(client, "category") or "",
        league=_segment(client, "league") or "",
        size_class=_segment(client, "size_class") or "",
        lost_status=_segment(client, "lost_status") or "",
        potential=_segment(client, "potential"),
        revenue=_segment(client, "revenue"),
        manager_id=client.responsible_manager_id,
        flags=[flag.name for flag in FLAGS if getattr(client, flag_field(flag))],
    )


def _open_review_item(item: ReviewItem) -> ReviewItem:
    """The item locked for a decision, refused when its review is closed."""
    locked = ReviewItem.objects.select_for_update().select_related("review", "client").get(pk=item.pk)
    if not locked.review.is_open:
        raise ReviewRefused(_("This review is closed: it can no longer be changed."))
    return locked


def review_decide(
    *,
    item: ReviewItem,
    decision: str,
    note: str,
    by: User,
    reasons: list[str] | None = None,
    manager: User | None = None,
) -> list[str]:
    """Record the meeting's decision on one client, applying it first; returns the warnings
    to show (a KAM's load). Raises `DecisionRefused` with the rule's words: nothing recorded."""
    if decision not in Decision.values:
        raise ReviewRefused(_("Unknown decision: %(decision)s.") % {"decision": decision})
    with transaction.atomic():
        item = _open_review_item(item)
        client = item.client
        warnings = _apply(item.review, client, decision, note, by, reasons or [], manager)
        item.decision = decision
        item.note = note.strip()
        item.decided_by = by
        item.decided_at = timezone.now()
        item.save(update_fields=["decision", "note", "decided_by", "decided_at"])
        _changed(pk=item.review_id)
    return warnings


def _apply(
    review: Review,
    client: Client,
    decision: str,
    note: str,
    by: User,
    reasons: list[str],
    manager: User | None,
) -> list[str]:
    if decision == Decision.GRANT:
        keys.key_grant(client=client, reasons=reasons, note=note, by=by)
        return keys.key_warnings(client=client)
    if decision == Decision.REVOKE:
        keys.key_revoke(client=client, note=note, by=by)
        return []
    if decision == Decision.REASSIGN:
        return _reassign(client, manager, note, by, review)
    return []


def _reassign(client: Client, manager: User | None, note: str, by: User, review: Review) -> list[str]:
    """Move the client to `manager` as every move is made (`segmentation.moves`): the KAM rules
    checked ("forbid" refuses with the rule), the reason in the card's history, the new manager
    told and a handover note written; returns the move's warnings."""
    if manager is None:
        raise ReviewRefused(_("Choose the new responsible manager."))
    if manager.pk == client.responsible_manager_id:
        raise ReviewRefused(
            _("%(manager)s is already responsible for %(client)s.") % {"manager": manager, "client": client}
        )
    selection = Client.objects.filter(pk=client.pk)
    found = moves_selectors.preview(
        selection, moves_selectors.targets(manager), policy=Policy.current(), details=False
    )
    opened = formats.date_format(timezone.localtime(review.opened_at).date(), "SHORT_DATE_FORMAT")
    reason = _("Key-list review of %(date)s") % {"date": opened}
    reason = f"{reason}: {note.strip()}" if note.strip() else reason
    try:
        moves.clients_reassign(
            selection=selection, to=manager, reason=reason[: moves.REASON_MAX], by=by, token=found.token
        )
    except moves.KamRuleError as refused:
        raise ReviewRefused(" ".join(refused.rules)) from refused
    except moves.MoveRefused as refused:
        raise ReviewRefused(refused.message) from refused
    except moves.StalePreviewError as stale:
        raise ReviewRefused(
            _("The client or the managers' loads changed meanwhile: decide again.")
        ) from stale
    return found.warnings


def action_add(*, item: ReviewItem, what: str, owner: User, due: date, by: User) -> ActionItem:
    """An action item on a client of an open review, for its owner, by a date; the owner is
    notified (unless they gave it to themselves)."""
    with transaction.atomic():
        item = _open_review_item(item)
        action = ActionItem(item=item, what=what.strip(), owner=owner, due=due, created_by=by)
        action._history_user = by  # type: ignore[attr-defined]
        action.save()
        _changed(pk=item.review_id)
        if owner.pk != by.pk:
            details = {"what": action.what, "due": due.isoformat(), "by": str(by), "action": action.pk}
            notify(
                User.objects.filter(pk=owner.pk),
                Notification.Kind.ACTION_ITEM,
                client=item.client,
                details=details,
            )
    return action


def action_set_status(*, action: ActionItem, status: str, by: User) -> ActionItem:
    """Mark an action item done, or open again."""
    if status not in ActionItem.Status.values:
        raise ReviewRefused(_("Unknown status: %(status)s.") % {"status": status})
    with transaction.atomic():
        action = ActionItem.objects.select_for_update().get(pk=action.pk)
        action.status = status
        action.done_at = timezone.now() if status == ActionItem.Status.DONE else None
        action._history_user = by  # type: ignore[attr-defined]
        action.save(update_fields=["status", "done_at"])
        _changed(items=action.item_id)
    return action


def review_close(*, review: Review, attendees: list[User], guests: str, summary: str, by: User) -> Review:
    """Close the review with who attended and the minutes; it is read-only from then on."""
    if not summary.strip():
        raise ReviewRefused(_("Write the minutes before closing the review."))
    if not attendees:
        raise ReviewRefused(_("Name at least one attendee."))
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not review.is_open:
            raise ReviewRefused(_("This review is closed already."))
        review.closed_at = timezone.now()
        review.closed_by = by
        review.guests = guests.strip()
        review.summary = summary.strip()
        review.version += 1
        review.save(update_fields=["closed_at", "closed_by", "guests", "summary", "version"])
        review.attendees.set(attendees)
    return review


def _changed(**review: int) -> None:
    """A new version of the review found by `review` (its pk, or an item's): its pages are drawn
    again (see `Review.version`)."""
    Review.objects.filter(**review).update(version=F("version") + 1)
