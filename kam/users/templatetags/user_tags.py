"""The users list's rows, written in Python as the client list's are (`kam.cells`): a list of a
company's staff renders a few hundred cells, as templates the better part of its page's time."""

from collections.abc import Iterable, Sequence

from django import template
from django.utils.safestring import SafeString

from kam.cells import esc, gettext, rows, short_datetime, text
from kam.links import pk_url
from kam.users.models import User

register = template.Library()


@register.simple_tag
@rows()
def user_rows(rows: Iterable[tuple[User, Sequence[str]]], viewer: User) -> SafeString:
    """{% user_rows rows request.user %}: a <tr> per user of `rows` (the user and their role
    labels): username (the viewer marked), name, e-mail, roles, active clients, status, last
    login, and an edit button unless the user is a superuser and the viewer is not."""
    said = {
        "you": esc(gettext("you")),
        "active": f'<span class="badge text-bg-success">{esc(gettext("Active"))}</span>',
        "inactive": f'<span class="badge text-bg-secondary">{esc(gettext("Inactive"))}</span>',
        "never": f'<span class="text-muted">{esc(gettext("never"))}</span>',
        "edit": esc(gettext("Edit")),
    }
    html = []
    for member, role_labels in rows:
        you = f' <span class="text-muted">({said["you"]})</span>' if member.pk == viewer.pk else ""
        login = member.last_login
        last_login = esc(short_datetime(login)) if login else said["never"]
        edit = (
            f'<a class="btn btn-outline-primary btn-sm" href="{pk_url("users:user_edit", member.pk)}">'
            f"{said['edit']}</a>"
            if viewer.is_superuser or not member.is_superuser
            else ""
        )
        html.append(
            f"<tr><td>{esc(member.username)}{you}</td>"
            f"<td>{esc(member.get_full_name())}</td>"
            f"<td>{esc(member.email)}</td>"
            f"<td>{esc(', '.join(role_labels))}</td>"
            f'<td class="text-end">{text(member.client_count)}</td>'  # type: ignore[attr-defined]
            f"<td>{said['active'] if member.is_active else said['inactive']}</td>"
            f"<td>{last_login}</td>"
            f'<td class="text-end">{edit}</td></tr>'
        )
    return SafeString("\n".join(html))
