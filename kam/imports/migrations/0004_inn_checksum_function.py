"""kam_inn_is_valid(text): accounts.validators.validate_inn as an SQL function on PostgreSQL, for
the sales commit's check in SQL (kam.imports.sales_sql); SQLite keeps the Python check.

Ten ASCII digits with the company checksum, or twelve with the sole trader's two. The weights
are the validator's (WEIGHTS_10, WEIGHTS_12_FIRST, WEIGHTS_12_SECOND), copied so that this
migration stays as it was written; tests compare the function with is_valid_inn.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations

WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
WEIGHTS_12_FIRST = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
WEIGHTS_12_SECOND = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _digit(position: int) -> str:
    return f"(ascii(substr(inn, {position}, 1)) - 48)"


def _check(weights: tuple[int, ...], position: int) -> str:
    terms = " + ".join(f"{weight} * {_digit(index)}" for index, weight in enumerate(weights, start=1))
    return f"mod(mod({terms}, 11), 10) = {_digit(position)}"


CREATE = [
    "CREATE OR REPLACE FUNCTION kam_inn_is_valid(inn text) RETURNS boolean "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE "
    f"WHEN inn ~ '^[0-9]{{10}}$' THEN {_check(WEIGHTS_10, 10)} "
    f"WHEN inn ~ '^[0-9]{{12}}$' THEN {_check(WEIGHTS_12_FIRST, 11)} AND {_check(WEIGHTS_12_SECOND, 12)} "
    "ELSE false END $$"
]
DROP = ["DROP FUNCTION IF EXISTS kam_inn_is_valid(text)"]


def on_postgresql(statements: list[str]) -> Callable[[Any, Any], None]:
    """The statements as a migration step that does nothing on other databases."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_run_background_statuses"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
