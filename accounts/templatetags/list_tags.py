"""The client list's cells: each column renders its own cell in Python (`ListColumn.cell`)."""

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString

from accounts.extensions import ListColumn

register = template.Library()


@register.simple_tag
def list_cells(columns: Sequence[ListColumn], client: Any) -> SafeString:
    """{% list_cells columns c %}: a <td> per column for the row's client."""
    return SafeString("".join([f"<td>{column.cell(client)}</td>" for column in columns]))
