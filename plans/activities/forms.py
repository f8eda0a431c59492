"""The form of a development activity: who took part must be the client's people and our active
staff, and its plan one of the client's."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from accounts.forms import DATE_INPUT, CrispyMixin, colleagues
from accounts.models import Client, Contact
from plans.models import Activity, Plan

FIELDS = [
    "kind",
    "date",
    "duration_minutes",
    "rung",
    "title",
    "summary",
    "our_people",
    "their_people",
    "plan",
]


def plan_label(plan: Plan) -> str:
    """A plan as the choice reads it: its kind, when it started and whether it still runs."""
    started = formats.date_format(plan.started_on, "SHORT_DATE_FORMAT")
    status = plan.get_status_display().lower()
    return f"{plan.get_kind_display()}, {started} ({status})"


class ActivityForm(CrispyMixin, forms.ModelForm):
    """An activity of `client`; when editing, the version it was opened at. People who left (our
    staff deactivated, their contact retired) stay choosable on the activities that have them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Activity
        fields = FIELDS
        widgets = {"date": DATE_INPUT, "summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "date": _("A later date plans the activity: its rung counts as reached from that day."),
            "duration_minutes": _("Our time on it, for the managers' time split; leave empty if unknown."),
        }
        error_messages = {
            "our_people": {"invalid_choice": _("Choose our people from the active staff.")},
            "their_people": {"invalid_choice": _("Choose their people from this client's active contacts.")},
            "plan": {"invalid_choice": _("Choose one of this client's plans.")},
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        linked = self.instance.pk is not None
        theirs = self.instance.their_people.all() if linked else Contact.objects.none()
        self._field("their_people").queryset = client.contacts.filter(
            Q(is_active=True) | Q(pk__in=theirs)
        ).order_by("name")
        self._field("our_people").queryset = colleagues(
            keep=self.instance.our_people.all() if linked else None
        ).order_by("last_name", "first_name", "username")
        self._field("plan").queryset = Plan.objects.filter(client=client).order_by("status", "-started_on")
        self._field("plan").label_from_instance = plan_label
        for name in ("our_people", "their_people"):
            self.fields[name].widget.attrs["size"] = 5
        self.fields["duration_minutes"].widget.attrs["max"] = 24 * 60
        if linked:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def _field(self, name: str) -> Any:
        return self.fields[name]

    def many_to_many(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("our_people", "their_people")}
