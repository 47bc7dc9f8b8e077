"""A token bucket per client, for the daemon's public search page: pure, ``now`` passed in.

A client holds up to ``burst`` tokens; each request takes one; tokens come back at
``rate`` per second. ``take`` answers whether a request goes ahead and the bucket after it;
the caller keeps the buckets (``feeds.run.search_page``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    #: When ``tokens`` was counted (seconds, any monotonic clock).
    at: float


@dataclass(frozen=True, slots=True)
class Limit:
    #: Tokens that come back per second.
    rate: float = 0.5
    #: The most a client holds (requests in a burst).
    burst: float = 10.0


def take(bucket: Bucket | None, now: float, limit: Limit) -> tuple[bool, Bucket]:
    """Whether a request at ``now`` goes ahead, and the bucket after it (a new client
    starts full; a clock that went back adds nothing)."""
    if bucket is None:
        tokens = limit.burst
    else:
        tokens = min(limit.burst, bucket.tokens + max(0.0, now - bucket.at) * limit.rate)
    if tokens >= 1.0:
        return True, Bucket(tokens - 1.0, now)
    return False, Bucket(tokens, now)


def wait(bucket: Bucket, limit: Limit) -> int:
    """Whole seconds until ``bucket`` holds a token again (for ``Retry-After``)."""
    missing = max(0.0, 1.0 - bucket.tokens)
    return max(1, int(-(-missing // limit.rate))) if limit.rate > 0 else 3600
