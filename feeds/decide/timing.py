"""When the daemon's debounced publish fires: a pure trigger, as APScheduler models triggers.

Changes come in; the publish fires ``delay`` seconds after the last one, and at most
``max_delays`` delays after the first (changes that keep coming must not hold it off for
ever). A publish that failed is tried again ``RETRY_PUBLISH`` seconds later, sooner if a new
change comes. ``next(now)`` says when, like APScheduler's ``get_next_fire_time`` but with
``now`` passed in; ``feeds.run.debounce`` only schedules what it says.

Pure: times are monotonic seconds given by the caller. Must not import asyncio, the
scheduler, the store or anything that does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: Changes keep coming: publish anyway once the first has waited this many delays.
MAX_WAIT_DELAYS = 5
#: A failed publish is tried again after this many seconds.
RETRY_PUBLISH = 30.0


@dataclass(frozen=True, slots=True)
class Debounce:
    """The changes not yet published (their first and last times), or a retry to come."""

    #: Seconds of quiet after the last change before the publish fires.
    delay: float
    max_delays: int = MAX_WAIT_DELAYS
    #: When the first change not yet published came; None: none waits.
    first: float | None = None
    #: When the latest change came.
    last: float | None = None
    #: When a failed publish is tried again; None: no publish failed since the last change.
    retry_at: float | None = None

    def changed(self, now: float) -> Debounce:
        """A change at ``now``: the publish moves to ``delay`` after it (within the bound)."""
        first = now if self.first is None else self.first
        return replace(self, first=first, last=now, retry_at=None)

    def failed(self, now: float, retry: float = RETRY_PUBLISH) -> Debounce:
        """The publish at ``now`` failed: try again ``retry`` seconds later."""
        return replace(self, retry_at=now + retry)

    def published(self) -> Debounce:
        """Everything is published: nothing waits."""
        return Debounce(self.delay, self.max_delays)

    def next(self, now: float) -> float | None:
        """When the publish fires (never before ``now``); None when nothing waits."""
        if self.retry_at is not None:
            return max(now, self.retry_at)
        if self.first is None or self.last is None:
            return None
        due = min(self.last + self.delay, self.first + self.delay * self.max_delays)
        return max(now, due)
