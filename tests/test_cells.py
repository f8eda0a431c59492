"""kam/cells.py: the small pieces every app's cells share."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from kam.cells import gettext, grouped, label, language, rows, today
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


def test_words_speak_the_active_language_each_time():
    with translation.override("ru"):
        assert gettext("never") == "никогда"
    with translation.override("en"):
        assert gettext("never") == "never"
    with translation.override("ru"):
        assert gettext("never") == "никогда"


def test_rows_keep_the_language_and_the_day_they_began_with(monkeypatch):
    with translation.override("en"):
        with rows():
            day = today()
            with translation.override("ru"):  # nothing within a table's rows does this
                assert (language(), gettext("never")) == ("en", "never")
                assert grouped(1234567) == "1,234,567"
            monkeypatch.setattr(timezone, "localdate", lambda: day + timedelta(days=1))
            assert today() == day
        assert today() == day + timedelta(days=1)
        with translation.override("ru"):
            assert (language(), gettext("never")) == ("ru", "никогда")
            assert grouped(1234567) == "1\xa0234\xa0567"


def test_rows_end_where_they_began():
    with translation.override("ru"):

        @rows()
        def written() -> str:
            return language() or ""

        with rows():
            with translation.override("en"):
                assert written() == "en"
            assert language() == "ru"
        with translation.override("en"):
            assert language() == "en"


def test_rows_within_rows_take_the_language_active_then_and_the_day_around_them(monkeypatch):
    with translation.override("en"), rows():
        day = today()
        monkeypatch.setattr(timezone, "localdate", lambda: day + timedelta(days=1))
        with translation.override("ru"), rows():
            assert (language(), today()) == ("ru", day)
        assert (language(), today()) == ("en", day)


def test_rows_look_the_day_up_when_a_cell_first_asks_for_it(monkeypatch):
    looked_up = []

    def localdate() -> date:
        looked_up.append(1)
        return date(2026, 12, 4)

    monkeypatch.setattr(timezone, "localdate", localdate)
    with rows():
        assert looked_up == []
        assert today() == today() == date(2026, 12, 4)
    assert looked_up == [1]


def test_a_label_within_rows_speaks_the_rows_language():
    with translation.override("ru"):
        russian = str(PlanKind.choices[0][1])
        with rows(), translation.override("en"):
            assert label(PlanKind, PlanKind.values[0]) == russian
    with translation.override("en"):
        assert label(PlanKind, PlanKind.values[0]) == str(PlanKind.choices[0][1]) != russian
