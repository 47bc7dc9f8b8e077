"""The sources' timers: each source runs at its slots (``feeds.decide.timing``).

Each source's next run is kept in a heap; when it is due, the run starts as a task (unless
the last one is still running: that slot is skipped, as APScheduler's ``max_instances=1``
and ``coalesce`` did) and the next is the slot after the one planned, so that a slow run or
a slow round does not move later ones. The sources due within one ``TICK`` start in one
wake-up. This replaced one
APScheduler job per source, whose bookkeeping per run (events, locks, job stores, a
wake-up over every job) cost more than the 304 it scheduled. What a slot is, and when a run
moves to a later one, is ``feeds.decide.timing``'s; this module only keeps the timers.
Every method runs in the event loop's thread.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from feeds.decide import timing

#: A job's work: one run of the source it names.
RunSource = Callable[[str], Awaitable[None]]

log = logging.getLogger("feeds.daemon")

#: Sources due within one tick (seconds) start together; a timer that fires a little
#: early (the loop's clock is not the wall clock) still starts what is due this much later.
TICK, FIRE_EARLY = 1.0, 0.005
#: A wake-up starts at least this many runs, however few are due per tick on average.
MIN_BURST = 8


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def seconds(when: datetime | None) -> float | None:
    return None if when is None else when.timestamp()


@dataclass(slots=True)
class _Timer:
    name: str
    interval: float
    run: RunSource
    #: The next run's slot (Unix seconds).
    planned: float
    task: asyncio.Task[None] | None = None
    #: Bumped when ``planned`` changes: heap items of an older version are stale.
    version: int = 0


class SourceTimers:
    """The scheduled sources' next runs (see the module docstring).

    One heap of (slot, source), and one loop timer for the earliest, rounded up to the next
    multiple of ``tick`` seconds: the sources due within one tick start together, in one
    wake-up of the process (a wake-up per fetch cost more than the 304 it made), and none
    starts before its slot.
    """

    def __init__(self, tick: float = TICK) -> None:
        self.timers: dict[str, _Timer] = {}
        self.paused = False
        self.tick = tick
        self.heap: list[tuple[float, str, int]] = []
        self.handle: asyncio.TimerHandle | None = None
        self.wake_at: float | None = None

    def add(self, name: str, interval: float, run: RunSource, *, first: float) -> None:
        """Schedule (or reschedule) ``name``: ``run(name)`` at ``first``, then at its slots."""
        old = self.timers.pop(name, None)
        timer = _Timer(name, interval, run, first)
        if old is not None:
            timer.task = old.task  # a run under way stays the one run under way
            timer.version = old.version + 1
        self.timers[name] = timer
        self._push(timer)

    def remove(self, name: str) -> None:
        self.timers.pop(name, None)  # its heap items are stale now

    def next_run(self, name: str) -> float | None:
        timer = self.timers.get(name)
        return None if timer is None else timer.planned

    def move(self, name: str, planned: float) -> None:
        """The next run of ``name`` at ``planned`` instead."""
        timer = self.timers.get(name)
        if timer is not None:
            timer.planned, timer.version = planned, timer.version + 1
            self._push(timer)

    def intervals(self) -> dict[str, float]:
        """Each scheduled source's interval (seconds)."""
        return {name: t.interval for name, t in self.timers.items()}

    def pause(self) -> None:
        """No run starts from now on."""
        self.paused = True
        if self.handle is not None:
            self.handle.cancel()
            self.handle, self.wake_at = None, None

    def _push(self, timer: _Timer) -> None:
        heapq.heappush(self.heap, (timer.planned, timer.name, timer.version))
        self._arm()

    def _arm(self) -> None:
        """The loop timer at the tick of the earliest slot (sooner than it is armed for)."""
        if self.paused or not self.heap:
            return
        due, now = self.heap[0][0], time.time()
        wake = due if due <= now else math.ceil(due / self.tick) * self.tick  # due: at once
        if self.wake_at is not None and self.wake_at <= wake:
            return
        if self.handle is not None:
            self.handle.cancel()
        self.wake_at = wake
        delay = max(0.0, wake - now)
        self.handle = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self.handle, self.wake_at = None, None
        if self.paused:
            return
        now, started, most = time.time(), 0, self.burst()
        while self.heap and self.heap[0][0] <= now + FIRE_EARLY and started < most:
            _, name, version = heapq.heappop(self.heap)
            timer = self.timers.get(name)
            if timer is None or timer.version != version:
                continue  # removed, moved or rescheduled since
            self._start(timer, now)
            started += 1
        if started >= most and self.heap and self.heap[0][0] <= now:  # late: the next tick
            self.handle = asyncio.get_running_loop().call_later(self.tick, self._fire)
            self.wake_at = now + self.tick
            return
        self._arm()

    def burst(self) -> int:
        """The most runs one wake-up starts: twice as many as are due per tick on average
        (at least ``MIN_BURST``), so that runs delayed by a busy loop (a long publish)
        catch up over a few ticks instead of starting all at once."""
        rate = sum(1.0 / t.interval for t in self.timers.values() if t.interval > 0)
        return max(MIN_BURST, math.ceil(2 * rate * self.tick))

    def _start(self, timer: _Timer, now: float) -> None:
        if timer.task is None or timer.task.done():
            timer.task = asyncio.get_running_loop().create_task(_run(timer))
        else:
            log.debug("source %s: still running at its next slot; skipped", timer.name)
        timer.planned = timing.next_slot(timer.name, timer.interval, planned=timer.planned,
                                         now=now)  # fmt: skip
        timer.version += 1
        heapq.heappush(self.heap, (timer.planned, timer.name, timer.version))


async def _run(timer: _Timer) -> None:
    await timer.run(timer.name)
