"""The daemon's jobs: one APScheduler job per enabled source, the run of a source, and store
maintenance.

- ``Schedule``: each source on its own slots (``feeds.run.slots``: spread over its
  interval by a hash of its name, the next run planned from the slot, not from when a run
  ended; a slot that finds the last run still going is skipped); a run is pushed back to a
  later slot when ``feeds.decide.sources`` (backoff, Retry-After, server hints) says later
  (``feeds.decide.timing.pushed_back``); and the ``AsyncIOScheduler`` of store maintenance.
- ``SourceRuns``: one scheduled run of one source through the ingest flow, what follows it
  (metrics, publish debounce, health watch, the job pushed back), and the runs under way.
- ``Maintenance``: store maintenance when due, in a thread with its own connection.

Every method runs in the event loop's thread. This module must not parse, render, serve or
handle signals (``feeds.run.daemon`` does), nor write under public/ but through the health watch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.clock import utcnow
from feeds.decide import timing
from feeds.errors import FeedsError
from feeds.ingest.batching import WriteBatch
from feeds.ingest.flow import ingest
from feeds.models import Config, IngestReport, Source, SourceState
from feeds.run.cluster import Claims
from feeds.run.debounce import Publisher
from feeds.run.metrics import Metrics
from feeds.run.slots import RunSource, SourceTimers, at, seconds
from feeds.run.watch import HealthWatch
from feeds.semantic.flow import update_config
from feeds.sources.http import Fetcher
from feeds.store.protocols import StoreType
from feeds.words import count

log = logging.getLogger("feeds.daemon")

#: Seconds between checks whether store maintenance is due (``StoreType.maintenance_due``).
MAINTENANCE_CHECK = 3600.0
#: The daemon's write batch: at most this many runs' writes per commit, the first waiting at
#: most this many seconds for others (a crash loses what waits, which the next run fetches
#: again: ``feeds.ingest.batching``).
WRITE_BATCH, WRITE_DELAY = 64, 0.25


def _hinted(source: Source, state: SourceState) -> bool:
    """Whether the source's next run is due later than its interval (a server's hints)."""
    if state.next_due is None or state.last_attempt is None:
        return False
    return state.next_due - state.last_attempt > source.interval * 1.5


class Schedule:
    """The sources' timers (``feeds.run.slots``), and the scheduler of store maintenance."""

    def __init__(self) -> None:
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.timers = SourceTimers()

    def add(self, source: Source, run: RunSource, *, first: datetime) -> None:
        """Schedule (or reschedule) ``source``: ``run(name)`` at ``first``, then at its slots."""
        interval = source.interval.total_seconds()
        self.timers.add(source.name, interval, run, first=first.timestamp())

    def add_maintenance(self, maintain: Callable[[], Awaitable[None]]) -> None:
        self.scheduler.add_job(
            maintain, IntervalTrigger(seconds=MAINTENANCE_CHECK, timezone=UTC),
            id="maintenance", name="store maintenance",
        )  # fmt: skip

    def remove(self, name: str) -> None:
        self.timers.remove(name)

    def pause(self) -> None:
        """Nothing starts from now on (shutdown)."""
        self.scheduler.pause()
        self.timers.pause()

    def push_back(self, source: Source, state: SourceState) -> None:
        """The next run of ``source`` on the slot nearest ``state.next_due`` when that is
        later than the one planned (backoff, hints), never before ``state.retry_after``."""
        if not state.failures and state.retry_after is None and not _hinted(source, state):
            return  # the planned slot stands: nothing asked for more time
        scheduled = self.timers.next_run(source.name)
        if scheduled is None:
            return
        later = timing.pushed_back(
            source.name, source.interval.total_seconds(), scheduled=scheduled,
            due=seconds(state.next_due), floor=seconds(state.retry_after),
        )  # fmt: skip
        if later is not None:
            self.timers.move(source.name, later)

    def once(self, name: str, run: RunSource, at: datetime) -> None:
        """One more run of ``name`` at ``at`` (a lease another node held has expired)."""
        self.scheduler.add_job(
            run, "date", run_date=at, args=[name], id=f"retry:{name}", replace_existing=True
        )

    def sources(self) -> int:
        """How many sources are scheduled."""
        return len(self.timers.timers)


class SourceRuns:
    """Runs of sources: each through the ingest flow, then what follows it."""

    def __init__(
        self, config: Config, store: StoreType, fetcher: Fetcher, *, schedule: Schedule,
        publisher: Publisher, metrics: Metrics, watch: HealthWatch, stopping: asyncio.Event,
        claims: Claims | None = None,
    ) -> None:  # fmt: skip
        self.config, self.store, self.fetcher = config, store, fetcher
        self.schedule, self.publisher, self.metrics = schedule, publisher, metrics
        self.watch, self.stopping = watch, stopping
        self.running: set[asyncio.Task[object]] = set()
        #: Who runs each source when several nodes share the store (feeds.run.cluster).
        self.claims = claims or Claims(None, "", fetch_timeout=0, host_limit=0)
        #: One write batch for every run: runs that end close together share a commit.
        self.writes = WriteBatch(store, size=WRITE_BATCH, delay=WRITE_DELAY)

    def first_run(self, source: Source) -> datetime:
        """At once for a source never fetched (the first round); else its first slot from
        now, or from when its backoff or the server's Retry-After ends."""
        state = self.store.source_state(source.name, configured_url=source.url)
        now = utcnow()
        first = timing.first_slot(
            source.name, source.interval.total_seconds(), now=now.timestamp(),
            due=seconds(state.next_due), floor=seconds(state.retry_after),
            fetched=state.last_attempt is not None,
        )  # fmt: skip
        return max(now, at(first))

    async def run(self, name: str) -> None:
        """One scheduled run of one source (an APScheduler job)."""
        source = self.config.source(name)
        task = asyncio.current_task()
        if source is None or not source.enabled or self.stopping.is_set() or task is None:
            return
        self.running.add(task)
        try:
            async with self.claims.lease(source) as ours:  # only the run's writes are fenced
                if ours:
                    # One node alone: runs that end close together share a commit. With
                    # leases, each run's writes commit inside its lease (fenced).
                    shared = self.writes if self.claims.leases is None else None
                    reports = await ingest(
                        self.config, self.store, names=[name], fetcher=self.fetcher,
                        writes=shared, steady=True,
                    )  # fmt: skip
            if not ours:  # another node runs it (feeds.run.cluster)
                self.schedule_from_store(source)
                return
            # Topics by meaning, before the publish; entries matched that did not change (a
            # topic new since a reload covers the history) are published too.
            if update_config(self.config, self.store).matched:
                self.publisher.changed(())
            for report in reports:
                self.after_run(source, report)
        except asyncio.CancelledError:
            log.warning("source %s: run interrupted by shutdown", name)
        except FeedsError as e:
            log.error("source %s: %s", name, e)
        except Exception as e:  # a bug must not kill the job: it would never run again
            log.error("source %s: unexpected error: %r", name, e,
                      exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
        finally:
            self.running.discard(task)
            if not self.stopping.is_set():
                self.publisher.ran(name)

    def schedule_from_store(self, source: Source) -> None:
        """The source ran elsewhere: its next run no sooner than the store says (backoff)."""
        state = self.store.source_state(source.name, configured_url=source.url)
        self.schedule.push_back(source, state)

    def after_run(self, source: Source, report: IngestReport) -> None:
        self.metrics.ingested(report)
        if report.changed_ids:
            self.publisher.changed(report.changed_ids)
        state = self.store.source_state(source.name, configured_url=source.url)
        self.schedule.push_back(source, state)
        self.watch.observe(self.config, self.store, source, report, state)

    async def finish(self, timeout: float) -> None:
        """At shutdown: the runs under way get ``timeout`` seconds, then are cancelled."""
        running = [t for t in self.running if not t.done()]
        if not running:
            self.writes.flush()
            return
        log.info("daemon: waiting for %s", count(len(running), "running source"))
        _, late = await asyncio.wait(running, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1.0)
        self.writes.flush()  # what cancelled runs left pending

    def interrupt(self) -> None:
        """A second stop signal: cancel the runs under way now."""
        for task in self.running:
            task.cancel()


class Maintenance:
    """StoreType maintenance when due (an APScheduler job)."""

    def __init__(self, store: StoreType, stopping: asyncio.Event) -> None:
        self.store, self.stopping = store, stopping

    async def run(self) -> None:
        """In a thread with its own connection, so the event loop keeps serving while the
        index is merged."""
        now = utcnow()
        opener = self.store.opener()
        if self.stopping.is_set() or not self.store.maintenance_due(now):
            return

        def work() -> None:
            if opener is None:  # no other connection sees it: maintain it here
                self.store.maintain(now)
                return
            with opener() as store:
                store.maintain(now)

        try:
            await asyncio.to_thread(work)
            log.info("daemon: store maintained (search index merged)")
        except FeedsError as e:
            log.error("daemon: store maintenance failed: %s", e)
