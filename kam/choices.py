"""Choices handed to a form field as a callable.

A form copies its fields deeply when it is made, and a field copies a list of choices deeply with
it: every pair, every lazy label (about 400 copies for the client list's filters, on every list
page). A callable is copied as it is, and called when the choices are read.
"""

from collections.abc import Callable, Sequence
from typing import Any


def kept(choices: Sequence[Any]) -> Callable[[], Sequence[Any]]:
    """`choices` as a callable that returns them: the same list on every call."""
    return lambda: choices
