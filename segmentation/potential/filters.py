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

    def in_state(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        """The to-do list holds no client with a fresh estimate, so any estimate means a stale one."""
        analysed = Exists(PotentialEstimate.objects.filter(client=OuterRef("pk")))
        return queryset.filter(~analysed if value == self.NOT_ANALYSED else analysed)
