from django.db.models import QuerySet

from kam.exports.models import ExportRun
from kam.users.models import User


def runs_of(user: User) -> QuerySet[ExportRun]:
    """A user's own exports: nobody else's, whoever they are (a file holds what its user sees)."""
    return ExportRun.objects.filter(created_by=user)
