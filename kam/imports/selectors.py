from typing import Any

from django.db.models import QuerySet

from kam.imports import texts
from kam.imports.columns import COLUMNS
from kam.imports.models import ImportRun
from kam.users.models import User


def runs_visible_to(user: User) -> QuerySet[ImportRun]:
    """Directors and admins see every import; anyone else their own."""
    runs = ImportRun.objects.select_related("created_by")
    if user.has_perm("imports.import_all"):
        return runs
    return runs.filter(created_by=user)


def shown_problems(run: ImportRun) -> list[dict[str, Any]]:
    """The run's kept problems in the reader's language."""
    labels = {column.field: str(column.label) for column in COLUMNS[run.kind]}
    return [
        {
            "row": problem["row"],
            "column": problem["column"] or labels.get(problem.get("field", ""), ""),
            "message": texts.shown(problem),
        }
        for problem in run.errors
    ]
