"""Forms of the user management pages: the user form (create and edit) and the list filter."""

from typing import Any

import django_filters
from crispy_forms.layout import Layout
from django import forms
from django.contrib.auth.forms import SetPasswordMixin, UsernameField
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kam.choices import kept
from kam.crispy import Column, Row, form_helper
from kam.filters import FilterSet
from kam.users import selectors
from kam.users.models import User
from kam.users.roles import ROLE_LABELS


class UserForm(forms.ModelForm):
    """Profile, roles and active flag; the edit page uses it as is."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=list(ROLE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "roles", "is_active", "language"]
        field_classes = {"username": UsernameField}
        help_texts = {
            "is_active": _("Untick to close the account: the user is logged out at their next request."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            current = self.instance.groups.filter(name__in=ROLE_LABELS).values_list("name", flat=True)
            self.fields["roles"].initial = list(current)
        self.helper = form_helper()
        self.helper.layout = Layout(*self.layout_rows())

    def layout_rows(self) -> list[Any]:
        return [
            Row(Column("username"), Column("email")),
            Row(Column("first_name"), Column("last_name")),
            # Stacked, not InlineCheckboxes: crispy-bootstrap5 hides the inline variant's error text.
            "roles",
            Row(Column("language"), Column("is_active", css_class="pt-md-4")),
        ]

    def clean_username(self) -> str:
        """Reject usernames that differ from another user's only in case (as UserCreationForm)."""
        username: str = self.cleaned_data["username"]
        others = User.objects.exclude(pk=self.instance.pk).filter(username__iexact=username)
        if others.exists():
            raise forms.ValidationError(self.instance.unique_error_message(User, ("username",)))
        return username


SIMILARITY_FIELDS = ["username", "first_name", "last_name", "email"]


class UserCreateForm(UserForm, SetPasswordMixin):
    """The user form plus a first password, checked by the configured password validators."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    def layout_rows(self) -> list[Any]:
        return [*super().layout_rows(), Row(Column("password1"), Column("password2"))]

    def clean(self) -> dict[str, Any] | None:
        cleaned_data = super().clean()
        self.validate_passwords()
        # The similarity validator compares the password with the username, names and email.
        profile = {name: self.cleaned_data.get(name, "") for name in SIMILARITY_FIELDS}
        self.validate_password_for_user(User(**profile))
        return cleaned_data


ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]


class UserFilter(FilterSet):
    """Query-string filters of the user list: free text, role, active flag."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=150,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": _("Name or username")}
        ),
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        choices=kept(list(ROLE_LABELS.items())),
        field_name="groups__name",
        empty_label=_("All roles"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=kept(ACTIVE_CHOICES),
        method="filter_active",
        empty_label=_("Active and inactive"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = User
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return selectors.user_search(queryset, value)

    def filter_active(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(is_active=value == "yes")
