"""When a source is next due: interval, jitter, backoff, Retry-After and server hints.

Pure functions: ``now`` and randomness are always passed in, so tests need no clock and no
seed. This module decides, it does not act: it must not import httpx, sqlite3 or asyncio,
read the clock, or touch the store. The fetcher feeds it raw header values
(``parse_retry_after``, ``parse_max_age``); the daemon asks it ``next_due`` and ``is_due``.

Rules (issue 3):

- a success is next due after the configured interval, raised by server hints
  (Cache-Control max-age, Expires, RSS ``<ttl>``, ``sy:updatePeriod``) but never lowered by
  them and never raised above a ceiling;
- each consecutive failure doubles the wait, up to a cap (1 day); the first success resets it;
- jitter only ever *adds* time, so a source is never polled more often than asked;
- a Retry-After from the server is a floor on the wait (capped, so that a hostile or broken
  server cannot switch a source off for years).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

#: The smallest wait ``next_due`` returns: it is always strictly in the future.
MIN_DELAY = timedelta(seconds=1)
#: The longest Retry-After honoured; a larger one is treated as this.
MAX_RETRY_AFTER = timedelta(days=7)
#: Exponents above this cannot matter (any cap is reached long before) and would overflow.
_MAX_EXPONENT = 40
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


def combine_hints(*hints: float | None) -> float | None:
    """The largest of several hints in seconds (e.g. max-age and RSS ttl), None if none."""
    usable = [h for h in hints if h is not None and math.isfinite(h) and h > 0]
    return max(usable) if usable else None


def effective_interval(
    configured: timedelta, *, hint: float | None, ceiling: timedelta
) -> timedelta:
    """The interval after server hints: raised by a hint, never lowered, never above ceiling.

    A configured interval above the ceiling is kept: the operator asked for it.
    """
    if configured >= ceiling or hint is None or not math.isfinite(hint):
        return configured
    if hint <= configured.total_seconds():
        return configured
    return timedelta(seconds=min(hint, ceiling.total_seconds()))


def backoff(failures: int, interval: timedelta, *, cap: timedelta = timedelta(days=1)) -> timedelta:
    """The wait after ``failures`` consecutive failures: ``interval * 2**failures``, capped.

    0 failures is the plain interval. Never less than the interval (a weekly source stays
    weekly even though the cap is a day), and monotonic in ``failures``.
    """
    if failures <= 0:
        return interval
    factor = 2 ** min(failures, _MAX_EXPONENT)
    grown = timedelta(seconds=min(interval.total_seconds() * factor, cap.total_seconds()))
    return max(interval, grown)


def next_due(
    now: datetime,
    interval: timedelta,
    *,
    failures: int = 0,
    jitter: float = 0.1,
    rand: float = 0.5,
    retry_after: float | None = None,
    hint: float | None = None,
    ceiling: timedelta = timedelta(days=1),
    cap: timedelta = timedelta(days=1),
) -> datetime:
    """When a source is next due, after a run that ended at ``now``.

    ``failures`` is the count of consecutive failures *including* this run (0 after a
    success). ``rand`` in [0, 1) draws the jitter: the wait is stretched by up to ``jitter``
    (a fraction in [0, 1]), never shortened. ``hint`` (seconds, see ``combine_hints``) only applies
    after a success; ``retry_after`` (seconds) is a floor, itself capped at MAX_RETRY_AFTER.
    """
    if failures > 0:
        base = backoff(failures, interval, cap=cap)
    else:
        base = effective_interval(interval, hint=hint, ceiling=ceiling)
    stretch = 1.0 + _clamp(jitter) * _clamp(rand)
    delay = timedelta(seconds=base.total_seconds() * stretch)
    if retry_after is not None and not math.isnan(retry_after):
        wait = min(max(0.0, retry_after), MAX_RETRY_AFTER.total_seconds())
        delay = max(delay, timedelta(seconds=wait))
    return now + max(delay, MIN_DELAY)


def _clamp(fraction: float) -> float:
    """``fraction`` into [0, 1]; NaN is 0."""
    return min(max(fraction, 0.0), 1.0) if not math.isnan(fraction) else 0.0


def is_due(state_next_due: datetime | None, now: datetime) -> bool:
    """Whether a source should run now. Never run yet (None) means due."""
    return state_next_due is None or now >= state_next_due
