"""A review's rows written in Python (see `kam.cells`): the review page's 50 and the printed
review's every client (2,000 and more), whose template loop with a lookup, a filter and a
translated label per cell cost most of those pages' time.

The labels are translated and escaped once per language (`words`), not once per cell.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kam.cells import esc, language, rows, text
from kam.links import around_last
from kam.money import money
from segmentation.cells import flag_badge, flag_badges
from segmentation.models import Category, Decision, League, Review, ReviewItem, Tier
from segmentation.radar.flags import FLAGS

DASH = "—"


@dataclass(frozen=True)
class Words:
    """The labels a review's rows use, in one language, escaped."""

    key: str
    candidate: str
    nobody: str
    tiers: dict[str, str]
    categories: dict[str, str]
    leagues: dict[str, str]
    decisions: dict[str, str]
    flags: dict[str, str]  # by name; a name no longer defined is left out


def words() -> Words:
    return _words(language())


@lru_cache(maxsize=16)
def _words(language: str | None) -> Words:
    def labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
        return {value: esc(label) for value, label in choices}

    return Words(
        key=esc(_("Key")),
        candidate=esc(_("Candidate")),
        nobody=esc(_("Nobody")),
        tiers=labels(Tier.choices),
        categories=labels(Category.choices),
        leagues=labels(League.choices),
        decisions=labels(Decision.choices),
        flags={flag.name: esc(flag.label) for flag in FLAGS},
    )


def _label(labels: dict[str, str], value: str) -> str:
    """A choice's label (a value no longer a choice as it is), or a dash for none."""
    return labels[value] if value in labels else esc(value or DASH)


def _flag_badges(names: list[str], labels: dict[str, str]) -> str:
    return flag_badges("".join(flag_badge(labels[name], name) for name in names if name in labels))


@rows()
def item_rows(review: Review, items: Iterable[ReviewItem]) -> SafeString:
    """The review page's rows (`selectors.review_items`: with `action_count` and
    `open_actions`), each client's name opening its place in the meeting."""
    said = words()
    before, after = around_last("segmentation:review_client", review.pk)
    html = []
    for item in items:
        key = (
            f'<span class="badge text-bg-primary">{said.key}</span>'
            if item.was_key
            else f'<span class="badge text-bg-light border">{said.candidate}</span>'
        )
        manager = esc(item.manager) if item.manager else f'<span class="text-danger">{said.nobody}</span>'
        decision = (
            f'<span class="badge text-bg-info">{_label(said.decisions, item.decision)}</span>'
            if item.decision
            else '<span class="text-muted">—</span>'
        )
        actions = (
            f"{text(item.open_actions)}/{text(item.action_count)}"  # type: ignore[attr-defined]
            if item.action_count  # type: ignore[attr-defined]
            else DASH
        )
        html.append(
            f"<tr><td>{text(item.position)}</td>"
            f'<td><a href="{before}{item.position}{after}">{esc(item.client.name)}</a></td>'
            f"<td>{key}</td><td>{_label(said.tiers, item.tier)}</td><td>{esc(item.category or DASH)}</td>"
            f"<td>{_label(said.leagues, item.league)}</td><td>{manager}</td>"
            f"<td>{_flag_badges(item.flags, said.flags)}</td><td>{decision}</td>"
            f'<td class="text-end">{actions}</td></tr>'
        )
    return SafeString("".join(html))


# What the printed review reads of each item: values, not model instances (a third of its time).
PRINTED = [
    "position",
    "client__name",
    "was_key",
    "tier",
    "category",
    "league",
    "manager",
    "manager__first_name",
    "manager__last_name",
    "manager__username",
    "potential",
    "flags",
    "decision",
    "note",
]


@rows()
def print_rows(rows: Iterable[tuple[Any, ...]]) -> SafeString:
    """The printed review's rows, from `review.items.values_list(*PRINTED)` in its order."""
    said = words()
    html = []
    for (
        position,
        name,
        was_key,
        tier,
        category,
        league,
        manager,
        first_name,
        last_name,
        username,
        potential,
        flags,
        decision,
        note,
    ) in rows:
        responsible = said.nobody if manager is None else esc(f"{first_name} {last_name}".strip() or username)
        cells = [
            text(position),
            esc(name),
            said.key if was_key else said.candidate,
            _label(said.tiers, tier),
            _label(said.categories, category),
            _label(said.leagues, league),
            responsible,
            esc(money(potential)) if potential is not None else DASH,
        ]
        flagged = "; ".join(said.flags[flag] for flag in flags if flag in said.flags)
        decided = _label(said.decisions, decision) if decision else ""
        html.append(
            "<tr>"
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + f'<td class="flags">{flagged}</td><td>{decided}</td><td>{esc(note)}</td></tr>'
        )
    return SafeString("\n".join(html))
