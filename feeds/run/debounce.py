"""When and what the daemon publishes: debounced republishing, and a gated first publish.

- A debounced publish: ``delay`` seconds after the last change, and at most
  ``MAX_WAIT_DELAYS`` delays after the first, only the topics whose feed the changes touch;
  a failed publish is retried after ``RETRY_PUBLISH`` seconds. When is the pure trigger
  ``feeds.decide.timing.Debounce``'s call; this module schedules what it says.
- The first publish: at start on a store that holds entries, at once (a restart is
  invisible to readers). On a new store, after the first round of sources has had its
  chance (``feeds.decide.firstround``); until then ``wait()`` tells the server to answer 503 with
  ``Retry-After``, so no reader ever stores an empty feed.

Every method runs in the event loop's thread (``wait`` may also be read from the server's
threads: it reads one attribute). ``feeds.decide`` decides when; ``feeds.publish.flow``
writes. Must not fetch, parse or serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from feeds.decide.firstround import FirstRound
from feeds.decide.timing import RETRY_PUBLISH, Debounce, sweep_due
from feeds.errors import FeedsError
from feeds.models import Config
from feeds.publish.flow import regenerate, topic_entries
from feeds.run.metrics import Metrics
from feeds.store.protocols import StoreType
from feeds.topics.selection import topic_selection
from feeds.words import count

log = logging.getLogger("feeds.daemon")


class Publisher:
    """The daemon's publishing state (see the module docstring)."""

    def __init__(self, config: Config, store: StoreType, metrics: Metrics, delay: float) -> None:
        self.config, self.store, self.metrics, self.delay = config, store, metrics, delay
        self.pending: set[str] = set()
        self.trigger = Debounce(delay)
        self.timer: asyncio.TimerHandle | None = None
        #: Entry ids each topic's feed showed when last published (bounded: feed_max ids
        #: per configured topic).
        self.shown: dict[str, frozenset[str]] = {}
        #: When every topic was last compared with what it showed (``sweep``), and the
        #: CPU seconds the last publish took (the debounce spaces publishes by it).
        self.swept: float | None = None
        self.cost = 0.0
        self.last_publish: float | None = None
        self.error: str | None = None
        #: The first round being waited for; None once something is published.
        self.first: FirstRound | None = None
        self.first_timer: asyncio.TimerHandle | None = None
        #: Called after each publish that succeeded (the daemon's alerts, #18).
        self.on_published: Callable[[], None] = lambda: None
        #: Whether this node pings WebSub hubs (on several nodes, only the leader does).
        self.pings: Callable[[], bool] = lambda: True

    # -- the first publish ---------------------------------------------------------------------

    def begin(self, first_round: Iterable[str], bound: float) -> None:
        """At start: publish now, or, on a new store, once the sources ``first_round`` names
        have run (``bound`` seconds at most). A failed publish now raises FeedsError."""
        names = frozenset(first_round)
        if self.store.entry_count() > 0 or not names:
            self.publish(None)
            return
        loop = asyncio.get_running_loop()
        self.first = FirstRound.start(names, now=loop.time(), bound=bound)
        self.first_timer = loop.call_at(self.first.deadline, self.first_publish)
        log.info("daemon: a new store: the first publish waits for the first round of %s "
                 "(%.0f s at most)", count(len(names), "source"), bound)  # fmt: skip

    def ran(self, name: str) -> None:
        """Source ``name`` ran (or left the schedule): the first round may be complete."""
        if self.first is None or name not in self.first.waiting:
            return
        self.first = self.first.ran(name)
        if self.first.complete:
            self.first_publish()

    def first_publish(self) -> None:
        """Publish every topic and open the doors: the first round is done or out of time."""
        first = self.first
        if first is None:
            return
        if self.first_timer is not None:
            self.first_timer.cancel()
        late = sorted(first.waiting)
        if late:
            log.warning("daemon: first publish without waiting longer for %s (still running)",
                        ", ".join(late))  # fmt: skip
        else:
            log.info("daemon: the first round is done; first publish")
        try:
            self.publish(None)
        except FeedsError as e:
            log.error("publish: %s; retrying in %.0fs", e, RETRY_PUBLISH)
            loop = asyncio.get_running_loop()
            self.first = replace(first, deadline=loop.time() + RETRY_PUBLISH)
            self.first_timer = loop.call_later(RETRY_PUBLISH, self.first_publish)
            return
        self.first, self.first_timer = None, None
        self.pending = set()  # publish(None) showed them all
        self.trigger = self.trigger.published()  # a full publish: no measure of the next
        self.schedule()

    @property
    def pending_since(self) -> float | None:
        """Monotonic time of the first change not yet published; None when none waits."""
        return self.trigger.first

    def wait(self) -> int | None:
        """Seconds a client should wait before the first publish; None once published."""
        first = self.first
        return None if first is None else first.retry_after(time.monotonic())

    # -- republishing --------------------------------------------------------------------------

    def changed(self, ids: tuple[str, ...]) -> None:
        """Entries changed: publish after the debounce delay (pushed back by more changes)."""
        self.pending.update(ids)
        if self.first is not None:  # the first publish will show them
            return
        now = asyncio.get_running_loop().time()  # time.monotonic(), as in the daemon's health()
        self.trigger = self.trigger.changed(now)
        self.schedule()

    def schedule(self) -> None:
        """(Re)arm the timer at the time the trigger says, or disarm it."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        loop = asyncio.get_running_loop()
        at = self.trigger.next(loop.time())
        if at is not None:
            self.timer = loop.call_at(at, self.publish_pending)

    def publish_pending(self) -> None:
        self.timer = None
        changed, self.pending = self.pending, set()
        try:
            self.publish(changed)
        except FeedsError as e:
            self.pending |= changed
            self.retry_later(e)
            return
        self.trigger = self.trigger.published(asyncio.get_running_loop().time(), self.cost)

    def retry_later(self, error: FeedsError) -> None:
        log.error("publish: %s; retrying in %.0fs", error, RETRY_PUBLISH)
        self.trigger = self.trigger.failed(asyncio.get_running_loop().time())
        self.schedule()

    def republish(self, *, everything: bool, fresh: frozenset[str], gone: bool) -> None:
        """The config was reloaded: everything (settings changed), or the topics ``fresh``
        (added or changed) and the index (some ``gone``). Nothing before the first publish."""
        if self.first is not None:
            return
        try:
            if everything:
                self.publish(None)
            elif fresh or gone:
                self.publish(set(), also=fresh)
        except FeedsError as e:
            self.retry_later(e)  # publish(set()) then picks up the topics not yet shown

    def flush(self) -> None:
        """At shutdown: publish what is pending (stored entries, first round or not)."""
        for timer in (self.timer, self.first_timer):
            if timer is not None:
                timer.cancel()
        if self.first is not None:
            if self.pending:
                self.first_publish()
        elif self.pending:
            self.publish_pending()
        for timer in (self.timer, self.first_timer):  # a failed publish: no retry, we leave
            if timer is not None:
                timer.cancel()

    def publish(self, changed: set[str] | None, also: frozenset[str] = frozenset()) -> None:
        """Regenerate the topics ``changed`` entries touch (None: all), and those in ``also``.

        Which topics: those a changed entry matches or was shown in (``touched``), asked of
        the store within the changed entries' rowids, so a publish costs in proportion to
        what changed. Every ``SWEEP_EVERY`` seconds, every topic's feed is worked out and
        compared with what it showed (``sweep``), as a safety net."""
        started, cpu = time.perf_counter(), time.thread_time()
        config = self.config
        if changed is None or sweep_due(self.swept, time.monotonic()):
            touched, self.swept = self.sweep(changed, also), time.monotonic()
        else:
            touched = dict.fromkeys(self.touched(changed, also))
        try:
            reports = regenerate(config, self.store, slugs=list(touched), ping=self.pings())
        except FeedsError as e:
            self.error = str(e)
            raise
        for report in reports:
            shown = touched.get(report.topic) or report.ids
            if shown is not None:
                self.shown[report.topic] = shown
        for report in reports:
            path = config.settings.public_dir / f"{report.topic}.atom"
            with contextlib.suppress(OSError):
                self.metrics.feed(report.topic, size=path.stat().st_size, entries=report.entries)
        self.error, self.last_publish = None, time.monotonic()
        self.cost = time.thread_time() - cpu  # CPU: a busy machine does not stretch it
        self.metrics.published(time.perf_counter() - started, at=time.time())
        self.on_published()

    def sweep(
        self, changed: set[str] | None, also: frozenset[str]
    ) -> dict[str, frozenset[str] | None]:
        """Every topic whose feed would show other entries than it showed, or shows a
        changed one (``changed`` None: every topic), with the entries it shows."""
        config, touched = self.config, {}
        for topic in config.topics:
            ids = frozenset(e.id for e in topic_entries(config, self.store, topic))
            before = self.shown.get(topic.slug)
            if changed is None or topic.slug in also or before != ids or ids & changed:
                touched[topic.slug] = ids
        return touched  # type: ignore[return-value]

    def touched(self, changed: set[str], also: frozenset[str]) -> set[str]:
        """The topics whose feeds ``changed`` entries may change: those the entries match
        now (or, retracted, matched), those that showed one of them, and ``also``."""
        found = set(also) | {slug for slug, ids in self.shown.items() if ids & changed}
        selections = {t.slug: topic_selection(t) for t in self.config.topics if t.slug not in found}
        # A topic by meaning may gain or lose matches of entries that did not change (its
        # matches are recorded apart): it is always looked at (its state key still tells).
        found |= {slug for slug, s in selections.items() if s.about is not None}
        selections = {slug: s for slug, s in selections.items() if s.about is None}
        if changed and selections:
            found |= self.store.touched(selections, sorted(changed))
        return found

    def forget_topic(self, slug: str) -> None:
        self.shown.pop(slug, None)
