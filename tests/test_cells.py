"""kam/cells.py: the small pieces every app's cells share."""

import pytest
from django.utils import translation

from kam.cells import label
from plans.models import Plan, PlanKind


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(
    ("choices", "field", "values"),
    [
        (PlanKind, "kind", [*PlanKind.values, "unknown"]),
        (Plan.Outcome, "outcome", [*Plan.Outcome.values, ""]),
        (Plan.Offer, "offer_kind", [*Plan.Offer.values, ""]),
    ],
)
def test_a_label_is_what_get_display_says(language, choices, field, values):
    with translation.override(language):
        for value in values:
            plan = Plan(**{field: value})
            assert label(choices, value) == str(getattr(plan, f"get_{field}_display")())


def test_a_label_speaks_the_active_language():
    with translation.override("en"):
        english = label(PlanKind, PlanKind.values[0])
    with translation.override("ru"):
        russian = label(PlanKind, PlanKind.values[0])
        assert russian == str(PlanKind.choices[0][1])

    assert english != russian
