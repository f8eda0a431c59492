"""`manage.py import_sales FILE [--monthly] [--source S] [--user USERNAME]`: a sales file dropped
by an ERP, imported from cron with the web's validation and report, all or nothing.

Exit codes: 0 imported; 1 the file has problems (each printed, row by row; nothing written);
2 a bad argument or a file that cannot be opened. The import is logged as an ImportRun by the
named user, by default the first active admin.
"""

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.imports import services
from kam.imports.models import ImportRun, Kind
from kam.imports.selectors import shown_problems
from kam.imports.validation import allowed_kinds
from kam.users import roles
from kam.users.models import User

PROBLEMS = 1
BAD_ARGUMENT = 2


class Command(BaseCommand):
    help = "Import a sales file (CSV or XLSX), all or nothing, as the import page does (suitable for cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV or XLSX file to import.")
        parser.add_argument(
            "--monthly", action="store_true", help="The rows are monthly totals: each month is replaced."
        )
        parser.add_argument(
            "--source", default="", help="The source's name, by which a header mapping is remembered."
        )
        parser.add_argument("--user", default="", help="The login of the user the import is logged by.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["user"])
        path = Path(options["file"])
        try:
            handle = path.open("rb")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror or error},
                returncode=BAD_ARGUMENT,
            ) from error
        with handle:
            run = services.import_upload(
                kind=Kind.SALES,
                upload=File(handle),
                file_name=path.name,
                source=options["source"],
                monthly=options["monthly"],
                by=user,
                check=False,
            )
        if run.stored_name:
            services.import_commit(run=run, by=user)
            run.refresh_from_db()
        if run.status != ImportRun.Status.COMMITTED:
            self._problems(run)
            raise CommandError(
                ngettext(
                    "%(file)s has %(count)s problem: nothing was imported.",
                    "%(file)s has %(count)s problems: nothing was imported.",
                    run.error_count,
                )
                % {"file": path.name, "count": run.error_count},
                returncode=PROBLEMS,
            )
        self.stdout.write(
            _(
                "Imported %(file)s (import %(run)s): %(rows)s rows; "
                "created %(created)s, updated %(updated)s, unchanged %(unchanged)s."
            )
            % {
                "file": path.name,
                "run": run.pk,
                "rows": run.rows,
                "created": run.created,
                "updated": run.updated,
                "unchanged": run.unchanged,
            }
        )

    def _problems(self, run: ImportRun) -> None:
        for problem in shown_problems(run):
            if problem["row"] is None:
                where = problem["column"] or _("The file")
            else:
                where = _("Row %(row)s") % {"row": problem["row"]}
                if problem["column"]:
                    where = f"{where}, {problem['column']}"
            self.stdout.write(f"{where}: {problem['message']}")
        hidden = run.error_count - len(run.errors)
        if hidden > 0:
            self.stdout.write(
                ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", hidden)
                % {"count": hidden}
            )


def _user(username: str) -> User:
    """The named active user who may import sales, else the first active admin."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                _("No active user with the login %(login)s.") % {"login": username}, returncode=BAD_ARGUMENT
            )
        if Kind.SALES not in allowed_kinds(user):
            raise CommandError(
                _("%(login)s may not import sales: name a director or an admin.") % {"login": username},
                returncode=BAD_ARGUMENT,
            )
        return user
    admin = User.objects.filter(is_active=True, groups__name=roles.ADMIN).order_by("pk").first()
    if admin is None:
        raise CommandError(
            _("There is no active admin to log the import by: name a user with --user."),
            returncode=BAD_ARGUMENT,
        )
    return admin
