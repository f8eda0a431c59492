from collections.abc import Sequence
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.filters import ManagerListFilter
from accounts.models import Client
from kam.choices import kept
from segmentation.models import PotentialEstimate


class EstimateTodoFilter(ManagerListFilter):
    """The estimates to-do list: whose clients, not analysed or stale, and the page."""

    NOT_ANALYSED, STALE = "not_analysed", "stale"

    state = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=kept([(NOT_ANALYSED, _("Not analysed")), (STALE, _("Stale estimates"))]),
        method="in_state",
        empty_label=_("Both"),
    )

    def total(self, counts: Sequence[Any]) -> int | None:
        """How many clients the list holds, from the per-manager counts (`todo_counts`, of the
        clients the user sees) when it is filtered by state alone or not at all; else None (to
        be counted). The counts are kept (`EstimateTally`): no client is read to know it."""
        if not self.form.is_bound:
            return sum(row.total for row in counts)
        if not self.form.is_valid() or self.form.cleaned_data.get("manager") not in (None, ""):
            return None
        state = self.form.cleaned_data.get("state")
        if state == self.NOT_ANALYSED:
            return sum(row.not_analysed for row in counts)
        if state == self.STALE:
            return sum(row.stale for row in counts)
        return sum(row.total for row in counts)

    def in_state(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        """The to-do list holds no client with a fresh estimate, so any estimate means a stale one."""
        analysed = Exists(PotentialEstimate.objects.filter(client=OuterRef("pk")))
        return queryset.filter(~analysed if value == self.NOT_ANALYSED else analysed)
