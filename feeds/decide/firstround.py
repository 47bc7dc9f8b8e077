"""The daemon's first publish on a new store waits for the first round of sources.

On a store with no entry yet, publishing at once would serve every topic with 0 entries,
and a reader that subscribed in that second would store nothing. So the first publish waits
until every source scheduled to run at start has run once, or ``bound`` seconds have passed
(a remote source that hangs must not keep the site unpublished: the daemon passes the
fetcher's total timeout, the longest a fetch may take). Until then the server answers 503
with ``Retry-After`` (``feeds.run.serve``).

Pure: the daemon tells it what finished and what time it is (monotonic seconds); this module
does no I/O and knows nothing of the scheduler. Must not import asyncio, the scheduler, the
store or anything that does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class FirstRound:
    """Sources of the first round not yet run, and when the first publish goes out anyway."""

    #: Names of the sources still to run once.
    waiting: frozenset[str]
    #: Monotonic time after which the first publish waits no longer.
    deadline: float

    @classmethod
    def start(cls, names: Iterable[str], *, now: float, bound: float) -> FirstRound:
        return cls(frozenset(names), now + bound)

    def ran(self, name: str) -> FirstRound:
        """``name`` has had its chance (it may have failed: that is its chance too)."""
        return replace(self, waiting=self.waiting - {name})

    @property
    def complete(self) -> bool:
        return not self.waiting

    def retry_after(self, now: float) -> int:
        """Whole seconds a client should wait before asking again (at least 1)."""
        return max(1, math.ceil(self.deadline - now))
