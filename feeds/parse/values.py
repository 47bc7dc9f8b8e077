"""Values read out of parsed feeds (feedparser's dicts, JSON Feed objects): non-blank
strings, string lists, numbers, one-line messages.

Parsing only: no I/O.
"""

from __future__ import annotations

from typing import Any

from feeds.normalize.text import collapse_spaces

__all__ = ["as_number", "clipped_line", "first_non_blank", "non_blank", "str_list"]


def non_blank(value: object) -> str | None:
    """A non-blank string, stripped, else None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def str_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def first_non_blank(values: Any) -> str | None:
    return next((v for v in values if isinstance(v, str) and v.strip()), None)


def as_number(value: object) -> float | None:
    try:
        return float(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def clipped_line(text: str) -> str:
    return collapse_spaces(text)[:200]
