"""The route for D clients on the policy page: each route names what it needs, and its history."""

import pytest
from django.urls import reverse

from segmentation.models import DRouteKind, Policy
from segmentation.ops.selectors import policy_changes
from tests.segmentation.ops.test_policy import policy_data, policy_state

URL = reverse("segmentation:policy")

pytestmark = pytest.mark.usefixtures("english")


def test_the_employee_route_names_an_employee(as_admin, base):
    before = policy_state()

    response = as_admin.post(URL, policy_data(d_route=DRouteKind.EMPLOYEE, d_route_employee=""))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "d_route_employee": ["Choose the employee who takes every D client."]
    }
    assert policy_state() == before


def test_the_partner_route_names_the_partner(as_admin, base):
    before = policy_state()

    response = as_admin.post(URL, policy_data(d_route=DRouteKind.PARTNER, d_route_partner="   "))

    assert response.context["form"].errors == {
        "d_route_partner": ["Name the partner the D clients are handed to."]
    }
    assert policy_state() == before


def test_the_employee_must_be_an_active_account_manager(as_admin, base, director):
    response = as_admin.post(URL, policy_data(d_route=DRouteKind.EMPLOYEE, d_route_employee=director.pk))

    assert list(response.context["form"].errors) == ["d_route_employee"]


def test_a_route_keeps_only_what_it_names_and_its_change_is_in_the_history(as_admin, base, admin_user):
    as_admin.post(URL, policy_data(d_route=DRouteKind.PARTNER, d_route_partner="Partner LLC"))

    response = as_admin.post(
        URL,
        policy_data(
            d_route=DRouteKind.EMPLOYEE, d_route_employee=base.employee.pk, d_route_partner="Partner LLC"
        ),
    )

    assert response.status_code == 302
    policy = Policy.current()
    assert (policy.d_route, policy.d_route_employee, policy.d_route_partner) == (
        DRouteKind.EMPLOYEE,
        base.employee,
        "",
    )
    latest = [(c.field, c.old, c.new) for c in policy_changes()][:3]
    assert latest == [
        ("Route for D clients", "Handed to a partner", "All to one employee"),
        ("Employee for D clients", "—", "Dina Small"),
        ("Partner for D clients", "Partner LLC", "—"),
    ]
