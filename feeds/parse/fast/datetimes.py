"""Dates for the fast path: RFC 822 and RFC 3339 in their usual shapes by feedparser's own
arithmetic, any other shape by feedparser's ``_parse_date``.

Pure: no I/O; imports only feedparser.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Final

from feedparser.datetimes import _parse_date

_MONTHS: Final = {
    m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}
_RFC822: Final = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d\d?) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) "
    r"(GMT|UT|Z|[+-]\d{4})"
)
_RFC3339: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d(?:\.\d+)?)(Z|[+-]\d\d:\d\d)"
)


def parse_date(value: str) -> time.struct_time | None:
    """feedparser's ``_parse_date``: its two common shapes here, the rest by feedparser."""
    if not value:
        return None
    match = _RFC822.fullmatch(value)
    parsed = _rfc822(match) if match else None
    if parsed is None:
        match = _RFC3339.fullmatch(value)
        parsed = _rfc3339(match) if match else None
    if parsed is None:
        return _parse_date(value)  # type: ignore[no-any-return]
    return parsed


def _rfc822(m: re.Match[str]) -> time.struct_time | None:
    """feedparser's _parse_date_rfc822 on this shape (its W3DTF handler, tried first, gives
    None for it); None where feedparser would go on to other handlers."""
    day, month, year, hour, minute, second, zone = m.groups()
    hours = minutes = 0
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
    return _utc_tuple(
        int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second),
        timedelta(0, 0, 0, 0, minutes, hours),
    )  # fmt: skip


def _rfc3339(m: re.Match[str]) -> time.struct_time | None:
    """feedparser's _parse_date_w3dtf on this shape (the first handler it tries)."""
    year, month, day, hour, minute, second, zone = m.groups()
    hours = minutes = 0
    if zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
    return _utc_tuple(
        int(year), int(month), int(day),
        int(float(hour)), int(float(minute)), int(float(second)),
        timedelta(0, 0, 0, 0, minutes, hours),
    )  # fmt: skip


def _utc_tuple(
    year: int, month: int, day: int, hour: int, minute: int, second: int, offset: timedelta
) -> time.struct_time | None:
    try:
        return (datetime(year, month, day, hour, minute, second) - offset).utctimetuple()
    except (ValueError, OverflowError):
        return None
