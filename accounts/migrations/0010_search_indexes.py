"""Indexes for the search by name and INN on PostgreSQL; SQLite keeps its plain scan.

The name index matches what `name__icontains` compiles to on PostgreSQL,
`UPPER("name"::text) LIKE UPPER('%...%')`, so that the planner can use it; ANALYZE keeps
statistics on that expression, which the planner needs to estimate how many names match.
The INN index takes `inn__startswith` (`LIKE '77%'`) under any collation.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX client_name_trgm_idx ON accounts_client USING gin (UPPER("name"::text) gin_trgm_ops)',
    'CREATE INDEX client_inn_prefix_idx ON accounts_client ("inn" varchar_pattern_ops)',
    # Statistics on UPPER(name) now, not when autovacuum next gets to the table: without them
    # the planner takes any name pattern for a few rows and joins a quarter of the base row by row.
    "ANALYZE accounts_client",
]
DROP = [  # the extension stays: other schemas may use it
    "DROP INDEX IF EXISTS client_inn_prefix_idx",
    "DROP INDEX IF EXISTS client_name_trgm_idx",
]


def on_postgresql(statements: list[str]) -> Callable[[Any, Any], None]:
    """The statements as a migration step that does nothing on other databases."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_sale_document_import_batch"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
