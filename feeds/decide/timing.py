"""When the daemon does things: its debounced publish, and the slots each source runs in.

The debounced publish is a pure trigger, as APScheduler models triggers.

Changes come in; the publish fires ``delay`` seconds after the last one, and at most
``max_delays`` delays after the first (changes that keep coming must not hold it off for
ever). A publish that failed is tried again ``RETRY_PUBLISH`` seconds later, sooner if a new
change comes. ``next(now)`` says when, like APScheduler's ``get_next_fire_time`` but with
``now`` passed in; ``feeds.run.debounce`` only schedules what it says.

Pure: times are monotonic seconds given by the caller. Must not import asyncio, the
scheduler, the store or anything that does I/O.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace

#: Changes keep coming: publish anyway once the first has waited this many delays.
MAX_WAIT_DELAYS = 5
#: A failed publish is tried again after this many seconds.
RETRY_PUBLISH = 30.0
#: After a publish that took ``t`` seconds, the next waits at least ``PUBLISH_GAP * t``
#: (publishing takes at most 1/PUBLISH_GAP of the time however fast changes come), but
#: never more than ``MAX_PUBLISH_GAP`` seconds.
PUBLISH_GAP, MAX_PUBLISH_GAP = 100.0, 120.0


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
    #: No publish before this (the last one's cost, ``published``); None: any time.
    not_before: float | None = None

    def changed(self, now: float) -> Debounce:
        """A change at ``now``: the publish moves to ``delay`` after it (within the bound)."""
        first = now if self.first is None else self.first
        return replace(self, first=first, last=now, retry_at=None)

    def failed(self, now: float, retry: float = RETRY_PUBLISH) -> Debounce:
        """The publish at ``now`` failed: try again ``retry`` seconds later."""
        return replace(self, retry_at=now + retry)

    def published(self, now: float | None = None, cost: float = 0.0) -> Debounce:
        """Everything is published (at ``now``, in ``cost`` seconds): nothing waits, and the
        next publish comes no sooner than ``publish_gap(cost)`` after this one, so that
        changes coming faster make publishes gather more of them, not come more often."""
        later = None if now is None else now + publish_gap(cost)
        return Debounce(self.delay, self.max_delays, not_before=later)

    def next(self, now: float) -> float | None:
        """When the publish fires (never before ``now``); None when nothing waits."""
        if self.retry_at is not None:
            return max(now, self.retry_at)
        if self.first is None or self.last is None:
            return None
        due = min(self.last + self.delay, self.first + self.delay * self.max_delays)
        if self.not_before is not None:
            due = max(due, self.not_before)
        return max(now, due)


def publish_gap(cost: float) -> float:
    """Seconds from a publish that took ``cost`` seconds to the next one, at least."""
    return min(max(0.0, cost) * PUBLISH_GAP, MAX_PUBLISH_GAP)


#: Seconds between the daemon's full comparisons of every topic's feed with what it showed
#: (between them, a publish renders only the topics the changed entries touch).
SWEEP_EVERY = 900.0


def sweep_due(last: float | None, now: float, every: float = SWEEP_EVERY) -> bool:
    """Whether a publish at ``now`` compares every topic (none yet, or ``every`` since)."""
    return last is None or now - last >= every


# -- when a source runs: its slots -------------------------------------------------------------
#
# Each source runs on a grid of its own: the instants ``phase + k * interval`` (Unix seconds),
# where ``phase`` is a stable function of the source's key (its name), so that sources spread
# over their interval, a restart keeps the spread, and a slow run does not move later ones
# (a round that overruns skips to the next free slot instead of starting a convoy). Backoff,
# Retry-After and server hints (``feeds.decide.sources``) say "not before"; the run then
# goes to the grid's slot nearest that time. Which node claims a due source is not decided
# here.


def phase(key: str, interval: float) -> float:
    """Seconds into each ``interval`` at which the source ``key`` runs: stable across runs
    and processes (a hash of the key, not Python's salted ``hash``), spread uniformly."""
    if interval <= 0:
        return 0.0
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 * interval


def slot_at_or_after(key: str, interval: float, at: float) -> float:
    """The first slot of ``key``'s grid at or after ``at`` (Unix seconds)."""
    if interval <= 0:
        return at
    offset = phase(key, interval)
    rounds = math.ceil((at - offset) / interval)
    return offset + rounds * interval


def next_slot(
    key: str,
    interval: float,
    *,
    planned: float,
    now: float,
    due: float | None = None,
    floor: float | None = None,
) -> float:
    """When a source that was planned at ``planned`` runs next (all Unix seconds).

    - No ``due`` (nothing asked for more time): the slot after ``planned``, or if that has
      already passed (a run, or the whole process, fell behind), the first slot after
      ``now``: missed rounds are skipped, not made up in a burst.
    - ``due`` (backoff, server hints): the first slot no more than half an interval before
      it, so a run ends up on the grid; ``floor`` (Retry-After) is never run before.
    """
    at = max(planned + interval, now)
    if due is not None:
        at = max(at, due - interval / 2)
    slot = slot_at_or_after(key, interval, at)
    if floor is not None and slot < floor:
        slot = slot_at_or_after(key, interval, floor)
    return slot


def first_slot(
    key: str,
    interval: float,
    *,
    now: float,
    due: float | None,
    floor: float | None = None,
    fetched: bool = True,
) -> float:
    """When a source first runs after the daemon starts: a source never ``fetched`` at once
    (the first round, which the first publish waits for); else its first slot from ``now``
    (or from ``due`` less half an interval: backoff, hints), never before ``floor``."""
    if not fetched and floor is None:
        return now
    at = now if due is None else max(now, due - interval / 2)
    slot = slot_at_or_after(key, interval, at)
    if floor is not None and slot < floor:
        slot = slot_at_or_after(key, interval, floor)
    return slot


def pushed_back(
    key: str, interval: float, *, scheduled: float, due: float | None, floor: float | None
) -> float | None:
    """After a run: the slot a source's next run moves to, when ``due`` (backoff, hints:
    the slot no more than half an interval before it) or ``floor`` (Retry-After) is later
    than the one ``scheduled``; else None, the schedule stands."""
    if due is None and floor is None:
        return None
    at = scheduled if due is None else max(scheduled, due - interval / 2)
    slot = slot_at_or_after(key, interval, at)
    if floor is not None and slot < floor:
        slot = slot_at_or_after(key, interval, floor)
    return slot if slot > scheduled else None
