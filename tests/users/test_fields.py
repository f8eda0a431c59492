"""User choice fields: the choices as a ModelChoiceField would write them, read as four columns."""

import pytest
from django import forms

from accounts.forms import COLLEAGUE_NAMES, MANAGER_NAMES, People, colleagues, managers
from kam.users.fields import UserChoiceField, UsersChoiceField
from kam.users.models import User
from segmentation.timesplit.selectors import EVERY_MANAGER, names_of, visible_managers
from tests.factories import DirectorFactory, ManagerFactory


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


@pytest.mark.parametrize(
    ("names", "users"),
    [
        (MANAGER_NAMES, managers),
        (COLLEAGUE_NAMES, colleagues),
        (lambda: names_of(EVERY_MANAGER()), lambda: visible_managers(DirectorFactory())),
    ],
)
def test_a_field_given_its_users_names_shows_what_its_queryset_holds(db, names, users, assert_queries):
    """The prepared names (`names=`) write the same select as the queryset, read anew each time:
    a manager added, renamed or gone shows at once."""
    anna = ManagerFactory(first_name="Anna", last_name="Smirnova")
    ManagerFactory(first_name="Oleg", last_name="Ivanov")
    ManagerFactory(first_name="Gone", is_active=False)

    def both() -> tuple[str, str]:
        named = UserChoiceField(queryset=users(), names=names, required=False)
        plain = UserChoiceField(queryset=users(), required=False)
        return named.widget.render("u", None), plain.widget.render("u", None)

    named, plain = both()
    assert named == plain
    assert "Anna Smirnova" in named
    assert "Gone" not in named
    User.objects.filter(pk=anna.pk).update(last_name="Petrova")
    ManagerFactory(first_name="Nina", last_name="Orlova")
    named, plain = both()
    assert named == plain
    assert "Anna Petrova" in named
    assert "Nina Orlova" in named
    field = UserChoiceField(queryset=users(), names=names, required=False)
    assert_queries(1, lambda: tuple(iter(field.choices)))


def test_the_choices_come_from_the_names_when_given():
    names = [(7, "Anna", "Smirnova", "anna"), (9, "", "", "oleg")]
    one = UserChoiceField(queryset=User.objects.none(), names=lambda: names, required=False)
    many = UsersChoiceField(queryset=User.objects.none(), names=lambda: names)

    assert list(one.choices) == [("", "---------"), (7, "Anna Smirnova"), (9, "oleg")]
    assert list(many.choices) == [(7, "Anna Smirnova"), (9, "oleg")]


def test_people_read_managers_and_colleagues_in_one_query(db, django_assert_num_queries):
    """A page with a select of managers and one of colleagues (the review's meeting) reads both
    lists of names at once, as each prepared list has them: in the users' order, managers only
    among the active users of the role."""
    ManagerFactory(first_name="Oleg", last_name="Ivanov")
    ManagerFactory(first_name="Anna", last_name="Smirnova")
    ManagerFactory(first_name="Gone", is_active=False)
    DirectorFactory(first_name="Boris", last_name="Orlov")
    people = People()

    with django_assert_num_queries(1):
        managers_named, colleagues_named = people.managers(), people.colleagues()

    assert managers_named == list(MANAGER_NAMES())
    assert colleagues_named == list(COLLEAGUE_NAMES())
    assert [row[1] for row in managers_named] == ["Oleg", "Anna"]
    assert [row[1] for row in colleagues_named] == ["Oleg", "Boris", "Anna"]
