"""The one clock: every "now" in feeds comes from utcnow()."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)
