"""``feeds run``'s lifecycle: start, signals (SIGTERM/SIGINT stop, SIGHUP reload), lock, stop.

One asyncio loop runs it all, so the one SQLite connection is only ever used from one thread:

- a timer per enabled source, at its slots (``feeds.run.jobs``, ``feeds.run.slots``,
  ``feeds.decide.timing``): spread over its interval by a stable hash of its name, the next
  run planned from the slot, not from when the last one ended; a source never fetched runs
  at once (the first round), a source in backoff when its backoff ends. After each run
  the next one moves to a later slot when ``feeds.decide.sources`` (backoff, Retry-After,
  server hints) says later. An article folder is polled by its own timer: a new file is
  picked up within one interval; an ``AsyncIOScheduler`` checks hourly whether store
  maintenance is due;
- a debounced publish: ``FEEDS_PUBLISH_DELAY`` seconds (default 2) after the last change,
  and at most five delays after the first, only the topics whose feed the changes touch;
  on a new store, the first publish waits for the first round (``feeds.run.debounce``, which
  schedules what ``feeds.decide.timing`` and ``feeds.decide.firstround`` decide);
- the health feed ``public/_status.atom`` (``feeds.run.watch``);
- alerts after each publish and every half minute (``feeds.run.alerts``);
- uvicorn serving ``feeds.run.serve.make_app`` (its own signal handling switched off), and on
  ``--admin-port`` a second server with only ``/healthz`` and ``/metrics``;
- signals: SIGTERM/SIGINT stop (running sources get a few seconds, pending changes are
  published, exit 0 well within 10 s); SIGHUP re-reads the config and adds, removes or
  reschedules jobs; a bad config is refused and the running one kept.

The data folder lock (``feeds.run.lock``) is held for the whole run. This module wires the
parts together; it must not fetch, parse, query or render by itself (the ingest flow, jobs,
debounce, watch and serve modules do), nor write anything under public/ except through them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.applications import Starlette

from feeds.clock import utcnow
from feeds.config.loader import load_config
from feeds.decide.timing import MAX_PUBLISH_GAP, MAX_WAIT_DELAYS
from feeds.errors import ConfigError, StoreError
from feeds.ingest.flow import fetch_settings
from feeds.models import Config
from feeds.publish.gone import GonePages
from feeds.run.alerts import Alerts
from feeds.run.cluster import Claims, Node, heartbeat_every
from feeds.run.debounce import Publisher
from feeds.run.jobs import Maintenance, Schedule, SourceRuns
from feeds.run.listen import address, bind, port_elsewhere
from feeds.run.lock import DataLock
from feeds.run.metrics import Metrics
from feeds.run.search_page import SearchPage
from feeds.run.serve import Serving, make_admin_app, make_app
from feeds.run.watch import HealthWatch
from feeds.sources.http import Fetcher
from feeds.store import node_name, open_store
from feeds.store.leasing import leases_of
from feeds.store.protocols import StoreType
from feeds.words import count

log = logging.getLogger("feeds.daemon")

DELAY_ENV = "FEEDS_PUBLISH_DELAY"
DEFAULT_PUBLISH_DELAY = 2.0
#: /healthz says 503 when a change has waited this long (beyond the debounce) unpublished.
STALE_AFTER = 60.0
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
        with open_store(config.settings) as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                daemon = Daemon(config_path, config, store, fetcher, publish_delay())
                return await daemon.run(sock, admin_sock)
    finally:
        for s in socks:
            s.close()


class Daemon:
    """The running state of ``feeds run``, and its lifecycle; every method runs in the event
    loop's thread."""

    def __init__(
        self, config_path: Path, config: Config, store: StoreType, fetcher: Fetcher, delay: float,
        *, first_wait: float | None = None,
    ) -> None:  # fmt: skip
        self.config_path, self.config, self.delay = config_path, config, delay
        self.metrics = Metrics()
        self.stopping = asyncio.Event()
        self.publisher = Publisher(config, store, self.metrics, delay)
        #: How long the first publish on a new store waits for the first round: by default
        #: as long as one fetch may take.
        self.first_wait = fetch_settings(config).total_timeout if first_wait is None else first_wait
        self.watch = HealthWatch(config)
        self.schedule = Schedule()
        self.node, claims = self._cluster(config, store)
        self.runs = SourceRuns(
            config, store, fetcher, schedule=self.schedule, publisher=self.publisher,
            metrics=self.metrics, watch=self.watch, stopping=self.stopping, claims=claims,
        )  # fmt: skip
        self.maintenance = Maintenance(store, self.stopping)
        opener = store.opener()
        if opener is None:  # the alert rounds run in a thread, with a connection of their own
            raise StoreError("the daemon needs a store that another connection can open")
        node = self.node  # on several nodes only the leader sends alerts (#17, #18)
        leader = (lambda: node.leading) if node is not None else (lambda: True)
        self.alerts = Alerts(config, opener, self.metrics, self.watch, leader=leader)
        self.publisher.on_published = self.alerts.published

    def _cluster(self, config: Config, store: StoreType) -> tuple[Node | None, Claims]:
        """This node of several on a shared store (feeds.run.cluster), or the only one."""
        leases, name, fetching = leases_of(store), node_name(), fetch_settings(config)
        claims = Claims(
            leases, name, fetch_timeout=fetching.total_timeout, host_limit=fetching.per_host,
            retry=lambda source, at: self.schedule.once(source, self.runs.run, at),
            counted=self.metrics.claimed,
        )  # fmt: skip
        if leases is None:
            return None, claims
        node = Node(leases, name, mark=store.mark, republish=self._republish,
                    leads=self.metrics.leads)  # fmt: skip
        self.publisher.pings = lambda: node.leading  # what happens once: the leader's
        return node, claims

    def _republish(self) -> None:
        self.publisher.republish(everything=True, fresh=frozenset(), gone=False)

    @property
    def scheduler(self) -> AsyncIOScheduler:
        return self.schedule.scheduler

    async def maintain(self) -> None:
        """StoreType maintenance when due (``feeds.run.jobs.Maintenance``)."""
        await self.maintenance.run()

    async def run(self, sock: socket.socket | None, admin: socket.socket | None = None) -> int:
        self.start()
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

    def start(self) -> None:
        """The status feed, the first publish (or its gate), and every job scheduled."""
        self.watch.write(self.config)
        enabled = [s for s in self.config.sources if s.enabled]
        firsts = {s.name: self.runs.first_run(s) for s in enabled}
        # The first round: the sources that run at once (not those in backoff). A publish
        # that fails now raises before anything is started.
        now = utcnow()
        self.publisher.begin([name for name, at in firsts.items() if at <= now], self.first_wait)
        self.scheduler.start()
        if self.node is not None:
            self.scheduler.add_job(
                self.node.beat, "interval", seconds=heartbeat_every(), id="heartbeat",
                name="node heartbeat", next_run_time=now,
            )  # fmt: skip
        for source in enabled:
            self.schedule.add(source, self.runs.run, first=firsts[source.name])
        self.schedule.add_maintenance(self.maintain)
        self.alerts.schedule(self.scheduler)  # the first publish opens them

    def start_servers(
        self, sock: socket.socket | None, admin: socket.socket | None
    ) -> list[Serving]:
        apps: list[tuple[Starlette, socket.socket]] = []
        if sock is not None:
            public, gone = self.config.settings.public_dir, GonePages(self.config.settings.data_dir)
            search = SearchPage(lambda: self.config)  # the search page, its box on pages
            app = make_app(public, self.health, self.metrics.render, self.publisher.wait, gone,
                           routes=search.routes(), pages=search.box)  # fmt: skip
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
            self.runs.interrupt()
            return
        log.info("daemon: %s received, stopping", name)
        self.stopping.set()

    async def shutdown(self, servers: list[Serving]) -> None:
        """Stop within 10 s: sources get STOP_JOBS_TIMEOUT, the servers STOP_SERVER_TIMEOUT,
        all at once; then what is pending is published."""
        self.schedule.pause()
        await asyncio.sleep(0)  # a job submitted just before the pause registers itself
        stopping = [
            self.runs.finish(STOP_JOBS_TIMEOUT),
            *(s.stop(STOP_SERVER_TIMEOUT) for s in servers),
        ]
        await asyncio.gather(*stopping)
        if self.node is not None:
            self.node.leave()
        self.publisher.flush()
        await self.alerts.finish(STOP_JOBS_TIMEOUT)
        self.watch.flush(self.config)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback

    def health(self) -> tuple[bool, str]:
        """For /healthz: the scheduler runs and publishing keeps up (starting is healthy:
        the feeds answer 503 until the first publish, /healthz does not)."""
        if self.stopping.is_set() or not self.scheduler.running:
            return False, "the scheduler is not running"
        pub = self.publisher
        if pub.error:
            return False, f"the last publish failed: {pub.error}"
        now = time.monotonic()
        limit = self.delay * MAX_WAIT_DELAYS + MAX_PUBLISH_GAP + STALE_AFTER
        if pub.pending_since is not None and now - pub.pending_since > limit:
            return False, f"changes unpublished for {now - pub.pending_since:.0f}s"
        scheduled = f"{count(self.schedule.sources(), 'source')} scheduled"
        if pub.first is not None:
            waiting = count(len(pub.first.waiting), "source")
            return True, f"{scheduled}, starting: first publish after {waiting} have run"
        ago = f"{now - pub.last_publish:.0f}s ago" if pub.last_publish else "never"
        return True, f"{scheduled}, last publish {ago}"

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
        self.config = self.publisher.config = self.runs.config = new
        self.alerts.reconfigure(new)
        self.reschedule(old, new)
        self.retopic(old, new)
        log.info("config: reloaded %s (%s, %s)", new.file, count(len(new.sources), "source"),
                 count(len(new.topics), "topic"))  # fmt: skip

    def reschedule(self, old: Config, new: Config) -> None:
        before = {s.name: s for s in old.sources if s.enabled}
        after = {s.name: s for s in new.sources if s.enabled}
        for name in before.keys() - after.keys():
            self.schedule.remove(name)
            self.metrics.forget_source(name)
            self.publisher.ran(name)  # the first publish does not wait for it
            log.info("source %s: removed from the schedule", name)
        self.watch.forget(before.keys() - after.keys())
        for name, source in after.items():
            if before.get(name) != source:
                self.schedule.add(source, self.runs.run, first=self.runs.first_run(source))
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
        self.watch.write(new)


def _human(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
