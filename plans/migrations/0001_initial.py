from django.db import migrations


class Migration(migrations.Migration):
    """The plans app's first migration: empty, so that its parts can each add their own."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
