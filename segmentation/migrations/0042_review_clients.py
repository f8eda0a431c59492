"""A review keeps the number of its clients (`Review.clients`), which the database keeps in step
with its items: a client deleted (in the admin) takes its item with it, and the meeting's "Client
N of M" says so at once; the deletion also moves the review's version on, so that its page, drawn
once per version, no longer lists the client.

PostgreSQL: statement triggers over the items inserted or deleted; SQLite: row triggers."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

ITEMS = "segmentation_reviewitem"
REVIEWS = "segmentation_review"
ADDED, GONE = "review_items_added", "review_items_gone"


def count(apps, schema_editor):
    Review = apps.get_model("segmentation", "Review")
    ReviewItem = apps.get_model("segmentation", "ReviewItem")
    items = ReviewItem.objects.filter(review=OuterRef("pk")).order_by().values("review")
    Review.objects.update(clients=Coalesce(Subquery(items.annotate(n=Count("pk")).values("n")), 0))


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for name, event, table, change in (
            (ADDED, "INSERT", "NEW TABLE AS changed", "clients = r.clients + d.n"),
            (GONE, "DELETE", "OLD TABLE AS changed", "clients = r.clients - d.n, version = r.version + 1"),
        ):
            execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                f" UPDATE {REVIEWS} r SET {change}"
                " FROM (SELECT review_id, COUNT(*) AS n FROM changed GROUP BY review_id) d"
                " WHERE r.id = d.review_id; RETURN NULL; END $$"
            )
            execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {ITEMS} REFERENCING {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        return
    execute(
        f"CREATE TRIGGER {ADDED} AFTER INSERT ON {ITEMS} FOR EACH ROW\n"
        f"BEGIN\nUPDATE {REVIEWS} SET clients = clients + 1 WHERE id = NEW.review_id;\nEND"
    )
    execute(
        f"CREATE TRIGGER {GONE} AFTER DELETE ON {ITEMS} FOR EACH ROW\n"
        f"BEGIN\nUPDATE {REVIEWS} SET clients = clients - 1, version = version + 1 WHERE id = OLD.review_id;\nEND"
    )


def drop(apps, schema_editor):
    for name in (ADDED, GONE):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {ITEMS}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("segmentation", "0041_radar_day_idx")]

    operations = [
        migrations.AddField(
            model_name="review",
            name="clients",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="clients"),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
    ]
