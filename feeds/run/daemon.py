"""``feeds run``: schedule every source, republish what changed, serve public/, watch itself.

One asyncio loop runs it all, so the one SQLite connection is only ever used from one thread:

- an APScheduler ``AsyncIOScheduler`` with one job per enabled source (interval plus up to
  10% jitter, ``coalesce``, ``max_instances=1``, first run at once unless the source is in
  backoff). After each run the job's next run is pushed back to the source's ``next_due``
  when ``feeds.decide.sources`` (backoff, Retry-After, server hints) says later. An article folder
  is polled by its own job: a new file is picked up within one interval;
- a debounced publish: ``FEEDS_PUBLISH_DELAY`` seconds (default 2) after the last change,
  and at most five delays after the first, only the topics whose feed the changes touch;
  on a new store, the first publish waits for the first round (``feeds.run.debounce``);
- the health feed ``public/_status.atom`` (see ``feeds.publish.health_feed`` and
``feeds.publish.health``);
- uvicorn serving ``feeds.run.serve.make_app`` (its own signal handling switched off), and on
  ``--admin-port`` a second server with only ``/healthz`` and ``/metrics``;
- signals: SIGTERM/SIGINT stop (running sources get a few seconds, pending changes are
  published, exit 0 well within 10 s); SIGHUP re-reads the config and adds, removes or
  reschedules jobs; a bad config is refused and the running one kept.

The data folder lock (``feeds.lock``) is held for the whole run. This module wires the parts
together; it must not fetch, parse, query or render by itself (the pipeline, publisher,
watch and serve modules do), nor write anything under public/ except through them.
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
from starlette.applications import Starlette

from feeds.clock import utcnow
from feeds.config.loader import load_config
from feeds.decide.timing import MAX_WAIT_DELAYS
from feeds.errors import ConfigError, FeedsError
from feeds.ingest.flow import fetch_settings, ingest
from feeds.models import Config, IngestReport, Source
from feeds.publish import health_feed as hl
from feeds.publish.gone import GonePages
from feeds.publish.health import observe_run, write_status
from feeds.run.debounce import Publisher
from feeds.run.listen import address, bind, port_elsewhere
from feeds.run.lock import DataLock
from feeds.run.metrics import Metrics
from feeds.run.serve import Serving, make_admin_app, make_app
from feeds.sources.http import Fetcher
from feeds.store.sqlite.store import Store
from feeds.words import count

log = logging.getLogger("feeds.daemon")

DELAY_ENV = "FEEDS_PUBLISH_DELAY"
DEFAULT_PUBLISH_DELAY = 2.0
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


def run_daemon(
    config_path: Path, *, host: str, port: int | None, admin: tuple[str, int] | None = None
) -> int:
    """Run until SIGTERM/SIGINT; 0 after a clean stop. ConfigError and LockError propagate.

    ``port`` None serves nothing (``--no-serve``); ``admin`` is (host, port) of a server of
    ``/healthz`` and ``/metrics`` alone.
    """
    config = load_config(config_path)
    if not log.isEnabledFor(logging.DEBUG):  # "Running job ...": two lines per run, no news
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if port is not None and (warning := port_elsewhere(config.settings.base_url, host, port)):
        log.warning("daemon: %s", warning)
    with DataLock(config.settings.data_dir):
        return asyncio.run(_main(config_path, config, (host, port), admin))


async def _main(
    config_path: Path, config: Config, public: tuple[str, int | None], admin: tuple[str, int] | None
) -> int:
    socks: list[socket.socket] = []
    try:
        sock = bind(public[0], public[1]) if public[1] is not None else None
        socks += [sock] if sock is not None else []
        admin_sock = bind(*admin) if admin is not None else None
        socks += [admin_sock] if admin_sock is not None else []
        with Store(config.settings.data_dir / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                daemon = Daemon(config_path, config, store, fetcher, publish_delay())
                return await daemon.run(sock, admin_sock)
    finally:
        for s in socks:
            s.close()


def _job_id(name: str) -> str:
    return f"source:{name}"


class Daemon:
    """The running state of ``feeds run``; every method runs in the event loop's thread."""

    def __init__(
        self, config_path: Path, config: Config, store: Store, fetcher: Fetcher, delay: float,
        *, first_wait: float | None = None,
    ) -> None:  # fmt: skip
        self.config_path, self.config, self.delay = config_path, config, delay
        self.store, self.fetcher = store, fetcher
        self.metrics = Metrics()
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task[object]] = set()
        self.publisher = Publisher(config, store, self.metrics, delay)
        #: How long the first publish on a new store waits for the first round: by default
        #: as long as one fetch may take.
        self.first_wait = fetch_settings(config).total_timeout if first_wait is None else first_wait
        self.health_state = hl.load_health(config.settings.data_dir / hl.HEALTH_FILE)

    # -- lifecycle ---------------------------------------------------------------------------

    async def run(self, sock: socket.socket | None, admin: socket.socket | None = None) -> int:
        write_status(self.config, self.health_state)
        enabled = [s for s in self.config.sources if s.enabled]
        # The first round: the sources that run at once (not those in backoff). A publish
        # that fails now raises before anything is started.
        first_round = [s.name for s in enabled if self.first_run(s) <= utcnow()]
        self.publisher.begin(first_round, self.first_wait)
        self.scheduler.start()
        for source in enabled:
            self.add_job(source, first=self.first_run(source))
        self.scheduler.add_job(
            self.maintain, IntervalTrigger(seconds=MAINTENANCE_CHECK, timezone=UTC),
            id="maintenance", name="store maintenance",
        )  # fmt: skip
        servers = self.start_servers(sock, admin)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop, sig.name)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        where = f"serving http://{address(sock)}/" if sock else "not serving"
        where += f", /healthz and /metrics on http://{address(admin)}/" if admin else ""
        log.info("daemon: running (pid %d), %s, %s, %s", os.getpid(),
                 count(len(self.config.sources), "source"),
                 count(len(self.config.topics), "topic"), where)  # fmt: skip
        try:
            await self.stopping.wait()
            await self.shutdown(servers)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
        log.info("daemon: stopped")
        return 0

    def start_servers(
        self, sock: socket.socket | None, admin: socket.socket | None
    ) -> list[Serving]:
        apps: list[tuple[Starlette, socket.socket]] = []
        if sock is not None:
            public, gone = self.config.settings.public_dir, GonePages(self.config.settings.data_dir)
            app = make_app(public, self.health, self.metrics.render, self.publisher.wait, gone)
            apps.append((app, sock))
        if admin is not None:
            apps.append((make_admin_app(self.health, self.metrics.render), admin))
        servers = [Serving.start(app, s) for app, s in apps]
        for serving in servers:
            serving.task.add_done_callback(self._server_done)
        return servers

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

    async def shutdown(self, servers: list[Serving]) -> None:
        """Stop within 10 s: sources get STOP_JOBS_TIMEOUT, the servers STOP_SERVER_TIMEOUT,
        all at once; then what is pending is published."""
        self.scheduler.pause()
        await asyncio.sleep(0)  # a job submitted just before the pause registers itself
        stopping = [self._stop_jobs(), *(s.stop(STOP_SERVER_TIMEOUT) for s in servers)]
        await asyncio.gather(*stopping)
        self.publisher.flush()
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback

    async def _stop_jobs(self) -> None:
        running = [t for t in self.running if not t.done()]
        if not running:
            return
        log.info("daemon: waiting for %s", count(len(running), "running source"))
        _, late = await asyncio.wait(running, timeout=STOP_JOBS_TIMEOUT)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1.0)

    def health(self) -> tuple[bool, str]:
        """For /healthz: the scheduler runs and publishing keeps up (starting is healthy:
        the feeds answer 503 until the first publish, /healthz does not)."""
        if self.stopping.is_set() or not self.scheduler.running:
            return False, "the scheduler is not running"
        pub = self.publisher
        if pub.error:
            return False, f"the last publish failed: {pub.error}"
        now = time.monotonic()
        limit = self.delay * MAX_WAIT_DELAYS + STALE_AFTER
        if pub.pending_since is not None and now - pub.pending_since > limit:
            return False, f"changes unpublished for {now - pub.pending_since:.0f}s"
        jobs = sum(1 for j in self.scheduler.get_jobs() if j.id.startswith(_job_id("")))
        scheduled = f"{count(jobs, 'source')} scheduled"
        if pub.first is not None:
            waiting = count(len(pub.first.waiting), "source")
            return True, f"{scheduled}, starting: first publish after {waiting} have run"
        ago = f"{now - pub.last_publish:.0f}s ago" if pub.last_publish else "never"
        return True, f"{scheduled}, last publish {ago}"

    # -- sources -----------------------------------------------------------------------------

    def first_run(self, source: Source) -> datetime:
        """Now, unless the source is in backoff (or asked to wait) from an earlier run."""
        state = self.store.source_state(source.name, configured_url=source.url)
        now = utcnow()
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
        now = utcnow()
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
            if not self.stopping.is_set():
                self.publisher.ran(name)

    def after_run(self, source: Source, report: IngestReport) -> None:
        self.metrics.ingested(report)
        if report.changed_ids:
            self.publisher.changed(report.changed_ids)
        state = self.store.source_state(source.name, configured_url=source.url)
        job = self.scheduler.get_job(_job_id(source.name))
        if job is not None and state.next_due is not None:
            if job.next_run_time is None or state.next_due > job.next_run_time:
                job.modify(next_run_time=state.next_due)  # backoff, Retry-After, server hints
        self.health_state, event = observe_run(
            self.health_state, self.store, source, report, utcnow()
        )
        write_status(self.config, self.health_state, render=event is not None)

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
        self.config = self.publisher.config = new
        self.reschedule(old, new)
        self.retopic(old, new)
        log.info("config: reloaded %s (%s, %s)", new.file, count(len(new.sources), "source"),
                 count(len(new.topics), "topic"))  # fmt: skip

    def reschedule(self, old: Config, new: Config) -> None:
        before = {s.name: s for s in old.sources if s.enabled}
        after = {s.name: s for s in new.sources if s.enabled}
        for name in before.keys() - after.keys():
            with contextlib.suppress(LookupError):
                self.scheduler.remove_job(_job_id(name))
            self.metrics.forget_source(name)
            self.publisher.ran(name)  # the first publish does not wait for it
            log.info("source %s: removed from the schedule", name)
        self.health_state = hl.forget(self.health_state, list(before.keys() - after.keys()))
        for name, source in after.items():
            if before.get(name) != source:
                self.add_job(source, first=utcnow())
                what = "added" if name not in before else "changed"
                log.info("source %s: %s, every %s", name, what, _human(source.interval))

    def retopic(self, old: Config, new: Config) -> None:
        before = {t.slug: t for t in old.topics}
        gone = before.keys() - {t.slug for t in new.topics}
        for slug in gone:
            self.publisher.forget_topic(slug)
            self.metrics.forget_topic(slug)
            log.info("topic %s: removed from the config (its file stays in public/)", slug)
        fresh = frozenset(t.slug for t in new.topics if before.get(t.slug) != t)
        for slug in sorted(fresh):
            log.info("topic %s: %s", slug, "changed" if slug in before else "added")
        self.publisher.republish(everything=new.settings != old.settings, fresh=fresh,
                                 gone=bool(gone))  # fmt: skip
        write_status(new, self.health_state)


def _human(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
