"""The workload calculator's active clients per manager and category, kept by triggers.

Every active client counts once, in the row of its responsible manager (0: nobody) and its
segment's category ("": none yet). A client's row triggers move it when it is added, deleted,
reassigned or changes status (reading its category from the segments, which a client statement
leaves alone); a segment's move it when it is added, deleted or recategorised (reading the
client, which a segment statement leaves alone). SQLite runs them as row triggers; PostgreSQL
as statement triggers over the statement's old and new rows (transition tables), so the nightly
run's set-based writes, an import or a bulk reassignment cost one GROUP BY, not a function call
per row.
"""

from django.db import migrations, models

TALLY = "segmentation_categorytally"
SEGMENTS = "segmentation_clientsegment"
CLIENTS = "accounts_client"
ACTIVE = "'active'"
UPSERT = f"ON CONFLICT (manager, category) DO UPDATE SET clients = {TALLY}.clients + excluded.clients"


def _category(client: str) -> str:
    return f"COALESCE((SELECT category FROM {SEGMENTS} WHERE client_id = {client}), '')"


def _client_row(row: str, n: int) -> str:
    """Count the client as `row` (OLD or NEW) describes it."""
    return (
        f"INSERT INTO {TALLY} (manager, category, clients) "
        f"SELECT COALESCE({row}.responsible_manager_id, 0), {_category(f'{row}.id')}, {n} "
        f"WHERE {row}.status = {ACTIVE} {UPSERT}"
    )


def _segment_row(row: str, category: str, n: int, where: str = "") -> str:
    """Add `n` to the client of segment `row` under `category`, when the client is active."""
    return (
        f"INSERT INTO {TALLY} (manager, category, clients) "
        f"SELECT COALESCE(c.responsible_manager_id, 0), {category}, {n} FROM {CLIENTS} c "
        f"WHERE c.id = {row}.client_id AND c.status = {ACTIVE}{where} {UPSERT}"
    )


def _segment_statement(parts: list[tuple[str, str, int]]) -> str:
    """PostgreSQL: the moves of a whole statement, from (transition table, category, n) parts."""
    moves = " UNION ALL ".join(
        f"SELECT client_id, {category} AS category, {n} AS n FROM {table}" for table, category, n in parts
    )
    return (
        f"INSERT INTO {TALLY} (manager, category, clients) "
        f"SELECT COALESCE(c.responsible_manager_id, 0), m.category, SUM(m.n) FROM ({moves}) m "
        f"JOIN {CLIENTS} c ON c.id = m.client_id WHERE c.status = {ACTIVE} "
        f"GROUP BY 1, 2 HAVING SUM(m.n) <> 0 {UPSERT}"
    )


CHANGED = (
    "OLD.responsible_manager_id IS DISTINCT FROM NEW.responsible_manager_id"
    " OR OLD.status IS DISTINCT FROM NEW.status"
)
# (name, event, table, condition, statements): SQLite's row triggers
CLIENT_TRIGGERS = [
    ("segmentation_category_client_insert", "INSERT", CLIENTS, "", [_client_row("NEW", 1)]),
    ("segmentation_category_client_delete", "DELETE", CLIENTS, "", [_client_row("OLD", -1)]),
    (
        "segmentation_category_client_update",
        "UPDATE OF responsible_manager_id, status",
        CLIENTS,
        CHANGED,
        [_client_row("OLD", -1), _client_row("NEW", 1)],
    ),
]
SQLITE_SEGMENT_TRIGGERS = [
    (
        "segmentation_category_segment_insert",
        "INSERT",
        SEGMENTS,
        "",
        [_segment_row("NEW", "''", -1), _segment_row("NEW", "COALESCE(NEW.category, '')", 1)],
    ),
    (
        "segmentation_category_segment_delete",
        "DELETE",
        SEGMENTS,
        "",
        [_segment_row("OLD", "COALESCE(OLD.category, '')", -1), _segment_row("OLD", "''", 1)],
    ),
    (
        "segmentation_category_segment_update",
        "UPDATE OF category",
        SEGMENTS,
        "OLD.category IS DISTINCT FROM NEW.category",
        [
            _segment_row("OLD", "COALESCE(OLD.category, '')", -1),
            _segment_row("NEW", "COALESCE(NEW.category, '')", 1),
        ],
    ),
]


def _client_statement(old: str, new: str) -> str:
    """PostgreSQL: the moves of a whole client statement, from its transition tables `old` and
    `new` (either may be ""); on an update only the rows whose manager or status changed."""
    changed = "o.responsible_manager_id IS DISTINCT FROM n.responsible_manager_id OR o.status IS DISTINCT FROM n.status"
    parts = []
    for table, alias, other, other_alias, n in ((old, "o", new, "n", -1), (new, "n", old, "o", 1)):
        if not table:
            continue
        join = (
            f" JOIN {other} {other_alias} ON {other_alias}.id = {alias}.id AND ({changed})" if other else ""
        )
        parts.append(
            f"SELECT COALESCE({alias}.responsible_manager_id, 0) AS manager, {_category(f'{alias}.id')} AS k, {n} AS n"
            f" FROM {table} {alias}{join} WHERE {alias}.status = {ACTIVE}"
        )
    return (
        f"INSERT INTO {TALLY} (manager, category, clients) "
        f"SELECT manager, k, SUM(n) FROM ({' UNION ALL '.join(parts)}) m GROUP BY manager, k HAVING SUM(n) <> 0 "
        f"ON CONFLICT (manager, category) DO UPDATE SET clients = {TALLY}.clients + excluded.clients"
    )


# (name, event, table, transition tables, statement): PostgreSQL's statement triggers
POSTGRES_SEGMENT_TRIGGERS = [
    (
        "segmentation_category_client_insert",
        "INSERT",
        CLIENTS,
        "NEW TABLE AS new_rows",
        _client_statement("", "new_rows"),
    ),
    (
        "segmentation_category_client_delete",
        "DELETE",
        CLIENTS,
        "OLD TABLE AS old_rows",
        _client_statement("old_rows", ""),
    ),
    (
        "segmentation_category_client_update",
        "UPDATE",
        CLIENTS,
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _client_statement("old_rows", "new_rows"),
    ),
    (
        "segmentation_category_segment_insert",
        "INSERT",
        SEGMENTS,
        "NEW TABLE AS new_rows",
        _segment_statement([("new_rows", "''", -1), ("new_rows", "COALESCE(category, '')", 1)]),
    ),
    (
        "segmentation_category_segment_delete",
        "DELETE",
        SEGMENTS,
        "OLD TABLE AS old_rows",
        _segment_statement([("old_rows", "COALESCE(category, '')", -1), ("old_rows", "''", 1)]),
    ),
    (
        "segmentation_category_segment_update",
        "UPDATE",
        SEGMENTS,
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _segment_statement(
            [("old_rows", "COALESCE(category, '')", -1), ("new_rows", "COALESCE(category, '')", 1)]
        ),
    ),
]

BACKFILL = (
    f"INSERT INTO {TALLY} (manager, category, clients) "
    f"SELECT COALESCE(c.responsible_manager_id, 0), COALESCE(s.category, ''), COUNT(*) "
    f"FROM {CLIENTS} c LEFT JOIN {SEGMENTS} s ON s.client_id = c.id WHERE c.status = {ACTIVE} GROUP BY 1, 2"
)


def _function(schema_editor, name: str, body: str) -> None:
    schema_editor.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}RETURN NULL;\nEND\n$$"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, event, table, tables, statement in POSTGRES_SEGMENT_TRIGGERS:
            _function(schema_editor, name, f"{statement};\n")
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        for name, event, table, condition, statements in CLIENT_TRIGGERS + SQLITE_SEGMENT_TRIGGERS:
            when = f" WHEN ({condition})" if condition else ""
            body = "".join(f"{statement};\n" for statement in statements)
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when}\nBEGIN\n{body}END"
            )
    schema_editor.execute(BACKFILL)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, _event, table, *_rest in CLIENT_TRIGGERS + SQLITE_SEGMENT_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0017_lost_tier_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CategoryTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("manager", models.BigIntegerField()),
                ("category", models.CharField(blank=True, max_length=1)),
                ("clients", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("manager", "category"), name="category_tally_unique")
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
