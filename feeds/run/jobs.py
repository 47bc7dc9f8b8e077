"""The daemon's jobs: one APScheduler job per enabled source, the run of a source, and store
maintenance.

- ``Schedule``: the ``AsyncIOScheduler`` and its jobs (interval plus up to 10% jitter,
  ``coalesce``, ``max_instances=1``); a job is pushed back to the source's ``next_due`` when
  ``feeds.decide.sources`` (backoff, Retry-After, server hints) says later.
- ``SourceRuns``: one scheduled run of one source through the ingest flow, what follows it
  (metrics, publish debounce, health watch, the job pushed back), and the runs under way.
- ``Maintenance``: store maintenance when due, in a thread with its own connection.

Every method runs in the event loop's thread. This module must not parse, render, serve or
handle signals (``feeds.run.daemon`` does), nor write under public/ but through the health watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.clock import utcnow
from feeds.errors import FeedsError
from feeds.ingest.flow import ingest
from feeds.models import Config, IngestReport, Source
from feeds.run.cluster import Claims
from feeds.run.debounce import Publisher
from feeds.run.metrics import Metrics
from feeds.run.watch import HealthWatch
from feeds.semantic.flow import update_config
from feeds.sources.http import Fetcher
from feeds.store.protocols import StoreType
from feeds.words import count

#: A job's work: one run of the source it names.
RunSource = Callable[[str], Awaitable[None]]

log = logging.getLogger("feeds.daemon")

#: Seconds between checks whether store maintenance is due (``StoreType.maintenance_due``).
MAINTENANCE_CHECK = 3600.0
JITTER_FRACTION, MAX_JITTER = 0.1, 300.0


def job_id(name: str) -> str:
    """The APScheduler job id of source ``name``."""
    return f"source:{name}"


class Schedule:
    """The scheduler and its jobs: one per enabled source, one of store maintenance."""

    def __init__(self) -> None:
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def add(self, source: Source, run: RunSource, *, first: datetime) -> None:
        """Schedule (or reschedule) ``source``: ``run(name)`` at ``first``, then every interval."""
        seconds = source.interval.total_seconds()
        trigger = IntervalTrigger(
            seconds=seconds, jitter=min(seconds * JITTER_FRACTION, MAX_JITTER), timezone=UTC
        )
        self.scheduler.add_job(
            run, trigger, args=[source.name], id=job_id(source.name),
            name=f"source {source.name}", next_run_time=first, replace_existing=True,
        )  # fmt: skip

    def add_maintenance(self, maintain: Callable[[], Awaitable[None]]) -> None:
        self.scheduler.add_job(
            maintain, IntervalTrigger(seconds=MAINTENANCE_CHECK, timezone=UTC),
            id="maintenance", name="store maintenance",
        )  # fmt: skip

    def remove(self, name: str) -> None:
        with contextlib.suppress(LookupError):
            self.scheduler.remove_job(job_id(name))

    def push_back(self, name: str, due: datetime | None) -> None:
        """The next run of ``name`` no sooner than ``due`` (backoff, Retry-After, hints)."""
        job = self.scheduler.get_job(job_id(name))
        if job is not None and due is not None:
            if job.next_run_time is None or due > job.next_run_time:
                job.modify(next_run_time=due)

    def once(self, name: str, run: RunSource, at: datetime) -> None:
        """One more run of ``name`` at ``at`` (a lease another node held has expired)."""
        self.scheduler.add_job(
            run, "date", run_date=at, args=[name], id=f"retry:{name}", replace_existing=True
        )

    def sources(self) -> int:
        """How many sources are scheduled."""
        return sum(1 for j in self.scheduler.get_jobs() if j.id.startswith(job_id("")))


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

    def first_run(self, source: Source) -> datetime:
        """Now, unless the source is in backoff (or asked to wait) from an earlier run."""
        state = self.store.source_state(source.name, configured_url=source.url)
        now = utcnow()
        if state.failures and state.next_due and state.next_due > now:
            return state.next_due
        return now

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
                    reports = await ingest(
                        self.config, self.store, names=[name], fetcher=self.fetcher
                    )
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
        self.schedule.push_back(source.name, state.next_due)

    def after_run(self, source: Source, report: IngestReport) -> None:
        self.metrics.ingested(report)
        if report.changed_ids:
            self.publisher.changed(report.changed_ids)
        state = self.store.source_state(source.name, configured_url=source.url)
        self.schedule.push_back(source.name, state.next_due)
        self.watch.observe(self.config, self.store, source, report)

    async def finish(self, timeout: float) -> None:
        """At shutdown: the runs under way get ``timeout`` seconds, then are cancelled."""
        running = [t for t in self.running if not t.done()]
        if not running:
            return
        log.info("daemon: waiting for %s", count(len(running), "running source"))
        _, late = await asyncio.wait(running, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1.0)

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
