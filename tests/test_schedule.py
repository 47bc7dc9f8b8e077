"""Unit tests of feeds.decide.sources: table-driven cases and hypothesis properties. No clock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.decide.sources import (
    MAX_RETRY_AFTER,
    MIN_DELAY,
    backoff,
    combine_hints,
    effective_interval,
    is_due,
    next_due,
)
from feeds.sources.hints import parse_max_age, parse_retry_after

NOW = datetime(2024, 5, 6, 10, 0, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 06 May 2024 10:05:00 GMT", 300.0),  # IMF-fixdate
        ("Monday, 06-May-24 10:05:00 GMT", 300.0),  # RFC 850
        ("Mon May  6 10:05:00 2024", 300.0),  # asctime
        ("Mon, 06 May 2024 09:00:00 GMT", 0.0),  # in the past
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("9" * 400, 1e12),  # absurd, but no overflow
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("cache_control", "expires", "date", "expected"),
    [
        (None, None, None, None),
        ("max-age=3600", None, None, 3600.0),
        ("public, max-age=600, must-revalidate", None, None, 600.0),
        ('Max-Age="60"', None, None, 60.0),
        ("s-maxage=900", None, None, None),  # for shared caches, not for us
        ("no-cache, max-age=600", None, None, None),
        ("no-store", "Mon, 06 May 2024 11:00:00 GMT", None, None),
        ("max-age=60", "Mon, 06 May 2024 11:00:00 GMT", None, 60.0),  # max-age wins
        ("public", "Mon, 06 May 2024 11:00:00 GMT", None, 3600.0),
        (None, "Mon, 06 May 2024 11:00:00 GMT", "Mon, 06 May 2024 10:30:00 GMT", 1800.0),
        (None, "Mon, 06 May 2024 09:00:00 GMT", None, 0.0),  # expired
        (None, "0", None, 0.0),  # invalid means expired
        ("max-age=abc", None, None, None),
    ],
)
def test_parse_max_age(
    cache_control: str | None, expires: str | None, date: str | None, expected: float | None
) -> None:
    assert parse_max_age(cache_control, expires, date, NOW) == expected


@pytest.mark.parametrize(
    ("configured", "hint", "ceiling", "expected"),
    [
        (HOUR, None, DAY, HOUR),
        (HOUR, 60.0, DAY, HOUR),  # never lowered
        (HOUR, 7200.0, DAY, 2 * HOUR),  # raised
        (HOUR, 10 * 86400.0, DAY, DAY),  # never above the ceiling
        (2 * DAY, 10 * 86400.0, DAY, 2 * DAY),  # configured above the ceiling is kept
        (HOUR, float("inf"), DAY, HOUR),
        (HOUR, float("nan"), DAY, HOUR),
    ],
)
def test_effective_interval(
    configured: timedelta, hint: float | None, ceiling: timedelta, expected: timedelta
) -> None:
    assert effective_interval(configured, hint=hint, ceiling=ceiling) == expected


@pytest.mark.parametrize(
    ("failures", "interval", "expected"),
    [
        (0, 15 * MIN, 15 * MIN),
        (1, 15 * MIN, 30 * MIN),
        (2, 15 * MIN, HOUR),
        (6, 15 * MIN, 16 * HOUR),
        (7, 15 * MIN, DAY),  # capped
        (10_000, 15 * MIN, DAY),  # no overflow
        (3, 7 * DAY, 7 * DAY),  # never below the interval
        (-1, HOUR, HOUR),
    ],
)
def test_backoff(failures: int, interval: timedelta, expected: timedelta) -> None:
    assert backoff(failures, interval) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, NOW + HOUR * 1.05),  # rand 0.5 of 10% jitter
        ({"rand": 0.0}, NOW + HOUR),  # jitter only adds
        ({"jitter": 0.0, "failures": 2}, NOW + 4 * HOUR),
        ({"jitter": 0.0, "failures": 20}, NOW + DAY),
        ({"jitter": 0.0, "hint": 3 * 3600.0}, NOW + 3 * HOUR),
        ({"jitter": 0.0, "hint": 3 * 3600.0, "failures": 1}, NOW + 2 * HOUR),  # hints on success
        ({"jitter": 0.0, "retry_after": 5 * 3600.0}, NOW + 5 * HOUR),
        ({"jitter": 0.0, "retry_after": 60.0}, NOW + HOUR),  # a floor, not a target
        ({"jitter": 0.0, "retry_after": 1e9}, NOW + MAX_RETRY_AFTER),
    ],
)
def test_next_due(kwargs: dict[str, float], expected: datetime) -> None:
    assert next_due(NOW, HOUR, **kwargs) == expected  # type: ignore[arg-type]


def test_next_due_is_strictly_later_even_for_a_zero_interval() -> None:
    assert next_due(NOW, timedelta(0)) == NOW + MIN_DELAY


def test_combine_hints() -> None:
    assert combine_hints(None, None) is None
    assert combine_hints(600.0, None, 3600.0) == 3600.0
    assert combine_hints(0.0, -5.0, float("nan")) is None


@pytest.mark.parametrize(
    ("due", "expected"),
    [(None, True), (NOW - MIN, True), (NOW, True), (NOW + MIN, False)],
)
def test_is_due(due: datetime | None, expected: bool) -> None:
    assert is_due(due, NOW) is expected


def test_schedule_imports_no_edges() -> None:
    edges = "{'httpx', 'sqlite3', 'asyncio'}"
    code = f"import sys, feeds.decide.sources; print(sorted({edges} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- properties ------------------------------------------------------------------------

intervals = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
caps = st.timedeltas(min_value=MIN, max_value=timedelta(days=30))
fractions = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)
seconds = st.none() | st.floats(min_value=0.0, max_value=1e7)


@given(
    interval=intervals,
    failures=st.integers(min_value=0, max_value=10_000),
    jitter=st.floats(min_value=0.0, max_value=1.0),
    rand=fractions,
    retry=seconds,
    hint=seconds,
    cap=caps,
)
def test_next_due_is_later_and_bounded(
    interval: timedelta,
    failures: int,
    jitter: float,
    rand: float,
    retry: float | None,
    hint: float | None,
    cap: timedelta,
) -> None:
    due = next_due(
        NOW,
        interval,
        failures=failures,
        jitter=jitter,
        rand=rand,
        retry_after=retry,
        hint=hint,
        ceiling=cap,
        cap=cap,
    )
    assert due > NOW
    bound = max(cap, interval, MIN_DELAY) * (1 + jitter) + timedelta(microseconds=1)
    waited = timedelta(seconds=min(retry, MAX_RETRY_AFTER.total_seconds())) if retry else None
    assert due <= NOW + bound or (waited is not None and due <= NOW + max(waited, MIN_DELAY))
    if retry is not None:
        assert due >= NOW + min(timedelta(seconds=retry), MAX_RETRY_AFTER)


@given(interval=intervals, failures=st.integers(min_value=0, max_value=100), cap=caps)
def test_backoff_is_monotonic_capped_and_resets(
    interval: timedelta, failures: int, cap: timedelta
) -> None:
    now, after = backoff(failures, interval, cap=cap), backoff(failures + 1, interval, cap=cap)
    assert interval <= now <= after <= max(cap, interval)
    assert backoff(0, interval, cap=cap) == interval


@given(
    configured=intervals,
    hint=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    ceiling=caps,
)
def test_hints_never_lower_and_never_pass_the_ceiling(
    configured: timedelta, hint: float | None, ceiling: timedelta
) -> None:
    interval = effective_interval(configured, hint=hint, ceiling=ceiling)
    assert interval >= configured
    assert interval <= max(configured, ceiling)
