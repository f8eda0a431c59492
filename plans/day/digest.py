"""The day's birthdays in the daily e-mail (DOMAIN §2): the decision makers and influencers
of the user's clients whose birthday is today."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Contact, TeamMember
from kam.users.models import User
from plans.day.selectors import BIRTHDAY_ROLES, birthday_q, birthdays
from segmentation.notifications.services import DigestSection


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
