"""The estimates to do, tallied per manager and day of the newest estimate, kept by triggers.

Every current (not inactive) client counts once, in the row of its responsible manager (0:
nobody) and the date of its newest estimate (0001-01-01: none). Triggers move that count when
a client is added, deleted, reassigned or changes status, and when one of its estimates is
added, deleted or redated.

A client's newest estimate before a change is the newest of its rows other than the changed
ones, and of the changed rows' old dates that were this client's; after it, the newest of its
rows. Both come from the (client, -estimated_on) index. SQLite fires a row trigger as each row
changes, so its row triggers see the table one row at a time. PostgreSQL fires row triggers at
the end of the statement (a multi-row delete's would each see every row gone) and runs them one
function call a row: there every trigger is a statement trigger over the statement's old and
new rows (transition tables), one set-based INSERT however many rows an import or a bulk
reassignment writes.
"""

from django.db import migrations, models

TALLY = "segmentation_estimatetally"
ESTIMATES = "segmentation_potentialestimate"
CLIENTS = "accounts_client"
NEVER = "'0001-01-01'"
INACTIVE = "'inactive'"


def _add(manager: str, day: str, n: int, client: str, where: str = "") -> str:
    """Add `n` to the row of (`manager`, `day`) when `client` is a current client."""
    return (
        f"INSERT INTO {TALLY} (manager, last_estimated, clients) "
        f"SELECT COALESCE({manager}, 0), COALESCE({day}, {NEVER}), {n} FROM {CLIENTS} c "
        f"WHERE c.id = {client} AND c.status <> {INACTIVE}{where} "
        f"ON CONFLICT (manager, last_estimated) DO UPDATE SET clients = {TALLY}.clients + excluded.clients"
    )


def _newest(client: str, *, without: str = "", old: str = "") -> str:
    """The newest estimate date of `client`: its rows other than `without`, and the date `old`."""
    rows = f"SELECT estimated_on AS d FROM {ESTIMATES} WHERE client_id = {client}"
    if without:
        rows += f" AND id <> {without}"
    if old:
        rows += f" UNION ALL SELECT {old}"
    return f"(SELECT MAX(d) FROM ({rows}) newest)"


def _moved(client: str, before: str, after: str, where: str = "") -> list[str]:
    """Move `client`'s count from the day `before` to the day `after`, when they differ."""
    differ = f" AND COALESCE({before}, {NEVER}) <> COALESCE({after}, {NEVER}){where}"
    return [
        _add("c.responsible_manager_id", before, -1, client, differ),
        _add("c.responsible_manager_id", after, 1, client, differ),
    ]


def _client_row(row: str, n: int) -> str:
    """Count the client as `row` (OLD or NEW) describes it, which may no longer be in the table."""
    return (
        f"INSERT INTO {TALLY} (manager, last_estimated, clients) "
        f"SELECT COALESCE({row}.responsible_manager_id, 0), COALESCE({_newest(f'{row}.id')}, {NEVER}), {n} "
        f"WHERE {row}.status <> {INACTIVE} "
        f"ON CONFLICT (manager, last_estimated) DO UPDATE SET clients = {TALLY}.clients + excluded.clients"
    )


CHANGED = (
    "OLD.responsible_manager_id IS DISTINCT FROM NEW.responsible_manager_id"
    " OR OLD.status IS DISTINCT FROM NEW.status"
)
REDATED = "OLD.client_id <> NEW.client_id OR OLD.estimated_on <> NEW.estimated_on"

# (name, event, table, condition, statements): SQLite's row triggers
CLIENT_TRIGGERS = [
    ("segmentation_tally_client_insert", "INSERT", CLIENTS, "", [_client_row("NEW", 1)]),
    ("segmentation_tally_client_delete", "DELETE", CLIENTS, "", [_client_row("OLD", -1)]),
    (
        "segmentation_tally_client_update",
        "UPDATE OF responsible_manager_id, status",
        CLIENTS,
        CHANGED,
        [_client_row("OLD", -1), _client_row("NEW", 1)],
    ),
]
SQLITE_ESTIMATE_TRIGGERS = [
    (
        "segmentation_tally_estimate_insert",
        "INSERT",
        ESTIMATES,
        "",
        _moved("NEW.client_id", _newest("NEW.client_id", without="NEW.id"), _newest("NEW.client_id")),
    ),
    (
        "segmentation_tally_estimate_delete",
        "DELETE",
        ESTIMATES,
        "",
        _moved("OLD.client_id", _newest("OLD.client_id", old="OLD.estimated_on"), _newest("OLD.client_id")),
    ),
    (
        "segmentation_tally_estimate_update",
        "UPDATE OF client_id, estimated_on",
        ESTIMATES,
        REDATED,
        [
            *_moved(
                "NEW.client_id",
                "(SELECT MAX(d) FROM ("
                f"SELECT estimated_on AS d FROM {ESTIMATES} WHERE client_id = NEW.client_id AND id <> NEW.id"
                " UNION ALL SELECT OLD.estimated_on WHERE OLD.client_id = NEW.client_id) newest)",
                _newest("NEW.client_id"),
            ),
            *_moved(
                "OLD.client_id",
                _newest("OLD.client_id", old="OLD.estimated_on"),
                _newest("OLD.client_id"),
                where=" AND OLD.client_id <> NEW.client_id",
            ),
        ],
    ),
]


def _statement_moves(old: str, new: str) -> str:
    """PostgreSQL: move the count of every client a statement touched, from the transition
    tables `old` and `new` (either may be "" when the event has none)."""
    touched = " UNION ".join(f"SELECT DISTINCT client_id FROM {t}" for t in (old, new) if t)
    before = f"SELECT e.estimated_on AS d FROM {ESTIMATES} e WHERE e.client_id = t.client_id"
    if new:
        before += f" AND e.id NOT IN (SELECT id FROM {new})"
    if old:
        before += f" UNION ALL SELECT o.estimated_on FROM {old} o WHERE o.client_id = t.client_id"
    after = f"SELECT MAX(e.estimated_on) FROM {ESTIMATES} e WHERE e.client_id = t.client_id"
    moves = " UNION ALL ".join(
        f"SELECT COALESCE(c.responsible_manager_id, 0) AS manager, COALESCE({day}, {NEVER}) AS day,"
        f" {n} AS n FROM days JOIN {CLIENTS} c ON c.id = days.client_id"
        f" WHERE c.status <> {INACTIVE} AND COALESCE(before, {NEVER}) <> COALESCE(after, {NEVER})"
        for day, n in (("before", -1), ("after", 1))
    )
    return (
        f"WITH touched AS ({touched}), "
        f"days AS (SELECT t.client_id, (SELECT MAX(d) FROM ({before}) newest) AS before, ({after}) AS after"
        f" FROM touched t), moves AS ({moves}) "
        f"INSERT INTO {TALLY} (manager, last_estimated, clients) "
        f"SELECT manager, day::date, SUM(n) FROM moves GROUP BY manager, day HAVING SUM(n) <> 0 "
        f"ON CONFLICT (manager, last_estimated) DO UPDATE SET clients = {TALLY}.clients + excluded.clients"
    )


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
            f"SELECT COALESCE({alias}.responsible_manager_id, 0) AS manager, COALESCE({_newest(f'{alias}.id')}, {NEVER}) AS k, {n} AS n"
            f" FROM {table} {alias}{join} WHERE {alias}.status <> {INACTIVE}"
        )
    return (
        f"INSERT INTO {TALLY} (manager, last_estimated, clients) "
        f"SELECT manager, k, SUM(n) FROM ({' UNION ALL '.join(parts)}) m GROUP BY manager, k HAVING SUM(n) <> 0 "
        f"ON CONFLICT (manager, last_estimated) DO UPDATE SET clients = {TALLY}.clients + excluded.clients"
    )


# (name, event, table, transition tables, statement): PostgreSQL's statement triggers
POSTGRES_ESTIMATE_TRIGGERS = [
    (
        "segmentation_tally_client_insert",
        "INSERT",
        CLIENTS,
        "NEW TABLE AS new_rows",
        _client_statement("", "new_rows"),
    ),
    (
        "segmentation_tally_client_delete",
        "DELETE",
        CLIENTS,
        "OLD TABLE AS old_rows",
        _client_statement("old_rows", ""),
    ),
    (
        "segmentation_tally_client_update",
        "UPDATE",
        CLIENTS,
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _client_statement("old_rows", "new_rows"),
    ),
    (
        "segmentation_tally_estimate_insert",
        "INSERT",
        ESTIMATES,
        "NEW TABLE AS new_rows",
        _statement_moves("", "new_rows"),
    ),
    (
        "segmentation_tally_estimate_delete",
        "DELETE",
        ESTIMATES,
        "OLD TABLE AS old_rows",
        _statement_moves("old_rows", ""),
    ),
    (
        "segmentation_tally_estimate_update",
        "UPDATE",
        ESTIMATES,
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _statement_moves("old_rows", "new_rows"),
    ),
]

BACKFILL = (
    f"INSERT INTO {TALLY} (manager, last_estimated, clients) "
    f"SELECT COALESCE(c.responsible_manager_id, 0), COALESCE({_newest('c.id')}, {NEVER}), COUNT(*) "
    f"FROM {CLIENTS} c WHERE c.status <> {INACTIVE} GROUP BY 1, 2"
)


def _function(schema_editor, name: str, body: str) -> None:
    schema_editor.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}RETURN NULL;\nEND\n$$"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, event, table, tables, statement in POSTGRES_ESTIMATE_TRIGGERS:
            _function(schema_editor, name, f"{statement};\n")
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        for name, event, table, condition, statements in CLIENT_TRIGGERS + SQLITE_ESTIMATE_TRIGGERS:
            when = f" WHEN ({condition})" if condition else ""
            body = "".join(f"{statement};\n" for statement in statements)
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when}\nBEGIN\n{body}END"
            )
    schema_editor.execute(BACKFILL)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, _event, table, *_rest in CLIENT_TRIGGERS + SQLITE_ESTIMATE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_sale_document_import_batch"),
        ("segmentation", "0015_run_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="EstimateTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("manager", models.BigIntegerField()),
                ("last_estimated", models.DateField()),
                ("clients", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("manager", "last_estimated"), name="estimate_tally_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
