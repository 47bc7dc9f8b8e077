"""Dates of feed items as aware UTC datetimes (for feed.py): feedparser's ``*_parsed``
struct_time with the fraction of a second its text has, and JSON Feed's RFC 3339 text.

Parsing only: no defaults (missing dates are normalize's), no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from time import struct_time
from typing import Any

__all__ = ["dict_value", "entry_date", "iso_date"]

#: The seconds and their fraction in an RFC 3339 date.
_FRACTION = re.compile(r"T\d\d:\d\d:(\d\d)[.,](\d+)")


def dict_value(e: Mapping[str, Any], key: str) -> Any:
    """``e[key]`` without feedparser's key fallbacks (``updated_parsed`` would quietly
    answer ``published_parsed``, with a DeprecationWarning)."""
    return dict.get(e, key) if isinstance(e, dict) else e.get(key)


def entry_date(e: Mapping[str, Any], key: str) -> datetime | None:
    """feedparser's date ``key`` with the fraction of a second of its text, which its
    struct_time drops: entries dated within one second keep their order (#15 item 2)."""
    when = _struct_date(dict_value(e, f"{key}_parsed"))
    text = dict_value(e, key)
    fraction = _FRACTION.search(text) if when and isinstance(text, str) else None
    if when is None or fraction is None or int(fraction.group(1)) != when.second:
        return when
    return when.replace(microsecond=int(fraction.group(2)[:6].ljust(6, "0")))


def _struct_date(value: struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) as an aware UTC datetime."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def iso_date(value: object) -> datetime | None:
    """An RFC 3339 date as an aware UTC datetime (naive means UTC); None if unusable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
