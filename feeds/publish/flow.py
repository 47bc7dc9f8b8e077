"""Publish the topics: read each topic's entries from the store and write public/.

For each topic: ``<slug>.atom`` (the newest ``feed_size`` stories, one story once, and what
arrived within ``feed_window``), its RSS 2.0 and JSON Feed siblings when switched on, and its
complete RFC 5005 archive pages (``feeds.publish.topic``); then the article pages,
``index.html``, ``feeds.opml`` and the browser stylesheet ``feed.xsl``
(``feeds.publish.site``); then the WebSub hubs are pinged about the feeds that changed
(``feeds.publish.websub``). This module is wiring and decides nothing: whether a topic is
rendered again and whether topics are shared with worker processes is
``feeds.decide.publish``'s to say, what a topic holds ``feeds.topics.query``'s and
``feeds.publish.window``'s. Unchanged files are not rewritten, so their bytes, mtimes and
ETags stay put, and a frozen archive page is never written again.

Must not import sources, ingest, run or cli (its worker processes come from feeds.pool).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from feeds.agent import user_agent
from feeds.clock import utcnow
from feeds.decide.publish import Due, Sharing, longest_first, share, workers_to_start
from feeds.models import Config, Entry, Topic
from feeds.normalize.grouping import Story
from feeds.pool import configured_workers, forkserver_up, process_pool
from feeds.publish.atom import render_atom
from feeds.publish.current import archived_upto, candidates, current_stories, kept
from feeds.publish.files import make_folder, remove_stale_temps
from feeds.publish.key import context
from feeds.publish.site import publish_index, publish_pages, publish_static, unpublish_removed
from feeds.publish.topic import (
    Check,
    Publishing,
    PublishReport,
    Renderer,
    check_topic,
    publish_topic,
)
from feeds.publish.websub import notify
from feeds.store.protocols import StoreType
from feeds.topics.selection import topic_selection

__all__ = ["PublishReport", "Workers", "regenerate", "topic_entries", "topic_stories"]

log = logging.getLogger("feeds")

#: What a publish worker runs, loaded in the forkserver when publishing starts it (an ingest
#: that started it first preloaded its own: the workers then import the rest once each).
PRELOAD = ("feeds.publish.flow",)
#: Makes a pool of that many worker processes (``feeds.pool.process_pool``).
PoolFactory = Callable[[int], AbstractContextManager[Executor]]


@dataclass(frozen=True, slots=True)
class Workers:
    """Where the topics due are rendered besides this process, and when; tests pass their
    own (a pool that breaks, thresholds for a small store)."""

    #: How many worker processes may start (``$FEEDS_PARSE_WORKERS``, else one per core).
    count: Callable[[], int] = configured_workers
    pool: PoolFactory = field(default=lambda workers: process_pool(workers, preload=PRELOAD))
    #: Whether workers start quickly (this process started its forkserver).
    fast_start: Callable[[], bool] = forkserver_up
    sharing: Sharing = field(default_factory=Sharing)


def regenerate(
    config: Config,
    store: StoreType,
    *,
    slugs: Sequence[str] | None = None,
    now: datetime | None = None,
    workers: Workers | None = None,
    render: Renderer = render_atom,
    ping: bool = True,
) -> list[PublishReport]:
    """Write every topic's feeds (or only those named: ``()`` is none), pages, index, OPML.
    ``workers`` and ``render`` (what renders each ``<slug>.atom`` here) are seams; ``ping``
    False leaves the WebSub hubs to another node (the leader of several)."""
    settings = config.settings
    make_folder(settings.public_dir)  # a PublishError, not a traceback
    for leftover in remove_stale_temps(settings.public_dir):  # a killed run's temp files
        log.info("removed %s, left by an interrupted publish", leftover.name)
    sources = {s.name: s for s in config.sources}
    run = Publishing(config, store, sources, now or utcnow(), context(config), render)
    publish_static(settings.public_dir)
    topics = [t for t in config.topics if slugs is None or t.slug in slugs]
    reports = _publish_topics(run, topics, workers or Workers())
    if slugs is None:
        unpublish_removed(config, store)
    publish_pages(config, store)
    publish_index(config, store)
    if settings.websub_hubs and ping:
        changed = [url for r in reports for url in r.changed]
        agent = user_agent(settings.base_url)
        notify(store, settings.websub_hubs, changed, user_agent=agent)
    return reports


# -- one story once -------------------------------------------------------------------------


def topic_stories(config: Config, store: StoreType, topic: Topic) -> list[Story]:
    """The stories a topic's feed shows (newest first; see ``feeds.publish.current``)."""
    settings = config.settings
    selection = topic_selection(topic)
    rows = store.search_rows(selection, limit=candidates(settings))
    upto = archived_upto(settings, store, topic, selection)
    return current_stories(settings, store, rows, kept(settings, store, selection, upto=upto))[0]


def topic_entries(config: Config, store: StoreType, topic: Topic) -> list[Entry]:
    """The entries a topic's feed shows (one per story), newest first."""
    return [s.entry for s in topic_stories(config, store, topic)]


# -- topics, on every core ---------------------------------------------------------------------


def _publish_topics(
    run: Publishing, topics: Sequence[Topic], workers: Workers
) -> list[PublishReport]:
    """Publish each topic whose files are not made from what the store holds now; a first
    publish of many topics over a large store, or many topics once worker processes start
    quickly (a republish after a busy ingest), on every core (worker processes, and this
    one).

    Topics are independent: a worker opens the store itself (SQLite in WAL mode lets them
    read at once; their few writes take turns) and writes the topic's files atomically,
    exactly as ``publish_topic`` does here. Starting workers costs a noticeable part of a
    second: worth it only when whole histories are to be rendered.
    """
    reports: dict[str, PublishReport] = {}
    due: list[tuple[Topic, Check]] = []
    for topic in topics:
        check = check_topic(run, topic)
        if check.due:
            due.append((topic, check))
        else:  # remembers the mark its state holds for
            reports[topic.slug] = publish_topic(run, topic, check)
    opener = run.store.opener()
    count = workers_to_start(workers.count(), len(due), in_memory=opener is None)

    def matches() -> dict[str, int]:  # the entries of each one's archives
        return {t.slug: run.store.count(c.selection) for t, c in due}

    facts = [Due(t.slug, c.record is None) for t, c in due]
    sizes = share(
        facts, count, matches=matches, fast_start=workers.fast_start, sharing=workers.sharing
    )
    if sizes is not None and opener is not None:
        shared = _publish_shared(run, opener, due, workers.pool(count), count, sizes)
        reports.update(shared)
    else:
        reports.update((t.slug, publish_topic(run, t, check)) for t, check in due)
    return [reports[t.slug] for t in topics]


def _publish_shared(
    run: Publishing,
    opener: Callable[[], StoreType],
    due: Sequence[tuple[Topic, Check]],
    pool: AbstractContextManager[Executor],
    workers: int,
    sizes: Mapping[str, int],
) -> dict[str, PublishReport]:
    """``publish_topic`` of each topic, in the ``workers`` worker processes of ``pool`` and
    in this one, the longest first (``sizes``: each topic's matches, its archive pages), so
    that the last to finish are short ones. A worker is sent its next topic as soon as it
    is done with one (from the pool's thread), never a queue of them: at the end no process
    waits on topics queued for another."""
    by_slug = {d[0].slug: d for d in due}
    waiting = [by_slug[slug] for slug in longest_first(by_slug, sizes)]
    with pool as executor:
        sender = _Sender(run, opener, executor, waiting)
        for _ in range(workers):
            sender.send()
        reports = sender.publish_the_rest()
    for future, topic in sender.sent:
        reports[topic.slug] = future.result()
    return reports


class _Sender:
    """The topics waiting, sent one at a time to a free worker or published here."""

    __slots__ = ("executor", "lock", "opener", "run", "sent", "waiting")

    def __init__(
        self,
        run: Publishing,
        opener: Callable[[], StoreType],
        executor: Executor,
        waiting: list[tuple[Topic, Check]],
    ) -> None:
        self.run, self.opener, self.executor, self.waiting = run, opener, executor, waiting
        self.lock = threading.Lock()
        self.sent: list[tuple[Future[PublishReport], Topic]] = []

    def send(self, _: object = None) -> None:
        """A worker is free: its next topic."""
        run = self.run
        with self.lock:
            if not self.waiting:
                return
            item = self.waiting.pop(0)
            try:
                args = (run.config, self.opener, item[0], run.now)
                future = self.executor.submit(_publish_in_worker, *args)
            except RuntimeError:  # the pool is broken: this process renders it
                self.waiting.insert(0, item)
                return
            self.sent.append((future, item[0]))
        future.add_done_callback(self.send)

    def publish_the_rest(self) -> dict[str, PublishReport]:
        """Publish here each topic no worker took, until none waits and every worker is
        done; the reports of those published here."""
        reports: dict[str, PublishReport] = {}
        while True:
            with self.lock:
                item = self.waiting.pop(0) if self.waiting else None
                futures = [f for f, _ in self.sent]
            if item is not None:
                reports[item[0].slug] = publish_topic(self.run, item[0], item[1])
                continue
            wait(futures)  # a callback may send one more meanwhile, or give one back
            with self.lock:
                if len(self.sent) == len(futures) and not self.waiting:
                    return reports


def _publish_in_worker(
    config: Config, opener: Callable[[], StoreType], topic: Topic, now: datetime
) -> PublishReport:
    """``publish_topic`` in a worker process, with its own connection to the store."""
    with opener() as store:
        sources = {s.name: s for s in config.sources}
        return publish_topic(Publishing(config, store, sources, now, context(config)), topic)
