"""A tier override added, removed or given another tier changes the client list filters' version
(`accounts.ChoicesVersion`) as the filters' choices do (accounts migration 0018): the tier filter
names the overridden clients, and a process keeps them for the version it read them with
(`segmentation.segments.tiers.tier_is`).

PostgreSQL: accounts' deferred constraint triggers, once per transaction; SQLite: row triggers."""

from django.db import migrations

TABLE = "segmentation_tieroverride"
VERSIONS = "accounts_choicesversion"
CHANGED = "filter_choices_changed"  # accounts migration 0018's function (PostgreSQL)


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        execute(
            f"CREATE CONSTRAINT TRIGGER {CHANGED} AFTER INSERT OR DELETE ON {TABLE}"
            f" {deferred} EXECUTE FUNCTION {CHANGED}()"
        )
        execute(
            f"CREATE CONSTRAINT TRIGGER {CHANGED}_update AFTER UPDATE OF tier ON {TABLE} {deferred}"
            f" WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION {CHANGED}()"
        )
        execute(
            f"CREATE TRIGGER {CHANGED}_truncate AFTER TRUNCATE ON {TABLE}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {CHANGED}()"
        )
        return
    for event in ("insert", "update", "delete"):
        when = " WHEN OLD.tier IS NOT NEW.tier" if event == "update" else ""
        execute(
            f"CREATE TRIGGER {CHANGED}_{TABLE}_{event} AFTER {event.upper()} ON {TABLE} FOR EACH ROW{when}\n"
            f"BEGIN\nUPDATE {VERSIONS} SET version = random();\nEND"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in (CHANGED, f"{CHANGED}_update", f"{CHANGED}_truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
        return
    for event in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {CHANGED}_{TABLE}_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0038_segment_is_key"),
        ("accounts", "0018_filter_choices_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
