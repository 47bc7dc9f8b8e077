"""The daemon's alerts (#18): the alert flow (``feeds.notify.flow``) after each publish, and
every ``ALERT_CHECK`` seconds (retries after backoff, digests whose window ended).

A round runs in a thread with its own connection to the store (sending waits on the
network; the event loop keeps serving), one round at a time: a publish during a round asks
for one more after it. ``leader`` says whether this node sends (one node: always; a cluster
gives its leader election here). Reports go to the metrics and the health watch. Must not
fetch, publish or render.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.clock import utcnow
from feeds.errors import FeedsError
from feeds.models import Config
from feeds.notify.flow import TargetReport, notify, targets
from feeds.notify.health import alert_events
from feeds.run.metrics import Metrics
from feeds.run.watch import HealthWatch
from feeds.store.protocols import StoreType

log = logging.getLogger("feeds.daemon")

#: Seconds between two rounds when nothing is published (retries, digest windows).
ALERT_CHECK = 30.0


def _always() -> bool:
    return True


class Alerts:
    """The alert rounds of one daemon (every method runs in the event loop's thread)."""

    def __init__(
        self, config: Config, opener: Callable[[], StoreType], metrics: Metrics,
        watch: HealthWatch,
        *, leader: Callable[[], bool] = _always,
    ) -> None:  # fmt: skip
        self.config, self.opener, self.metrics, self.watch = config, opener, metrics, watch
        self.leader = leader
        self.task: asyncio.Task[None] | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.again = False
        #: Set by the first publish.
        self.ready = False

    def published(self) -> None:
        """A publish happened: a round (the first publish opens the alerts: before it, on a
        new store, a target's baseline would miss the first round's entries)."""
        self.ready = True
        self.kick()

    def kick(self) -> None:
        """A round now, or after the running one."""
        if not self.ready or not targets(self.config):
            return
        if self.task is not None and not self.task.done():
            self.again = True
            return
        self.task = asyncio.get_running_loop().create_task(self._rounds())

    async def check(self) -> None:
        """The periodic job."""
        self.kick()

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        """The periodic job, while some topic has targets."""
        self.scheduler = scheduler
        job = scheduler.get_job("alerts")
        if targets(self.config) and job is None:
            scheduler.add_job(
                self.check, IntervalTrigger(seconds=ALERT_CHECK, timezone=UTC), id="alerts",
                name="alerts: retries and digests",
            )  # fmt: skip
        elif not targets(self.config) and job is not None:
            job.remove()

    def reconfigure(self, config: Config) -> None:
        """The config was reloaded."""
        self.config = config
        if self.scheduler is not None:
            self.schedule(self.scheduler)

    async def _rounds(self) -> None:
        while True:
            self.again = False
            config = self.config
            try:
                reports = await asyncio.to_thread(self._round, config)
            except FeedsError as e:
                log.error("alerts: %s", e)
            except Exception as e:  # a bug must not stop the alerts for good
                log.error("alerts: unexpected error: %r", e)
            else:
                self.metrics.alerts(reports)
                self.watch.add(config, alert_events(reports, utcnow()))
            if not self.again:
                return

    def _round(self, config: Config) -> list[TargetReport]:
        with self.opener() as store:
            return notify(config, store, leader=self.leader)

    async def finish(self, timeout: float) -> None:
        """At shutdown: the round under way gets ``timeout`` seconds (its deliveries are in
        the store: whatever is not sent is sent at the next start)."""
        self.again = False
        if self.task is not None and not self.task.done():
            await asyncio.wait([self.task], timeout=timeout)
