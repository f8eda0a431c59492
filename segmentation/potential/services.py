"""Writes to the potential table: one estimate per client and product group, kept in history."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Client, ProductGroup
from kam.money import money
from kam.users.models import User
from segmentation.models import PotentialEstimate


@dataclass
class EstimateConflict(Exception):
    """Someone saved this estimate after the form was opened; nothing was written."""

    message: str


def fingerprint(estimate: PotentialEstimate | None) -> str:
    """What a form saw of the estimate, to notice a save made meanwhile by someone else."""
    if estimate is None:
        return ""
    amount = Decimal(estimate.amount).quantize(Decimal("0.01"))
    return f"{estimate.pk}:{amount}:{estimate.source}:{estimate.estimated_on}:{estimate.author_id}"


def estimate_save(
    *,
    client: Client,
    product_group: ProductGroup,
    amount: Decimal,
    source: str,
    estimated_on: date,
    author: User,
    seen: str | None = None,
) -> PotentialEstimate:
    """Create or replace the client's estimate for a product group; the author is whoever saves.

    1. Lock the existing row, if any, so two saves queue up.
    2. If the form saw another version of it (`seen`), refuse with EstimateConflict.
    3. Save it with its history row, and mark the card as updated.
    """
    with transaction.atomic():
        estimate = (
            PotentialEstimate.objects.select_for_update()
            .filter(client=client, product_group=product_group)
            .first()
        )
        if seen is not None and fingerprint(estimate) != seen:
            raise EstimateConflict(_conflict_message(estimate))
        estimate = estimate or PotentialEstimate(client=client, product_group=product_group)
        estimate.amount = amount
        estimate.source = source
        estimate.estimated_on = estimated_on
        estimate.author = author
        estimate._history_user = author  # type: ignore[attr-defined]
        estimate.save()
        Client.objects.filter(pk=client.pk).update(updated_at=timezone.now())
    return estimate


def _conflict_message(current: PotentialEstimate | None) -> str:
    if current is None:
        return _(
            "Someone deleted this estimate after you opened the form. Nothing was saved; check the table."
        )
    return _(
        "%(author)s saved this estimate after you opened the form: %(amount)s, estimated on %(date)s. "
        "Nothing was saved; check the values and save again."
    ) % {
        "author": current.author or _("Someone"),
        "amount": money(current.amount),
        "date": formats.date_format(current.estimated_on, "SHORT_DATE_FORMAT"),
    }


def estimate_delete(*, estimate: PotentialEstimate, by: User) -> None:
    """Remove an estimate; its history keeps the last values and who deleted it."""
    with transaction.atomic():
        estimate._history_user = by  # type: ignore[attr-defined]
        estimate.delete()
        Client.objects.filter(pk=estimate.client_id).update(updated_at=timezone.now())
