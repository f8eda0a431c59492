"""User choice fields: the choices as a ModelChoiceField would write them, read as four columns."""

import pytest
from django import forms

from kam.users.fields import UserChoiceField, UsersChoiceField
from kam.users.models import User
from tests.factories import ManagerFactory


def test_the_choices_and_the_markup_are_those_of_a_model_choice_field(db, assert_queries):
    ManagerFactory(first_name="Anna", last_name="Smirnova")
    ManagerFactory(first_name="", last_name="", username="noname")
    users = User.objects.order_by("pk")
    plain = forms.ModelChoiceField(queryset=users, required=False)
    lean = UserChoiceField(queryset=users, required=False)

    assert [(str(v), label) for v, label in lean.choices] == [(str(v), label) for v, label in plain.choices]
    assert [label for _, label in lean.choices] == ["---------", "Anna Smirnova", "noname"]
    assert lean.widget.render("u", None) == plain.widget.render("u", None)
    choices = assert_queries(1, lambda: tuple(iter(lean.choices)))  # the users, once (no count)
    assert len(choices) == 3


def test_the_cleaned_values_are_users_and_a_stranger_is_refused(db):
    anna, oleg = ManagerFactory(), ManagerFactory()
    one = UserChoiceField(queryset=User.objects.filter(pk=anna.pk))
    many = UsersChoiceField(queryset=User.objects.all())

    assert one.clean(str(anna.pk)) == anna
    assert set(many.clean([str(anna.pk), str(oleg.pk)])) == {anna, oleg}
    with pytest.raises(forms.ValidationError) as refused:
        one.clean(str(oleg.pk))
    assert refused.value.code == "invalid_choice"


def test_a_select_reads_its_users_once_and_each_form_anew(db, django_assert_num_queries):
    """A select without an empty choice is asked for its first user (whether it may be marked
    required) before it writes them all: one read of the users for both; the next form (the
    next request) reads them again."""

    class Pick(forms.Form):
        user = UserChoiceField(queryset=User.objects.order_by("pk"), empty_label=None)

    ManagerFactory(first_name="Anna", last_name="Smirnova")
    with django_assert_num_queries(1):
        html = str(Pick()["user"])
    assert "Anna Smirnova" in html

    ManagerFactory(first_name="Oleg", last_name="Ivanov")
    with django_assert_num_queries(1):
        html = str(Pick()["user"])
    assert "Oleg Ivanov" in html
