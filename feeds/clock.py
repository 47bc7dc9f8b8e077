"""The one clock: now, in UTC. Flows read it once per run and pass ``now`` down. And the
text a time is written as where it must sort as it does (the store, ``feeds status --json``).

Must not import anything of feeds (every stage may import it).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC (to the microsecond, the store's precision)."""
    return datetime.now(UTC)


def ts(value: datetime | None) -> str | None:
    """A UTC datetime as sortable text (always six digits of seconds' fractions, and four
    digits of year, so that the text sorts as the time does)."""
    if value is None:
        return None
    # Not strftime("%Y…"): it writes the year 999 as "999", which sorts after "2024" and
    # which fromisoformat cannot read back.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(value: str | None) -> datetime | None:
    """``ts`` read back (also whole seconds, as stores before schema 4 wrote)."""
    if value is None:
        return None
    # fromisoformat reads both, with the "Z", much faster than strptime.
    return datetime.fromisoformat(value).astimezone(UTC)
