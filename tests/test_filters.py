"""kam.filters.FilterSet: each FilterSet made owns its filters and fields, copied once, not deeply;
kam.choices.kept: choices handed over as a callable read as the list they are."""

import copy

import django_filters
import pytest
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kam import filters as kam_filters
from kam.choices import kept
from kam.filters import FilterSet
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

STATUSES = kept(Client.Status.choices)


class Clients(FilterSet):
    name = django_filters.CharFilter(method="named", widget=forms.TextInput(attrs={"class": "form-control"}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUSES, empty_label=_("Any"))

    class Meta:
        model = Client
        fields: list[str] = []

    def named(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset.filter(name__startswith=value)


def test_each_filterset_owns_its_filters_fields_and_widgets() -> None:
    one, two = Clients(QueryDict("status=active")), Clients(QueryDict("status=inactive"))
    assert one.filters["status"] is not two.filters["status"]
    assert one.filters["status"] is not Clients.base_filters["status"]
    assert one.form.fields["status"] is not two.form.fields["status"]
    one.filters["status"].extra["help_text"] = "changed"
    assert "help_text" not in two.filters["status"].extra
    assert "help_text" not in Clients.base_filters["status"].extra
    one.form.fields["name"].widget.attrs["id"] = "mine"
    assert two.form.fields["name"].widget.attrs == {"class": "form-control"}
    assert Clients.base_filters["name"].extra["widget"].attrs == {"class": "form-control"}


def test_the_form_takes_the_filters_fields_as_they_are() -> None:
    made = Clients(QueryDict(""))
    assert made.form.fields["status"] is made.filters["status"].field
    assert made.filters["status"].parent is made
    assert made.filters["name"].parent is made


def test_every_form_of_a_filterset_class_is_of_one_form_class_made_once() -> None:
    one, two = Clients(QueryDict("status=active")), Clients()
    assert type(one.form) is type(two.form)
    assert type(one.form).__name__ == "ClientsForm"
    assert isinstance(one.form, django_filters.FilterSet._meta.form)
    assert list(one.form.fields) == list(two.form.fields) == ["name", "status"]
    assert one.form.is_bound
    assert not two.form.is_bound
    assert one.form.is_valid()
    assert one.form.cleaned_data == {"name": "", "status": "active"}
    assert type(one.form).base_fields == {}  # the class holds none of a form's fields


def test_a_filter_by_method_calls_its_own_filtersets_method() -> None:
    ClientFactory(name="Oil and gas")
    ClientFactory(name="Steel")
    first, second = Clients(QueryDict("name=Oil")), Clients(QueryDict("name=Ste"))
    assert [c.name for c in first.qs] == ["Oil and gas"]
    assert [c.name for c in second.qs] == ["Steel"]
    assert first.filters["name"].filter.f is first.filters["name"]


def test_a_copy_is_what_a_deep_copy_gave() -> None:
    deep = copy.deepcopy(dict(Clients.base_filters))
    made = copy.deepcopy(Clients.base_filters)
    assert list(made) == list(deep) == ["name", "status"]
    for name in made:
        assert type(made[name]) is type(deep[name])
        assert made[name].extra.keys() == deep[name].extra.keys()
        assert made[name].method == deep[name].method


def test_kept_choices_validate_and_render_in_the_active_language() -> None:
    for language, any_label, active_label in (("en", "Any", "Active"), ("ru", "Все", "Активный")):
        with translation.override(language):
            made = Clients(QueryDict("status=active"))
            assert made.form.is_valid()
            html = str(made.form["status"])
            assert f'<option value="">{any_label}</option>' in html
            assert f'<option value="active" selected>{active_label}</option>' in html
    invalid = Clients(QueryDict("status=gone"))
    assert not invalid.form.is_valid()
    assert list(invalid.form.errors) == ["status"]


def test_kept_returns_the_same_list() -> None:
    choices = [("a", _("Active"))]
    assert kept(choices)() is choices


class Versioned(Clients):
    """Clients' filters whose fields are kept for a version given to each FilterSet."""

    def __init__(self, *args: object, version: int | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.version = version

    def fields_key(self) -> int | None:
        return self.version


def test_fields_of_one_version_are_made_once_and_shared_by_every_form_of_it() -> None:
    one = Versioned(QueryDict("status=active"), version=1)
    assert not one.fields_kept()
    fields = one.form.fields
    two = Versioned(QueryDict("status=inactive"), version=1)
    assert two.fields_kept()

    assert two.form.fields["status"] is fields["status"]
    assert two.form.fields is not fields  # each form its own dict of them, and its own data
    assert (one.form.is_valid(), one.form.cleaned_data["status"]) == (True, "active")
    assert (two.form.is_valid(), two.form.cleaned_data["status"]) == (True, "inactive")
    assert Versioned(QueryDict(""), version=2).form.fields["status"] is not fields["status"]
    assert Versioned(QueryDict(""), version=None).form.fields["status"] is not fields["status"]
    assert not Versioned(QueryDict(""), version=None).fields_kept()


def test_kept_fields_are_of_one_language_and_filters() -> None:
    english = Versioned(QueryDict(""), version=3).form.fields["status"]
    with translation.override("ru"):
        russian = Versioned(QueryDict(""), version=3).form.fields["status"]
    fewer = Versioned(QueryDict(""), version=3)
    del fewer.filters["name"]

    assert russian is not english
    assert fewer.form.fields["status"] is not english
    assert Versioned(QueryDict(""), version=3).form.fields["status"] is english


def test_kept_fields_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kam_filters, "KEPT", 3)
    first = Versioned(QueryDict(""), version=10).form.fields["status"]
    for version in range(11, 14):
        assert Versioned(QueryDict(""), version=version).fields_kept() is False
        assert Versioned(QueryDict(""), version=version).form.fields["status"] is not first
    assert len(kam_filters._kept_fields) <= 3
    assert Versioned(QueryDict(""), version=10).form.fields["status"] is not first
