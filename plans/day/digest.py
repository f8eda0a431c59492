"""What the daily e-mail adds to the notifications: the day's birthdays of the decision makers
and influencers of the user's clients (DOMAIN §2), and the user's overdue plan steps (§7)."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Contact, TeamMember
from kam.users.models import User
from plans.day.selectors import BIRTHDAY_ROLES, birthday_q, birthdays
from plans.models import Plan, PlanStep
from segmentation.notifications.services import DigestSection

DIGEST_LIMIT = 20


def _birthdays_today(today: date) -> QuerySet[Contact]:
    return Contact.objects.filter(birthday_q([today]), is_active=True, decision_role__in=BIRTHDAY_ROLES)


def birthday_users(today: date) -> QuerySet[User]:
    """Users responsible for, or on the team of, a client with a birthday today: one query."""
    contacts = _birthdays_today(today)
    on_team = TeamMember.objects.filter(user=OuterRef("pk"), client__in=contacts.values("client"))
    return User.objects.filter(Q(pk__in=contacts.values("client__responsible_manager")) | Exists(on_team))


def birthday_lines(user: User, today: date) -> list[str]:
    return [
        _("%(name)s (%(role)s), %(client)s")
        % {
            "name": row.contact.name,
            "role": row.contact.get_decision_role_display(),
            "client": row.contact.client.name,
        }
        for row in birthdays(user, today).rows
        if row.on == today
    ]


BIRTHDAYS_TODAY = DigestSection(gettext_lazy("Birthdays today:"), birthday_users, birthday_lines)


def _overdue(today: date) -> QuerySet[PlanStep]:
    return PlanStep.objects.filter(done_on__isnull=True, plan__status=Plan.Status.ACTIVE, due__lt=today)


def overdue_users(today: date) -> QuerySet[User]:
    return User.objects.filter(pk__in=_overdue(today).values("assignee"))


def overdue_lines(user: User, today: date) -> list[str]:
    steps = _overdue(today).filter(assignee=user).select_related("plan__client").order_by("due", "pk")
    return [
        _("%(client)s: %(step)s (due %(due)s)")
        % {
            "client": step.plan.client.name,
            "step": step.text,
            "due": date_format(step.due, "SHORT_DATE_FORMAT") if step.due else "—",
        }
        for step in steps[:DIGEST_LIMIT]
    ]


OVERDUE_STEPS = DigestSection(gettext_lazy("Overdue plan steps:"), overdue_users, overdue_lines)
