"""When a source is next due: interval, jitter, backoff, Retry-After and server hints.

Pure functions: ``now`` and randomness are always passed in, so tests need no clock and no
seed. This module decides, it does not act: it must not import httpx, sqlite3 or asyncio,
read the clock, or touch the store. Server hints reach it as seconds, already read from the
headers (``feeds.sources.hints``); the daemon asks it ``next_due`` and ``is_due``; the ingest
flow asks it whether to skip a source and what its state becomes after a run.

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
from dataclasses import replace
from datetime import datetime, timedelta

from feeds.errors import FetchError, SourceError
from feeds.models import SourceState

#: The smallest wait ``next_due`` returns: it is always strictly in the future.
MIN_DELAY = timedelta(seconds=1)
#: The longest Retry-After honoured; a larger one is treated as this.
MAX_RETRY_AFTER = timedelta(days=7)
#: Exponents above this cannot matter (any cap is reached long before) and would overflow.
_MAX_EXPONENT = 40


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


# -- a source's state after a run ------------------------------------------------------------


def skip_reason(state: SourceState, now: datetime) -> str | None:
    """Why a source is not fetched now (a server's request), or None. --force overrides."""
    if state.status == "gone":
        return "skipped: the server said 410 Gone; fix its url, or use --force to try again"
    if state.retry_after and state.retry_after > now:
        return f"skipped: the server asked to wait until {state.retry_after:%Y-%m-%d %H:%M}Z"
    return None


def unchanged(digest: str, state: SourceState) -> bool:
    """Whether a body (or a folder) with ``digest`` is the one read last time: nothing to do."""
    return digest == state.body_hash


def after_read(state: SourceState, digest: str, *, unreadable: bool = False) -> SourceState:
    """The state once a local file or folder with ``digest`` was read. A folder with a file
    that could not be read (``unreadable``) is read again next time (and fails again while
    the file is bad), so it never passes for an unchanged, healthy one."""
    return replace(state, body_hash=None if unreadable else digest)


def after_fetch(
    state: SourceState,
    *,
    permanent_url: str | None,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
) -> SourceState:
    """The state once fetched: what the server said replaces what was known, and what it did
    not say (a 304 without validators, no permanent redirect) stays as it was."""
    return replace(
        state,
        url=permanent_url or state.url,
        etag=etag or state.etag,
        last_modified=last_modified or state.last_modified,
        body_hash=body_hash or state.body_hash,
    )


def succeeded(
    state: SourceState,
    now: datetime,
    interval: timedelta,
    *,
    changed: bool,
    problems: tuple[str, ...] = (),
    failed_files: bool = False,
    hints: tuple[float | None, ...] = (),
) -> SourceState:
    """The state after a run that worked (``changed``: a body or folder was read, with its
    ``problems``; ``failed_files``: a folder's file could not be read, an error the user
    sees): due again after ``interval``, raised by the server's ``hints`` (seconds)."""
    due = next_due(now, interval, hint=combine_hints(*hints))
    return replace(
        state,
        last_attempt=now,
        last_success=now,
        status="error" if failed_files else "ok",
        message=success_message(state, changed=changed, problems=problems),
        failures=0,
        next_due=due,
        retry_after=None,
    )


def success_message(state: SourceState, *, changed: bool, problems: tuple[str, ...]) -> str | None:
    """What to say of a source that worked: its problems; unchanged, the same as before."""
    if not changed:
        return state.message if state.status == "ok" else None
    return "; ".join(problems) or None


def failure_is_news(state: SourceState, message: str) -> bool:
    """Whether a failure with ``message`` is worth an error line: the source was not failing
    (``state``, before this run), or fails otherwise now; a retry failing alike is not."""
    return state.failures == 0 or state.message != message


def failed(
    state: SourceState, now: datetime, interval: timedelta, error: SourceError
) -> SourceState:
    """The state after a run that failed with ``error``: backed off, or waiting as long as
    the server asked (Retry-After), or "gone" after a 410."""
    gone = isinstance(error, FetchError) and error.gone
    wait = error.retry_after if isinstance(error, FetchError) else None
    failures = state.failures + 1
    return replace(
        state,
        last_attempt=now,
        status="gone" if gone else "error",
        message=error.message,
        failures=failures,
        next_due=next_due(now, interval, failures=failures, retry_after=wait),
        retry_after=now + timedelta(seconds=wait) if wait else None,
    )
