"""``feeds run``: schedule every source, republish what changed, serve public/, watch itself.

One asyncio loop runs it all, so the one SQLite connection is only ever used from one thread:

- an APScheduler ``AsyncIOScheduler`` with one job per enabled source (interval plus up to
  10% jitter, ``coalesce``, ``max_instances=1``, first run at once unless the source is in
  backoff). After each run the job's next run is pushed back to the source's ``next_due``
  when ``feeds.schedule`` (backoff, Retry-After, server hints) says later. An article folder
  is polled by its own job: a new file is picked up within one interval;
- a debounced publish: ``FEEDS_PUBLISH_DELAY`` seconds (default 2) after the last change,
  and at most five delays after the first, only the topics whose feed the changes touch;
- the health feed ``public/_status.atom`` (see ``feeds.health``);
- uvicorn serving ``feeds.serve.make_app`` (its own signal handling switched off);
- signals: SIGTERM/SIGINT stop (running sources get a few seconds, pending changes are
  published, exit 0 well within 10 s); SIGHUP re-reads the config and adds, removes or
  reschedules jobs; a bad config is refused and the running one kept.

The data folder lock (``feeds.lock``) is held for the whole run. This module wires the parts
together; it must not fetch, parse, query or render by itself (the pipeline, health and
serve modules do), nor write anything under public/ except through them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from . import health as hl
from .config import load_config
from .errors import ConfigError, FeedsError
from .fetch import Fetcher
from .files import write_atomic
from .lock import DataLock
from .metrics import Metrics
from .models import Config, IngestReport, Source
from .pipeline import fetch_settings, ingest
from .regenerate import regenerate, topic_entries
from .serve import Serving, address, bind, make_app
from .store import Store

log = logging.getLogger("feeds.daemon")

DELAY_ENV = "FEEDS_PUBLISH_DELAY"
DEFAULT_PUBLISH_DELAY = 2.0
#: Changes keep coming: publish anyway once the first has waited this many delays.
MAX_WAIT_DELAYS = 5
#: A failed publish is retried after this many seconds.
RETRY_PUBLISH = 30.0
#: /healthz says 503 when a change has waited this long (beyond the debounce) unpublished.
STALE_AFTER = 60.0
#: Seconds between checks whether store maintenance is due (``Store.maintenance_due``).
MAINTENANCE_CHECK = 3600.0
JITTER_FRACTION, MAX_JITTER = 0.1, 300.0
STOP_JOBS_TIMEOUT, STOP_SERVER_TIMEOUT = 5.0, 3.0  # both run at once


def publish_delay() -> float:
    """Seconds of debounce, from ``$FEEDS_PUBLISH_DELAY`` (tests use a fraction of one)."""
    raw = os.environ.get(DELAY_ENV)
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_PUBLISH_DELAY
    except ValueError:
        log.warning("daemon: %s=%r is not a number of seconds; using %s", DELAY_ENV, raw,
                    DEFAULT_PUBLISH_DELAY)  # fmt: skip
        return DEFAULT_PUBLISH_DELAY


def run_daemon(config_path: Path, *, host: str, port: int | None) -> int:
    """Run until SIGTERM/SIGINT; 0 after a clean stop. ConfigError and LockError propagate."""
    config = load_config(config_path)
    if not log.isEnabledFor(logging.DEBUG):  # "Running job ...": two lines per run, no news
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    with DataLock(config.settings.data_dir):
        return asyncio.run(_main(config_path, config, host, port))


async def _main(config_path: Path, config: Config, host: str, port: int | None) -> int:
    sock = bind(host, port) if port is not None else None
    try:
        with Store(config.settings.data_dir / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                daemon = Daemon(config_path, config, store, fetcher, publish_delay())
                return await daemon.run(sock)
    finally:
        if sock is not None:
            sock.close()


def _utcnow() -> datetime:
    """Now, to the microsecond, as the store keeps times."""
    return datetime.now(UTC)


def _job_id(name: str) -> str:
    return f"source:{name}"


class Daemon:
    """The running state of ``feeds run``; every method runs in the event loop's thread."""

    def __init__(
        self, config_path: Path, config: Config, store: Store, fetcher: Fetcher, delay: float
    ) -> None:
        self.config_path, self.config, self.delay = config_path, config, delay
        self.store, self.fetcher = store, fetcher
        self.metrics = Metrics()
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task[object]] = set()
        self.pending: set[str] = set()
        self.pending_since: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.shown: dict[str, frozenset[str]] = {}
        self.last_publish: float | None = None
        self.publish_error: str | None = None
        self.health_path = config.settings.data_dir / hl.HEALTH_FILE
        self.health_state = hl.load_health(self.health_path)

    # -- lifecycle ---------------------------------------------------------------------------

    async def run(self, sock: socket.socket | None) -> int:
        self.publish(None)
        self.write_status()
        self.scheduler.start()
        for source in self.config.sources:
            if source.enabled:
                self.add_job(source, first=self.first_run(source))
        self.scheduler.add_job(
            self.maintain, IntervalTrigger(seconds=MAINTENANCE_CHECK, timezone=UTC),
            id="maintenance", name="store maintenance",
        )  # fmt: skip
        server = self.start_server(sock) if sock is not None else None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop, sig.name)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        where = f"serving http://{address(sock)}/" if sock else "not serving"
        log.info("daemon: running (pid %d), %d sources, %d topics, %s", os.getpid(),
                 len(self.config.sources), len(self.config.topics), where)  # fmt: skip
        try:
            await self.stopping.wait()
            await self.shutdown(server)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
        log.info("daemon: stopped")
        return 0

    def start_server(self, sock: socket.socket) -> Serving:
        app = make_app(self.config.settings.public_dir, self.health, self.metrics.render)
        serving = Serving.start(app, sock)
        serving.task.add_done_callback(self._server_done)
        return serving

    def _server_done(self, task: asyncio.Task[None]) -> None:
        if not self.stopping.is_set():
            error = None if task.cancelled() else task.exception()
            log.error("daemon: the HTTP server stopped unexpectedly (%r); stopping", error)
            self.stopping.set()

    def stop(self, name: str) -> None:
        if self.stopping.is_set():
            log.warning("daemon: %s again: interrupting running sources", name)
            for task in self.running:
                task.cancel()
            return
        log.info("daemon: %s received, stopping", name)
        self.stopping.set()

    async def shutdown(self, server: Serving | None) -> None:
        """Stop within 10 s: sources get STOP_JOBS_TIMEOUT, the server STOP_SERVER_TIMEOUT,
        both at once; then what is pending is published."""
        self.scheduler.pause()
        await asyncio.sleep(0)  # a job submitted just before the pause registers itself
        stopping = [self._stop_jobs()]
        if server is not None:
            stopping.append(server.stop(STOP_SERVER_TIMEOUT))
        await asyncio.gather(*stopping)
        if self.timer is not None:
            self.timer.cancel()
        if self.pending:
            self.publish_pending()
        if self.timer is not None:  # the last publish failed: no retry, we are leaving
            self.timer.cancel()
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback

    async def _stop_jobs(self) -> None:
        running = [t for t in self.running if not t.done()]
        if not running:
            return
        log.info("daemon: waiting for %d running source(s)", len(running))
        _, late = await asyncio.wait(running, timeout=STOP_JOBS_TIMEOUT)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1.0)

    def health(self) -> tuple[bool, str]:
        """For /healthz: the scheduler runs and publishing keeps up."""
        if self.stopping.is_set() or not self.scheduler.running:
            return False, "the scheduler is not running"
        if self.publish_error:
            return False, f"the last publish failed: {self.publish_error}"
        now = time.monotonic()
        limit = self.delay * MAX_WAIT_DELAYS + STALE_AFTER
        if self.pending_since is not None and now - self.pending_since > limit:
            return False, f"changes unpublished for {now - self.pending_since:.0f}s"
        jobs = sum(1 for j in self.scheduler.get_jobs() if j.id.startswith(_job_id("")))
        ago = f"{now - self.last_publish:.0f}s ago" if self.last_publish else "never"
        return True, f"{jobs} sources scheduled, last publish {ago}"

    # -- sources -----------------------------------------------------------------------------

    def first_run(self, source: Source) -> datetime:
        """Now, unless the source is in backoff (or asked to wait) from an earlier run."""
        state = self.store.source_state(source.name, configured_url=source.url)
        now = _utcnow()
        if state.failures and state.next_due and state.next_due > now:
            return state.next_due
        return now

    def add_job(self, source: Source, *, first: datetime) -> None:
        seconds = source.interval.total_seconds()
        trigger = IntervalTrigger(
            seconds=seconds, jitter=min(seconds * JITTER_FRACTION, MAX_JITTER), timezone=UTC
        )
        self.scheduler.add_job(
            self.run_source, trigger, args=[source.name], id=_job_id(source.name),
            name=f"source {source.name}", next_run_time=first, replace_existing=True,
        )  # fmt: skip

    async def maintain(self) -> None:
        """Store maintenance when due (an APScheduler job): in a thread with its own
        connection, so the event loop keeps serving while the index is merged."""
        now = _utcnow()
        if self.stopping.is_set() or not self.store.maintenance_due(now):
            return

        def work() -> None:
            with Store(self.store.path) as store:
                store.maintain(now)

        try:
            await asyncio.to_thread(work)
            log.info("daemon: store maintained (search index merged)")
        except FeedsError as e:
            log.error("daemon: store maintenance failed: %s", e)

    async def run_source(self, name: str) -> None:
        """One scheduled run of one source (an APScheduler job)."""
        source = self.config.source(name)
        task = asyncio.current_task()
        if source is None or not source.enabled or self.stopping.is_set() or task is None:
            return
        self.running.add(task)
        try:
            reports = await ingest(self.config, self.store, names=[name], fetcher=self.fetcher)
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

    def after_run(self, source: Source, report: IngestReport) -> None:
        self.metrics.ingested(report)
        if report.changed_ids:
            self.changed(report.changed_ids)
        state = self.store.source_state(source.name, configured_url=source.url)
        job = self.scheduler.get_job(_job_id(source.name))
        if job is not None and state.next_due is not None:
            if job.next_run_time is None or state.next_due > job.next_run_time:
                job.modify(next_run_time=state.next_due)  # backoff, Retry-After, server hints
        dates = [e.published for e in self.store.entries(source=source.name,
                                                         limit=hl.CADENCE_SAMPLE)]  # fmt: skip
        self.health_state, event = hl.observe(
            self.health_state, source, state, new_entries=report.new, dates=dates,
            now=_utcnow(),
        )  # fmt: skip
        if event is not None:
            log.warning("status: %s", event.message)
        self.write_status(render=event is not None)

    def write_status(self, *, render: bool = True) -> None:
        """Save the health history; with ``render``, render ``_status.atom`` too."""
        settings = self.config.settings
        sources = {s.name: s for s in self.config.sources}
        try:
            hl.save_health(self.health_path, self.health_state)
            if render:
                data = hl.render_status(self.health_state.events, settings=settings,
                                        sources=sources)  # fmt: skip
                write_atomic(settings.public_dir / f"{hl.STATUS_SLUG}.atom", data)
        except FeedsError as e:
            log.error("status: %s", e)

    # -- publishing --------------------------------------------------------------------------

    def changed(self, ids: tuple[str, ...]) -> None:
        """Entries changed: publish after the debounce delay (pushed back by more changes)."""
        loop = asyncio.get_running_loop()
        now = loop.time()  # time.monotonic(), as in health()
        if self.pending_since is None:
            self.pending_since = now
        self.pending.update(ids)
        due = min(now + self.delay, self.pending_since + self.delay * MAX_WAIT_DELAYS)
        if self.timer is not None:
            self.timer.cancel()
        self.timer = loop.call_at(due, self.publish_pending)

    def publish_pending(self) -> None:
        self.timer = None
        changed, self.pending = self.pending, set()
        try:
            self.publish(changed)
        except FeedsError as e:
            self.pending |= changed
            self.retry_later(e)
            return
        self.pending_since = None

    def retry_later(self, error: FeedsError) -> None:
        log.error("publish: %s; retrying in %.0fs", error, RETRY_PUBLISH)
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(RETRY_PUBLISH, self.publish_pending)

    def publish(self, changed: set[str] | None, also: frozenset[str] = frozenset()) -> None:
        """Regenerate the topics ``changed`` entries touch (None: all), and those in ``also``."""
        started = time.perf_counter()
        config = self.config
        touched: dict[str, frozenset[str]] = {}
        for topic in config.topics:
            ids = frozenset(e.id for e in topic_entries(config, self.store, topic))
            before = self.shown.get(topic.slug)
            if changed is None or topic.slug in also or before != ids or ids & changed:
                touched[topic.slug] = ids
        try:
            reports = regenerate(config, self.store, slugs=list(touched))
        except FeedsError as e:
            self.publish_error = str(e)
            raise
        self.shown.update(touched)
        for report in reports:
            path = config.settings.public_dir / f"{report.topic}.atom"
            with contextlib.suppress(OSError):
                self.metrics.feed(report.topic, size=path.stat().st_size, entries=report.entries)
        self.publish_error, self.last_publish = None, time.monotonic()
        self.metrics.published(time.perf_counter() - started, at=time.time())

    # -- SIGHUP ------------------------------------------------------------------------------

    def reload(self) -> None:
        if self.stopping.is_set():
            return
        try:
            new = load_config(self.config_path)
        except ConfigError as e:
            log.error("config: reload refused, the running config stays: %s", e)
            return
        old = self.config
        if (new.settings.data_dir, new.settings.public_dir) != (
            old.settings.data_dir, old.settings.public_dir,
        ):  # fmt: skip
            log.error("config: reload refused: data_dir and public_dir cannot change while "
                      "running; restart feeds run to move them")  # fmt: skip
            return
        self.config = new
        self.reschedule(old, new)
        self.retopic(old, new)
        log.info("config: reloaded %s (%d sources, %d topics)", new.file, len(new.sources),
                 len(new.topics))  # fmt: skip

    def reschedule(self, old: Config, new: Config) -> None:
        before = {s.name: s for s in old.sources if s.enabled}
        after = {s.name: s for s in new.sources if s.enabled}
        for name in before.keys() - after.keys():
            with contextlib.suppress(LookupError):
                self.scheduler.remove_job(_job_id(name))
            self.metrics.forget_source(name)
            log.info("source %s: removed from the schedule", name)
        self.health_state = hl.forget(self.health_state, list(before.keys() - after.keys()))
        for name, source in after.items():
            if before.get(name) != source:
                self.add_job(source, first=_utcnow())
                what = "added" if name not in before else "changed"
                log.info("source %s: %s, every %s", name, what, _human(source.interval))

    def retopic(self, old: Config, new: Config) -> None:
        before = {t.slug: t for t in old.topics}
        gone = before.keys() - {t.slug for t in new.topics}
        for slug in gone:
            self.shown.pop(slug, None)
            self.metrics.forget_topic(slug)
            log.info("topic %s: removed from the config (its file stays in public/)", slug)
        fresh = frozenset(t.slug for t in new.topics if before.get(t.slug) != t)
        for slug in sorted(fresh):
            log.info("topic %s: %s", slug, "changed" if slug in before else "added")
        try:
            if new.settings != old.settings:
                self.publish(None)
            elif fresh or gone:
                self.publish(set(), also=fresh)
        except FeedsError as e:
            self.retry_later(e)  # publish(set()) then picks up the topics not yet shown
        self.write_status()


def _human(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
