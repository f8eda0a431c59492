"""The policy form's fields, kept drawn (`kam.crispy.kept_fields`) by everything they show:
drawn once for the same policy, managers and language, drawn again the moment any changes."""

import re
from decimal import Decimal

import pytest
from crispy_forms.utils import render_crispy_form
from django.urls import reverse
from django.utils import translation

from kam import crispy
from segmentation.models import Policy
from segmentation.ops.forms import PolicyForm
from segmentation.ops.services import policy_version
from tests.factories import ManagerFactory
from tests.segmentation.ops.test_policy import policy_data

URL = reverse("segmentation:policy")


@pytest.fixture(autouse=True)
def policy(db):
    """The policy as it is read, not as the first read creates it."""
    return Policy.current()


@pytest.fixture
def drawn(monkeypatch):
    """How many times crispy drew the policy form."""
    calls = []
    draw = crispy.render_crispy_form

    def counted(form, *args, **kwargs):
        calls.append(type(form).__name__)
        return draw(form, *args, **kwargs)

    monkeypatch.setattr(crispy, "render_crispy_form", counted)
    return calls


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which Django masks anew for each response."""
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', r"\1", html)


def live_fields() -> str:
    """The fields as crispy draws them now, with nothing kept."""
    policy = Policy.current()
    return str(render_crispy_form(PolicyForm(instance=policy, initial={"version": policy_version(policy)})))


def test_the_second_view_shows_the_kept_fields_as_crispy_draws_them(as_admin, drawn):
    first = as_admin.get(URL).content.decode()
    second = as_admin.get(URL).content.decode()

    assert drawn == ["PolicyForm"]
    assert without_tokens(second) == without_tokens(first)
    assert live_fields() in second


def test_a_policy_changed_outside_the_form_shows_at_once(as_admin, drawn):
    as_admin.get(URL)
    Policy.objects.update(pareto_share=Decimal("75.5"))  # no save(), no updated_at

    content = as_admin.get(URL).content.decode()

    assert drawn == ["PolicyForm", "PolicyForm"]
    assert 'name="pareto_share" value="75.50"' in content
    assert live_fields() in content


def test_a_saved_policy_shows_at_once(as_admin, drawn):
    as_admin.get(URL)

    assert as_admin.post(URL, policy_data(gold_share="55")).status_code == 302
    content = as_admin.get(URL).content.decode()

    assert len(drawn) == 2
    assert 'name="gold_share" value="55"' in content


def test_a_new_manager_and_a_renamed_one_show_at_once(as_admin, manager, drawn):
    as_admin.get(URL)
    ManagerFactory(first_name="Varvara", last_name="Novikova")
    after_new = as_admin.get(URL).content.decode()
    type(manager).objects.filter(pk=manager.pk).update(first_name="Renamed")
    after_rename = as_admin.get(URL).content.decode()

    assert len(drawn) == 3
    assert ">Varvara Novikova</option>" in after_new
    assert f'<option value="{manager.pk}">Renamed {manager.last_name}</option>' in after_rename


def test_each_language_has_its_own_fields(as_admin, admin_user, drawn):
    english = as_admin.get(URL).content.decode()
    admin_user.language = "ru"
    admin_user.save(update_fields=["language"])

    russian = as_admin.get(URL).content.decode()

    assert len(drawn) == 2
    assert "<legend>ABCD analysis</legend>" in english
    with translation.override("ru"):
        legend = f"<legend>{translation.gettext('ABCD analysis')}</legend>"
    assert legend != "<legend>ABCD analysis</legend>"
    assert legend in russian


def test_a_form_sent_back_with_errors_is_drawn_with_its_values_and_errors(as_admin, drawn):
    as_admin.get(URL)
    before = Policy.current().gold_share

    response = as_admin.post(URL, policy_data(gold_share="150"))

    content = response.content.decode()
    assert response.status_code == 200
    assert drawn == ["PolicyForm", "PolicyForm"]
    assert 'name="gold_share" value="150"' in content
    assert "Enter a share from 0 to 100%." in content
    assert Policy.current().gold_share == before
    assert 'value="150"' not in as_admin.get(URL).content.decode()


def test_the_page_reads_as_many_queries_kept_as_drawn(as_admin, assert_queries):
    """The the session with the user, their roles and unread notifications, the policy, the
    managers, its changes and our locations, whether the fields are drawn or kept (the managers
    are part of their key): the managers are read once."""
    drawn = assert_queries(5, lambda: as_admin.get(URL))
    kept = assert_queries(5, lambda: as_admin.get(URL))

    assert (drawn.status_code, kept.status_code) == (200, 200)
