"""The sources' timers: each source runs at its slots (``feeds.decide.timing``).

One asyncio timer per source, armed for its next slot; when it fires, the run starts as a
task (unless the last one is still running: that slot is skipped, as APScheduler's
``max_instances=1`` and ``coalesce`` did) and the timer is armed for the slot after the one
planned, so that a slow run or a slow round does not move later ones. This replaced one
APScheduler job per source, whose bookkeeping per run (events, locks, job stores, a
wake-up over every job) cost more than the 304 it scheduled. What a slot is, and when a run
moves to a later one, is ``feeds.decide.timing``'s; this module only keeps the timers.
Every method runs in the event loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from feeds.decide import timing

#: A job's work: one run of the source it names.
RunSource = Callable[[str], Awaitable[None]]

log = logging.getLogger("feeds.daemon")


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
    handle: asyncio.TimerHandle | None = None
    task: asyncio.Task[None] | None = None


class SourceTimers:
    """One timer per scheduled source (see the module docstring)."""

    def __init__(self) -> None:
        self.timers: dict[str, _Timer] = {}
        self.paused = False

    def add(self, name: str, interval: float, run: RunSource, *, first: float) -> None:
        """Schedule (or reschedule) ``name``: ``run(name)`` at ``first``, then at its slots."""
        old = self.timers.pop(name, None)
        timer = _Timer(name, interval, run, first)
        if old is not None:
            self._disarm(old)
            timer.task = old.task  # a run under way stays the one run under way
        self.timers[name] = timer
        self._arm(timer)

    def remove(self, name: str) -> None:
        timer = self.timers.pop(name, None)
        if timer is not None:
            self._disarm(timer)

    def next_run(self, name: str) -> float | None:
        timer = self.timers.get(name)
        return None if timer is None else timer.planned

    def move(self, name: str, planned: float) -> None:
        """The next run of ``name`` at ``planned`` instead."""
        timer = self.timers.get(name)
        if timer is not None:
            self._disarm(timer)
            timer.planned = planned
            self._arm(timer)

    def intervals(self) -> dict[str, float]:
        """Each scheduled source's interval (seconds)."""
        return {name: t.interval for name, t in self.timers.items()}

    def pause(self) -> None:
        """No run starts from now on."""
        self.paused = True
        for timer in self.timers.values():
            self._disarm(timer)

    def _arm(self, timer: _Timer) -> None:
        if self.paused:
            return
        delay = max(0.0, timer.planned - time.time())
        timer.handle = asyncio.get_running_loop().call_later(delay, self._fire, timer)

    @staticmethod
    def _disarm(timer: _Timer) -> None:
        if timer.handle is not None:
            timer.handle.cancel()
            timer.handle = None

    def _fire(self, timer: _Timer) -> None:
        timer.handle = None
        if self.paused or self.timers.get(timer.name) is not timer:
            return
        if timer.task is None or timer.task.done():
            timer.task = asyncio.get_running_loop().create_task(_run(timer))
        else:
            log.debug("source %s: still running at its next slot; skipped", timer.name)
        now = time.time()
        timer.planned = timing.next_slot(timer.name, timer.interval, planned=timer.planned,
                                         now=now)  # fmt: skip
        self._arm(timer)


async def _run(timer: _Timer) -> None:
    await timer.run(timer.name)
