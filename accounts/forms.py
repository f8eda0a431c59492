from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import extensions, geography
from accounts.models import (
    INN_KPP_TAKEN,
    Client,
    Contact,
    Industry,
    PointOfPresence,
    ProductGroup,
    Refusal,
    TeamMember,
    Touch,
)
from kam.crispy import form_helper
from kam.prepared import Prepared
from kam.users import roles
from kam.users.fields import NAME_COLUMNS, UserChoiceField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def managers() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True, groups__name=roles.ACCOUNT_MANAGER).distinct()


def colleagues(*, keep: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """Active staff, plus those already linked (`keep`), so re-saving never drops someone who left."""
    active = Q(is_active=True)
    if keep is not None:
        active |= Q(pk__in=keep.values("pk"))
    return get_user_model().objects.filter(active)


# The names a select of `managers()` or of `colleagues()` shows (`kam.users.fields`), compiled once.
MANAGER_NAMES = Prepared(lambda: managers().values_list(*NAME_COLUMNS))
COLLEAGUE_NAMES = Prepared(lambda: colleagues().values_list(*NAME_COLUMNS))
# Both at once: the names of `colleagues()`, each with whether it is one of `managers()`.
_PEOPLE_NAMES = Prepared(
    lambda: (
        colleagues()
        .annotate(is_manager=Exists(managers().filter(pk=OuterRef("pk"))))
        .values_list(*NAME_COLUMNS, "is_manager")
    )
)


class People:
    """The names of a select of `managers()` and of one of `colleagues()` on one page, read in
    one query when the first of them is drawn: give a field `names=people.managers` or
    `names=people.colleagues`."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] | None = None

    def _read(self) -> list[tuple[Any, ...]]:
        if self.rows is None:
            self.rows = list(_PEOPLE_NAMES())
        return self.rows

    def colleagues(self) -> list[tuple[Any, ...]]:
        return [row[:4] for row in self._read()]

    def managers(self) -> list[tuple[Any, ...]]:
        return [row[:4] for row in self._read() if row[4]]


def _field(form: forms.BaseForm, name: str) -> Any:
    """A form field whose queryset or choices are set per request."""
    return form.fields[name]


class CrispyMixin:
    """Crispy renders the fields; templates own the <form> tag and the buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        self.helper.disable_csrf = True


class ClientForm(CrispyMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Yes, this is a different company: create the card anyway"), required=False
    )

    class Meta:
        model = Client
        fields = [
            "name",
            "legal_name",
            "inn",
            "kpp",
            "industry",
            "website",
            "status",
            "purchasing_centralised",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[Client] = []
        # A deactivated industry is offered only to the cards that already have it.
        _field(self, "industry").queryset = Industry.objects.active(
            keep=self.instance.industry if self.instance.industry_id else None
        )
        if self.instance.pk:
            del self.fields["confirm_duplicate"]
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_kpp(self) -> str:
        return "".join(self.cleaned_data["kpp"].split()).upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        inn, kpp = data.get("inn", ""), data.get("kpp", "")
        if kpp and "inn" in self.errors:
            pass  # the INN's own error says what to fix first
        elif kpp and not inn:
            self.add_error("kpp", _("A KPP goes with the company's INN: enter the INN too."))
        elif kpp and len(inn) == 12:
            self.add_error("kpp", _("A sole trader (12-digit INN) has no KPP: leave it blank."))
        elif kpp and inn:
            same = Client.objects.filter(inn=inn, kpp=kpp).exclude(pk=self.instance.pk)
            if same.exists():
                # A branch has its own KPP; the same INN and KPP is the same company, confirmed or not.
                self.duplicates = list(same.select_related("responsible_manager")[:10])
                self.add_error("kpp", INN_KPP_TAKEN)
                return data
        if not self.instance.pk and not data.get("confirm_duplicate"):
            self.duplicates = list(possible_duplicates(data.get("name", ""), data.get("inn", "")))
            if self.duplicates:
                raise forms.ValidationError(
                    _("A client with this name or INN already exists. Check the list below before creating."),
                    code="duplicate",
                )
        return data


def possible_duplicates(name: str, inn: str) -> QuerySet[Client]:
    """Every client, visible or not, whose INN or name matches: shown without opening the card."""
    match = Q(name__iexact=name) if name else Q(pk__in=[])
    if inn:
        match |= Q(inn=inn)
    return Client.objects.filter(match).select_related("responsible_manager")[:10]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or INN"), max_length=200, required=False)


class PageForm(forms.Form):
    """A keyset page's cursors (opaque; a malformed one shows the first page)."""

    after = forms.CharField(required=False, max_length=200)
    before = forms.CharField(required=False, max_length=200)


class ListColumnsForm(forms.Form):
    """The client-list columns a user wants to see, out of every registered one."""

    columns = forms.MultipleChoiceField(
        label=_("Columns"), widget=forms.CheckboxSelectMultiple, required=False
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["columns"])
        field.choices = [(column.name, column.header) for column in extensions.list_columns()]


class AssignForm(CrispyMixin, forms.Form):
    responsible_manager = UserChoiceField(
        label=_("Responsible manager"), queryset=managers(), names=MANAGER_NAMES, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "responsible_manager").queryset = managers()

    def clean_responsible_manager(self) -> Any:
        manager = self.cleaned_data["responsible_manager"]
        if manager is None and self.initial.get("status") == Client.Status.ACTIVE:
            raise forms.ValidationError(_("An active client needs exactly one responsible manager."))
        return manager


class VersionForm(forms.Form):
    """The version of a record a page showed, sent back to refuse acting on a stale view of it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def value(self) -> int | None:
        return self.cleaned_data["version"] if self.is_valid() else None


class TeamMemberForm(CrispyMixin, forms.ModelForm):
    """Adds a colleague; a member's version is set only when a refused save showed the member."""

    user = UserChoiceField(label=_("Employee"), queryset=colleagues())
    role = forms.ChoiceField(label=_("Role"), choices=TeamMember.Role.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = TeamMember
        fields = ["user", "role"]

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "user").queryset = colleagues().exclude(pk=client.responsible_manager_id)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class EntryForm(CrispyMixin, forms.ModelForm):
    """A form for one part of a card: it knows the client it belongs to and, when editing,
    the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def many_to_many(self) -> dict[str, Any]:
        """The validated many-to-many values (people on a touch, say), which an unsaved entry cannot hold."""
        names = {field.name for field in self.instance._meta.many_to_many}
        return {name: value for name, value in self.cleaned_data.items() if name in names}


class ContactForm(EntryForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "position",
            "department",
            "phone",
            "email",
            "birthday",
            "decision_role",
            "influence",
            "attitude",
            "known_by",
            "personal_notes",
            "is_active",
        ]
        widgets = {"birthday": DATE_INPUT, "personal_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, client=client, **kwargs)
        _field(self, "known_by").queryset = colleagues(
            keep=self.instance.known_by.all() if self.instance.pk else None
        )
        self.fields["known_by"].widget.attrs["size"] = 5


class PointForm(EntryForm):
    country = forms.ChoiceField(label=_("Country"))
    region = forms.ChoiceField(label=_("Region"), required=False)

    class Meta:
        model = PointOfPresence
        fields = ["country", "region", "city", "is_head_office", "status", "planned_date"]
        widgets = {"planned_date": DATE_INPUT}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, client=client, **kwargs)
        country = self.data.get("country") or self.initial.get("country") or self.instance.country or "RU"
        _field(self, "country").choices = geography.country_choices()
        self.fields["country"].initial = country
        _field(self, "region").choices = [("", "—"), *geography.region_choices(country)]
        self.fields["country"].widget.attrs.update(
            {"hx-get": reverse("accounts:region_options"), "hx-target": "#id_region", "hx-swap": "innerHTML"}
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == PointOfPresence.Status.PLANNED and not data.get("planned_date"):
            self.add_error("planned_date", _("A planned point needs its planned opening date."))
        if data.get("status") == PointOfPresence.Status.OPEN:
            data["planned_date"] = None
        return data


class TouchForm(EntryForm):
    class Meta:
        model = Touch
        fields = [
            "kind",
            "date",
            "duration_minutes",
            "contacts",
            "participants",
            "summary",
            "next_step",
            "next_step_date",
        ]
        widgets = {
            "date": DATE_INPUT,
            "next_step_date": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, client=client, **kwargs)
        linked = self.instance.pk is not None
        current = self.instance.contacts.all() if linked else Contact.objects.none()
        _field(self, "contacts").queryset = client.contacts.filter(Q(is_active=True) | Q(pk__in=current))
        _field(self, "participants").queryset = colleagues(
            keep=self.instance.participants.all() if linked else None
        )
        self.fields["duration_minutes"].widget.attrs["max"] = 24 * 60

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        step_date, day = data.get("next_step_date"), data.get("date")
        if step_date and day and step_date < day:
            self.add_error("next_step_date", _("The next step cannot come before the touch itself."))
        if step_date and not data.get("next_step"):
            self.add_error("next_step", _("Say what the next step is."))
        return data


class RefusalForm(EntryForm):
    class Meta:
        model = Refusal
        fields = ["date", "product_group", "reason", "note"]
        widgets = {"date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, client=client, **kwargs)
        _field(self, "product_group").queryset = ProductGroup.objects.active(
            keep=self.instance.product_group if self.instance.pk else None
        )
