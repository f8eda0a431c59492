"""Reads for the key-list review: the reviews, one review's clients a page at a time, one
client of the meeting with what it was and what it is now, the difference from the previous
closed review, and the action items of their owners."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Client
from kam.cells import label as choice_label
from kam.links import pk_url
from kam.pagination import Page, keyset_page
from kam.prepared import Prepared
from kam.users.models import User
from segmentation.keys.words import reason_labels
from segmentation.models import (
    ActionItem,
    Category,
    League,
    LostStatus,
    Policy,
    Review,
    ReviewItem,
    SizeClass,
    Tier,
)
from segmentation.radar.flags import BY_NAME, Flag
from segmentation.radar.selectors import flags_now, flags_of
from segmentation.segments.tiers import effective_tier

ITEMS_PER_PAGE = 50
REVIEWS_PER_PAGE = 50
ACTIONS_PER_PAGE = 50
DIFF_LIMIT = 20  # names listed per kind of change; the count says how many more


def flag_objects(names: list[str]) -> list[Flag]:
    """The snapshot's flag names as flags (a name no longer defined is left out)."""
    return [BY_NAME[name] for name in names if name in BY_NAME]


def reviews() -> QuerySet[Review]:
    """The reviews, newest first, each with its decisions and action items counted (its clients
    it keeps counted: `Review.clients`)."""
    return (
        Review.objects.select_related("opened_by", "closed_by")
        .annotate(
            decided=Count("items", filter=~Q(items__decision=""), distinct=True),
            actions=Count("items__actions", distinct=True),
        )
        .order_by("-opened_at", "-pk")
    )


class ReviewsState(NamedTuple):
    """What the reviews' list shows changes with: how many there are, the newest, the sum of their
    versions (`Review.version`), and the open one (None when all are closed)."""

    reviews: int
    newest: int | None
    versions: int | None
    open: int | None


def reviews_state() -> ReviewsState:
    """The reviews' state in one aggregate over their few rows."""
    found = Review.objects.aggregate(
        reviews=Count("pk"),
        newest=Max("pk"),
        versions=Sum("version"),
        open=Max("pk", filter=Q(closed_at__isnull=True)),
    )
    return ReviewsState(**found)


def review_items(review: Review, *, undecided: bool = False) -> QuerySet[ReviewItem]:
    """The review's items with their clients, managers and counts of action items (`action_count`,
    `open_actions`): each count a subquery of the row, so that a page in the review's order walks
    the (review, position) index and counts the actions of its own rows only."""
    items = review.items.select_related("client", "manager").annotate(
        action_count=_actions_counted(ActionItem.objects.all()),
        open_actions=_actions_counted(ActionItem.objects.filter(status=ActionItem.Status.OPEN)),
    )
    return items.filter(decision="") if undecided else items


def _actions_counted(actions: QuerySet[ActionItem]) -> Coalesce:
    counted = actions.filter(item=OuterRef("pk")).order_by().values("item").annotate(count=Count("pk"))
    return Coalesce(Subquery(counted.values("count")), 0, output_field=IntegerField())


def item_page(review: Review, *, after: str, before: str, undecided: bool = False) -> Page:
    return keyset_page(
        review_items(review, undecided=undecided),
        order=["position", "pk"],
        after=after,
        before=before,
        size=ITEMS_PER_PAGE,
    )


@dataclass(frozen=True)
class Meeting:
    """One client of the review: the snapshot, the client now, its neighbours and actions."""

    item: ReviewItem
    now: Any  # the client annotated with its flags and effective tier today
    previous: int | None
    next: int | None
    place: int  # its place among the review's clients: its position, less the items deleted before it
    count: int
    actions: list[ActionItem]

    @property
    def flags_then(self) -> list[Flag]:
        return flag_objects(self.item.flags)

    @property
    def flags_now(self) -> list[Flag]:
        return flags_of(self.now)

    @property
    def reasons_then(self) -> list[str]:
        return reason_labels(self.item.reasons)

    @property
    def is_key_now(self) -> bool:
        return hasattr(self.now, "key_status") and self.now.key_status.is_key

    @property
    def reasons_now(self) -> list[str]:
        return reason_labels(self.now.key_status.reasons) if hasattr(self.now, "key_status") else []

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """(what, at the opening, now) for the segments and the responsible manager."""
        item, now = self.item, self.now
        segment = getattr(now, "segment", None)

        def label(choices: Any, value: str) -> str:
            return choice_label(choices, value) if value else "—"

        return [
            (_("Tier"), label(Tier, item.tier), label(Tier, now.tier_now or "")),
            (
                _("Category"),
                label(Category, item.category),
                label(Category, segment.category if segment else ""),
            ),
            (_("League"), label(League, item.league), label(League, segment.league if segment else "")),
            (
                _("Size class"),
                label(SizeClass, item.size_class),
                label(SizeClass, segment.size_class if segment else ""),
            ),
            (
                _("Purchase status"),
                label(LostStatus, item.lost_status) if item.lost_status else _("Active"),
                label(LostStatus, segment.lost_status) if segment and segment.lost_status else _("Active"),
            ),
            (
                _("Responsible manager"),
                str(item.manager) if item.manager else _("Nobody"),
                str(now.responsible_manager) if now.responsible_manager else _("Nobody"),
            ),
        ]


def meeting(review: Review, position: int, *, today: date) -> Meeting | None:
    """The client at `position` of the review, or None when there is none."""
    item = next(iter(_ITEM(review.pk, position, attach=("review", review))), None)
    if item is None:
        return None
    (now,) = _NOW(item.client_id)
    for name, value in flags_now(item.client_id, today, Policy.current()).items():
        setattr(now, name, value)
    gapless = review.clients == item.last_position  # no client deleted since the review opened
    return Meeting(
        item=item,
        now=now,
        previous=item.previous_position,
        next=item.next_position,
        place=item.position if gapless else review.items.filter(position__lte=item.position).count(),
        count=review.clients,
        actions=_ACTIONS(item.pk, attach=("item", item)),
    )


def next_position(review: Review, position: int) -> int | None:
    """The position of the client after `position` in the review (past any gap), or None."""
    after = review.items.filter(position__gt=position).order_by("position")
    return after.values_list("position", flat=True).first()


def _positions() -> "QuerySet[ReviewItem, Any]":
    """The positions in the outer query's item's review, read down their index."""
    return ReviewItem.objects.filter(review_id=OuterRef("review_id")).values("position")


# The meeting's page, client after client: its queries are prepared (kam.prepared). The item comes
# with its neighbours' positions and the review's last one: an opening numbers them from 1 without
# a gap, so while the last one is the review's number of clients its position is its place (a
# client deleted in the admin leaves a gap, which the neighbours step over, and the place is then
# counted). Counting the review's items on every page read every one of them.
_ITEM = Prepared(
    lambda review, position: (
        ReviewItem.objects.filter(review_id=review, position=position)
        .select_related("client", "manager", "decided_by")
        .annotate(
            previous_position=Subquery(
                _positions().filter(position__lt=OuterRef("position")).order_by("-position")[:1]
            ),
            next_position=Subquery(
                _positions().filter(position__gt=OuterRef("position")).order_by("position")[:1]
            ),
            last_position=Subquery(_positions().order_by("-position")[:1]),
        )
        .order_by("pk")[:1]
    )
)
_NOW = Prepared(
    lambda client: (
        Client.objects.filter(pk=client)
        .select_related("segment", "key_status", "responsible_manager")
        .annotate(tier_now=effective_tier())
    )
)
_ACTIONS = Prepared(
    lambda item: ActionItem.objects.filter(item_id=item).select_related("owner").order_by("due", "pk")
)


@dataclass
class Change:
    """The clients that changed one way since the previous review: how many, and the first
    DIFF_LIMIT as their card's address and name."""

    names: list[tuple[str, str]] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass
class FlagChange:
    flag: Flag
    new: Change
    resolved: Change


@dataclass
class Difference:
    """What changed between the previous closed review's snapshot and this one's."""

    previous: Review
    entered: Change
    left: Change
    manager_changed: Change
    flags: list[FlagChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        changes = [self.entered, self.left, self.manager_changed]
        changes += [c for f in self.flags for c in (f.new, f.resolved)]
        return not any(change.count for change in changes)


def _snapshot(review: Review) -> dict[int, dict[str, Any]]:
    rows = review.items.values("client_id", "client__name", "was_key", "manager_id", "flags")
    return {row["client_id"]: dict(row) for row in rows}


Listed = list[Any]  # [count, [[client id, name], ...]]: how many changed, the first DIFF_LIMIT named


def changes(review: Review) -> dict[str, Any]:
    """The difference between the previous review's snapshot and this one's, by name, as kept on
    the review (two queries): {"entered": Listed, "left": Listed, "manager": Listed, "flags":
    {flag name: {"new": Listed, "resolved": Listed}}}, names in alphabetical order."""
    assert review.previous is not None
    before, after = _snapshot(review.previous), _snapshot(review)
    found: dict[str, Any] = {"entered": [0, []], "left": [0, []], "manager": [0, []], "flags": {}}

    def add(listed: Listed, client_id: int, name: str) -> None:
        listed[0] += 1
        if len(listed[1]) < DIFF_LIMIT:
            listed[1].append([client_id, name])

    def flag(name: str, way: str) -> Listed:
        ways = found["flags"].setdefault(name, {"new": [0, []], "resolved": [0, []]})
        listed: Listed = ways[way]
        return listed

    for client_id in sorted(before.keys() | after.keys(), key=lambda pk: _name(pk, after, before)):
        then, now = before.get(client_id), after.get(client_id)
        name = _name(client_id, after, before)
        was_key, is_key = bool(then and then["was_key"]), bool(now and now["was_key"])
        if is_key and not was_key:
            add(found["entered"], client_id, name)
        if was_key and not is_key:
            add(found["left"], client_id, name)
        if then and now and then["manager_id"] != now["manager_id"]:
            add(found["manager"], client_id, name)
        if then and now:
            for new in sorted(set(now["flags"]) - set(then["flags"])):
                add(flag(new, "new"), client_id, name)
            for resolved in sorted(set(then["flags"]) - set(now["flags"])):
                add(flag(resolved, "resolved"), client_id, name)
    return found


def difference(review: Review) -> Difference | None:
    """Who entered or left the key list, whose responsible manager changed, which flags are new
    and which were resolved, from the previous closed review to this one: as kept when the
    review opened (no query), or worked out from the two snapshots for a review without it."""
    if review.previous is None:
        return None
    found = review.difference if review.difference is not None else changes(review)

    def change(listed: Listed) -> Change:
        count, names = listed
        return Change(names=[(pk_url("accounts:client_detail", pk), name) for pk, name in names], count=count)

    ways = found["flags"]
    return Difference(
        previous=review.previous,
        entered=change(found["entered"]),
        left=change(found["left"]),
        manager_changed=change(found["manager"]),
        flags=[
            FlagChange(flag, change(ways[name]["new"]), change(ways[name]["resolved"]))
            for name, flag in BY_NAME.items()
            if name in ways
        ],
    )


def _name(client_id: int, *snapshots: dict[int, dict[str, Any]]) -> str:
    for snapshot in snapshots:
        if client_id in snapshot:
            return str(snapshot[client_id]["client__name"])
    return ""


def actions_of(
    user: User, *, everyone: bool, owner: User | None = None, status: str = ""
) -> QuerySet[ActionItem]:
    """Action items, soonest due first: the user's own, or everyone's for a director (optionally
    one owner's)."""
    found = ActionItem.objects.select_related("owner", "item__client", "item__review")
    if not everyone:
        found = found.filter(owner=user)
    elif owner is not None:
        found = found.filter(owner=owner)
    if status:
        found = found.filter(status=status)
    return found.order_by("due", "pk")


def action_page(actions: QuerySet[ActionItem], *, after: str, before: str) -> Page:
    return keyset_page(actions, order=["due", "pk"], after=after, before=before, size=ACTIONS_PER_PAGE)
