"""What every rule's SQL shares: the dialect seam, literal rows, and the shape of a rule's part.

The nightly statement is composed of the rules' `Fragment`s (see `engine`). The same SQL
runs on PostgreSQL and SQLite; the few differences live in `Dialect`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from segmentation.models import Policy

CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


@dataclass(frozen=True)
class Dialect:
    postgres: bool

    def days_between(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.postgres else f"{a} IS NOT {b}"

    def median(self, column: str, source: str, *, count_as: str, median_as: str) -> str:
        """Per client of `source`: its number of rows and the median of `column` over them.

        PostgreSQL has percentile_cont; SQLite averages the middle row(s) of the ordered values.
        """
        if self.postgres:
            return (
                f"SELECT client_id, COUNT(*) AS {count_as},"
                f" percentile_cont(0.5) WITHIN GROUP (ORDER BY {column}) AS {median_as}"
                f" FROM {source} GROUP BY client_id"
            )
        return f"""SELECT client_id, COUNT(*) AS {count_as},
        AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN {column} END) AS {median_as}
    FROM (
        SELECT client_id, {column},
            ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY {column} IS NULL, {column}) AS rn,
            COUNT({column}) OVER (PARTITION BY client_id) AS n
        FROM {source}
    ) ranked GROUP BY client_id"""

    def floor(self, expression: str) -> str:
        """The largest whole number not over a non-negative `expression`, as an integer."""
        if self.postgres:
            return f"CAST(FLOOR({expression}) AS INTEGER)"
        return f"CAST({expression} AS INTEGER)"

    def greatest(self, *expressions: str) -> str:
        return f"{'GREATEST' if self.postgres else 'MAX'}({', '.join(expressions)})"

    def least(self, *expressions: str) -> str:
        return f"{'LEAST' if self.postgres else 'MIN'}({', '.join(expressions)})"

    def add_days(self, day: str, days: str) -> str:
        """The date `days` (a whole number) after the date `day`."""
        if self.postgres:
            return f"({day} + CAST({days} AS INTEGER))"
        return f"date({day}, '+' || CAST({days} AS INTEGER) || ' days')"

    def param(self, value: Any) -> Any:
        """SQLite binds a Decimal as text, and text never compares equal to or less than a number."""
        return float(value) if isinstance(value, Decimal) and not self.postgres else value

    def decimal(self, expression: str, places: int) -> str:
        """A value at its column's scale, so that an unchanged value compares equal to the stored
        one (a full-precision stage would make every row look changed every night)."""
        if self.postgres:
            return f"ROUND(CAST({expression} AS NUMERIC), {places})"
        return f"ROUND({expression}, {places})"


@dataclass(frozen=True)
class Fragment:
    """One rule's part of the staging statement (see `engine._stage_sql`).

    - `ctes`: "name AS (...)" definitions, in order, over the common CTEs `base` (every client
      with its revenue and purchase rhythm) and `est` (potential and covered sales);
    - `joins` onto `base b`, and `facts`: the columns the rule adds to each client's facts row;
    - `judged`: verdicts over the facts row `f`;
    - `columns`: the segment columns the rule writes, over the judged row `j` and the
      client's previous segment `o`.
    """

    ctes: tuple[str, ...] = ()
    joins: str = ""
    facts: str = ""
    judged: str = ""
    columns: str = ""


def pareto_line_sql(source: str, column: str, lines: dict[str, str]) -> str:
    """One row: for each line, the least positive value of `column` in `source` such that the
    values above it (strictly) hold less than its share (a percentage, as SQL) of the column's
    total. A client at or over a line is within that share; no value qualifies: NULL.

    The same verdicts as ranking every client with running sums, from one sort: the sum above a
    value only falls as the value grows, so the clients within a share are those from its line
    up, and a client's verdict needs only its own value and the line. The running sum before a
    row (in descending order) is the sum above its value at the first of its equals and more at
    the others, so the least value whose first row qualifies is the least over all rows."""
    chosen = ",\n    ".join(
        f"MIN(CASE WHEN above * 100 < {share} * total THEN {column} END) AS {name}"
        for name, share in lines.items()
    )
    return f"""SELECT {chosen}
    FROM (
        SELECT {column},
            SUM({column}) OVER (ORDER BY {column} DESC ROWS UNBOUNDED PRECEDING) - {column} AS above,
            SUM({column}) OVER () AS total
        FROM {source}
    ) ranked WHERE {column} > 0"""


def pareto_curve_sql(source: str, column: str, share: str, buckets: int) -> str:
    """The Pareto curve of the positive values of `column` in `source`, highest first (ties by
    client), cut into `buckets` equal runs of rank: per run, its number, the rank it ends at, the
    sum of its values, and its least value within `share` as `pareto_line_sql` draws the line
    (NULL: none). The line is the least of those, so one sort gives both the curve and the line;
    the total is every row's, as there."""
    order = f"ORDER BY {column} DESC, client_id"
    return f"""SELECT (rn * {int(buckets)} + n - 1) / n AS bucket, MAX(rn), SUM({column}),
        MIN(CASE WHEN above * 100 < {share} * total THEN {column} END)
    FROM (
        SELECT {column}, ROW_NUMBER() OVER ({order}) AS rn, COUNT(*) OVER () AS n,
            SUM({column}) OVER ({order} ROWS UNBOUNDED PRECEDING) - {column} AS above,
            (SELECT SUM({column}) FROM {source}) AS total
        FROM {source} WHERE {column} > 0
    ) ranked
    GROUP BY 1 ORDER BY 1"""


def policy_params(policy: Policy, *names: str) -> dict[str, Any]:
    """The named policy fields as SQL parameters under their own names (`%(pareto_share)s`)."""
    return {name: getattr(policy, name) for name in names}


def values(rows: Sequence[tuple[str, ...]], empty: str) -> str:
    """A CTE body of literal rows; codes are checked, so nothing user-typed reaches the SQL."""
    safe = [row for row in rows if all(CODE.match(value) for value in row)]
    if not safe:
        return empty
    return "VALUES " + ", ".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in safe)
