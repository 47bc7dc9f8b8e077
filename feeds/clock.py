"""The one clock: now, in UTC. Flows read it once per run and pass ``now`` down.

Must not import anything of feeds (every stage may import it).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC (to the microsecond, the store's precision)."""
    return datetime.now(UTC)
