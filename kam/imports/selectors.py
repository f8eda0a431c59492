from django.db.models import QuerySet

from kam.imports.models import ImportRun
from kam.users.models import User


def runs_visible_to(user: User) -> QuerySet[ImportRun]:
    """Directors and admins see every import; anyone else their own."""
    runs = ImportRun.objects.select_related("created_by")
    if user.has_perm("imports.import_all"):
        return runs
    return runs.filter(created_by=user)
