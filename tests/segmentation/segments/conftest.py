"""Helpers for the rules' sentences: an unsaved segment row, and the day they are read on."""

from datetime import date
from typing import Any

from segmentation.models import ClientSegment

TODAY = date(2026, 10, 20)


def segment(**values: Any) -> ClientSegment:
    """An unsaved segment: the reasons read only its fields."""
    return ClientSegment(**values)
