"""`manage.py seed_demo`: fill an empty database with demo clients and demo logins for every role."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Client
from kam.demo.content import DEMO_PASSWORD, DEMO_USERS
from kam.demo.seed import demo_logins, seed_demo
from kam.demo.story import tell_story
from kam.users.models import User


class Command(BaseCommand):
    help = (
        "Create demo users for every role and realistic demo clients with 24 months of history "
        "and potential estimates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=300, help="How many clients to create (300).")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed gives the same data."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database already has clients."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo logins have a published password: never in production.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 1:
            raise CommandError("--clients must be at least 1.")
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                f"DEBUG is off, so this may be a production database: seed_demo creates the logins "
                f"{', '.join(u[0] for u in DEMO_USERS)} with the password {DEMO_PASSWORD!r}. "
                "Nothing was written. Use --force to seed anyway."
            )
        if options["if_empty"] and Client.objects.exists():
            self.stdout.write("The database already has clients: no demo data added.")
        else:
            counts = seed_demo(clients=options["clients"], seed=options["seed"])
            counts |= tell_story(users=_demo_users_by_name(), today=timezone.localdate())
            summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}."))
        self._print_logins()

    def _print_logins(self) -> None:
        logins = demo_logins()
        if logins:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for role, username in logins:
            self.stdout.write(f"  {role}: {username} / {DEMO_PASSWORD}")


def _demo_users_by_name() -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
