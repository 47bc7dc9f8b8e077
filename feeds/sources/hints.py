"""Server hints in response headers: Retry-After and freshness (Cache-Control, Expires).

The edge where raw header values become seconds; what the seconds mean for when a source is
next due is ``feeds.decide.sources``'s call. Pure parsing, ``now`` passed in: it must not
read the clock, fetch or touch the store.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["parse_http_date", "parse_max_age", "parse_retry_after"]

#: Larger numbers of seconds are read as this (no overflow further down).
_FOREVER = 1e12

_DIGITS = re.compile(r"[0-9]+")
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:[=,]|$)", re.IGNORECASE)


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date (RFC 9110: IMF-fixdate, RFC 850 or asctime) as aware UTC, or None."""
    if not value or not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000" and asctime carry no zone; HTTP dates are GMT
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date), or None.

    A date in the past means 0. Anything unreadable is None (no hint), not an error.
    """
    if value is None:
        return None
    text = value.strip()
    if _DIGITS.fullmatch(text):
        return min(float(text), _FOREVER)
    when = parse_http_date(text)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def parse_max_age(
    cache_control: str | None, expires: str | None, date: str | None, now: datetime
) -> float | None:
    """Freshness lifetime in seconds from response headers (RFC 9111 §4.2.1), or None.

    ``Cache-Control: max-age`` wins over ``Expires``; ``no-store``/``no-cache`` give no hint.
    ``Expires`` is measured from the response's ``Date`` when it has one (immune to clock
    skew), else from ``now``. An unreadable ``Expires`` means "already expired": 0.
    ``s-maxage`` is for shared caches, which we are not, so it is ignored.
    """
    if cache_control:
        if _NO_CACHE.search(cache_control):
            return None
        match = _MAX_AGE.search(cache_control)
        if match:
            return min(float(match.group(1)), _FOREVER)
    if expires is None:
        return None
    expires_at = parse_http_date(expires)
    if expires_at is None:
        return 0.0
    origin = parse_http_date(date) or now
    return max(0.0, (expires_at - origin).total_seconds())
