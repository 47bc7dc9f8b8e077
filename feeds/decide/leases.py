"""A node's leases on sources (issue 17), as numbers: how long a claim holds, and how long
after a run a source stays fresh, so that whichever node's timer fires next does not fetch
it again in the same due period. Pure; when a source is due stays ``feeds.decide.sources``'s
and the scheduler's.
"""

from __future__ import annotations

from datetime import timedelta

#: A lease outlives the longest fetch by this much (the write after it included).
LEASE_MARGIN = timedelta(seconds=30)
#: A run's result keeps the source fresh for this part of its interval.
FRESH_PART = 0.5


def lease_ttl(fetch_timeout: float, *, override: float | None = None) -> timedelta:
    """How long a claim holds: the longest fetch and a margin (``override`` seconds, if
    given: tests and operators who know their fetches)."""
    if override is not None and override > 0:
        return timedelta(seconds=override)
    return timedelta(seconds=fetch_timeout) * 2 + LEASE_MARGIN


def fresh_for(interval: timedelta) -> timedelta:
    """How long after a run of a source (by any node) it is not claimed again: half its
    interval, so a timer that fires a little early or late on another node finds it done."""
    return interval * FRESH_PART
