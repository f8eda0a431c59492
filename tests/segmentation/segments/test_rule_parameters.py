"""Every policy field a rule reads reaches that rule's own SQL under the field's own name, so a
search for a policy field leads to the SQL that uses it."""

import re
from datetime import date

import pytest

from segmentation.models import Policy
from segmentation.segments import abcd, engine, facts, leagues, rhythm, size_class, tiers
from segmentation.segments.sql import Dialect, Fragment

TODAY = date(2026, 10, 20)
POLICY_FIELDS = {field.name for field in Policy._meta.fields}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sql_of(fragment: Fragment, lines: str = "") -> str:
    """A rule's part of the staging statement, with the SQL of its lines (`lines_sql`)."""
    parts = [*fragment.ctes, fragment.joins, fragment.facts, fragment.judged, fragment.columns, lines]
    return " ".join(parts)


RULES = {
    "abcd": (abcd.params(Policy()), sql_of(abcd.fragment(Dialect(postgres=True)), abcd.lines_sql(100))),
    "tiers": (tiers.params(Policy()), sql_of(tiers.fragment(), tiers.lines_sql())),
    "size_class": (size_class.params(Policy()), sql_of(size_class.fragment())),
    "rhythm": (rhythm.params(Policy(), TODAY), sql_of(rhythm.fragment(Dialect(postgres=True)))),
}
EXPECTED = {
    "abcd": ["pareto_share", "wallet_share_limit", "min_headroom"],
    "tiers": ["gold_share", "silver_share"],
    "size_class": ["medium_from", "large_from", "largest_from"],
    "rhythm": [
        "at_risk_factor",
        "at_risk_min_days",
        "lost_factor",
        "lost_min_days",
        "no_rhythm_at_risk_days",
        "no_rhythm_lost_days",
    ],
}


@pytest.mark.parametrize("rule", RULES)
def test_a_rule_reads_its_policy_fields_in_its_own_sql_under_their_names(rule):
    params, sql = RULES[rule]

    fields = [name for name in params if name in POLICY_FIELDS]
    assert fields == EXPECTED[rule]
    assert [name for name in fields if f"%({name})s" not in sql] == []


def test_the_only_parameters_that_are_not_policy_fields_are_the_dates_and_lines_of_the_run():
    dialect = Dialect(postgres=True)
    sql = (
        engine._stage_sql(dialect, some=True)
        + engine._judged_sql()
        + abcd.lines_sql(100)
        + tiers.lines_sql()
        + facts.purchases_sql(dialect, "")
        + facts.GROUP_SALES_SQL
        + facts.ENTERING_SQL
        + facts.SHIFT_SQL
        + facts.leaving_sql(facts.LEAVING_DATES, facts.DATES)
        + facts.SHIFT_GROUP_SALES_SQL
        + facts.SHIFT_PURCHASES_SQL
        + facts.dates_sql(dialect)
    )

    assert set(PLACEHOLDER.findall(sql)) - POLICY_FIELDS == {
        "today",
        "year_ago",
        "two_years_ago",
        "won_back_since",
        "kept_on",
        "kept_year_ago",
        "kept_two_years_ago",
        "revenue_line",
        "gold_line",
        "silver_line",
    }


def test_won_back_since_counts_the_policys_won_back_days():
    policy = Policy(won_back_days=90)

    assert rhythm.params(policy, TODAY)["won_back_since"] == date(2026, 7, 22)


def test_our_own_locations_are_read_from_their_table_not_passed_as_parameters():
    sql = sql_of(leagues.fragment())

    assert "FROM segmentation_ownlocation o" in sql
    assert "o.is_active" in sql
    assert PLACEHOLDER.findall(sql) == []
