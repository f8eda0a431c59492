"""The client list's cells, rendered as one template per set of columns.

Each column has a cell template of its own (`ListColumn.cell`), so that the apps above add
columns without touching the list. Including each cell on each row cost a template lookup and
a context push per cell (about 400 per page); instead the cells' sources are joined once into
one row template, kept per set of columns, and each row renders that.
"""

from collections.abc import Sequence
from functools import lru_cache

from django import template
from django.conf import settings
from django.template import Template
from django.template.base import Node, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString

from accounts.extensions import ListColumn

register = template.Library()


def row_template(cells: tuple[str, ...]) -> Template:
    engine = template.engines["django"].engine  # type: ignore[attr-defined]
    sources = (engine.get_template(name).source.strip() for name in cells)
    return Template("".join(f"<td>{source}</td>" for source in sources), engine=engine)


cached_row_template = lru_cache(maxsize=64)(row_template)


class CellsNode(Node):
    def __init__(self, columns: str) -> None:
        self.columns = template.Variable(columns)

    def render(self, context: Context) -> SafeString:
        columns: Sequence[ListColumn] = self.columns.resolve(context)
        cells = tuple(column.cell for column in columns)
        row = row_template(cells) if settings.DEBUG else cached_row_template(cells)
        return SafeString(row.nodelist.render(context))


@register.tag
def list_cells(parser: Parser, token: Token) -> CellsNode:
    """{% list_cells columns %}: a <td> per column for the row's client `c`."""
    _name, columns = token.split_contents()
    return CellsNode(columns)
