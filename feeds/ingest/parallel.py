"""Parse and normalize fetched bodies in worker processes, so that ingest uses every core.

feedparser and normalize are pure CPU work on one body at a time (bytes in, Entries out), the
rest of ingest is I/O and SQLite: handing the bodies to a small process pool lets a cold pass
run on all cores while the event loop keeps fetching and the store keeps writing. The main
process is one of the cores: there is a worker for each of the others, and when every worker
has QUEUED bodies waiting, the main process parses the next one itself (one process fewer
in memory than a worker per core, and no pickling of what it parses). The pool is started
lazily, on the first body to parse, so a pass where every feed answers 304 costs nothing
here; it uses ``forkserver`` (a fork of a process with threads, such as a running daemon,
could inherit a held lock) with feeds' modules and the configured languages' lingua models
loaded before forking (feeds.ingest.warm), so that the workers share one copy of them.

The result is the same as calling ``parse_feed`` then ``normalize`` in the caller: both are
pure functions of their arguments (``now`` is passed in). This module decides nothing about
feeds; it must not touch the store, the network or the config. The processes come from
feeds.pool, which feeds.publish.flow renders many topics in too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from feeds.models import Entry, ParsedFeed, RawItem, Source
from feeds.normalize.claims import split_shared_links, with_former_id
from feeds.normalize.entry import normalize_with_text
from feeds.normalize.feedwide import distinct_updated, inherit_authors
from feeds.parse import parse_feed
from feeds.pool import configured_workers, default_workers, process_pool

#: Normalized entries and their plain texts (``feeds.text.body_text``), in item order.
Normalized = tuple[tuple[Entry, ...], tuple[str, ...]]

__all__ = [
    "PRELOAD",
    "MIN_SOURCES",
    "NormalizeArgs",
    "Normalized",
    "NormalizedFeed",
    "ParsePool",
    "normalize_items",
    "parse_and_normalize",
]

log = logging.getLogger("feeds")
T = TypeVar("T")

#: Below this many sources in a run, parsing stays in-process: starting workers costs more.
MIN_SOURCES = 16
#: "0" (or false, no, off) turns the parser's fast path off (the benchmark's reference).
FAST_PARSE_ENV = "FEEDS_FAST_PARSE"
#: How ParsePool tells feeds.ingest.warm, in the forkserver, which languages to load.
ENV_WARM = "_FEEDS_WARM_LANGUAGES"
#: Imported once in the forkserver, so that a worker starts with them: what a worker runs
#: and what a main module run with ``-m`` imports (the worker imports it again; a script's
#: main the forkserver imports itself), so that a pool's worker starts quickly. The default
#: names only modules at or below ingest; a caller above (cli, run) passes its own list,
#: which adds the flows its workers run (``preload``).
PRELOAD = ("feeds.ingest.parallel", "feeds.ingest.warm")
#: Sources between fetch and parsed at once: enough to keep the fetcher's 20 connections
#: and every worker busy, few enough that pending bodies stay a few MB.
MIN_SLOTS, SLOTS_PER_WORKER = 20, 8
#: Bodies sent to each worker before the main process parses the next one itself: enough
#: of a worker's work that it never runs dry while the main process stores a batch or
#: parses a body (the bench's cold ingest is faster with 16 than with 4). Past the slots
#: (more workers), the main process only fetches and stores.
QUEUED = 16


@dataclass(frozen=True, slots=True)
class NormalizedFeed:
    """What ingest stores of a read source, however it was parsed: the feed (without its
    items when a worker parsed it: they are not sent back), its entries and the plain text of
    each (``feeds.text.body_text``, for the store's FTS index), in item order."""

    feed: ParsedFeed
    entries: tuple[Entry, ...] = ()
    texts: tuple[str, ...] = ()

    @classmethod
    def of(cls, parsed: ParsedFeed, normalized: Normalized) -> NormalizedFeed:
        entries, texts = normalized
        return cls(parsed, entries, texts)


@dataclass(frozen=True, slots=True)
class NormalizeArgs:
    """What ``normalize`` needs besides the item (see feeds.normalize.entry.normalize)."""

    source: Source
    now: datetime
    id_authority: str
    languages: tuple[str, ...]
    site_base: str
    #: Try the parser's fast path first (``fast_parse_enabled``).
    fast: bool = True


def fast_parse_enabled() -> bool:
    """False when ``$FEEDS_FAST_PARSE`` is 0, false, no or off."""
    setting = os.environ.get(FAST_PARSE_ENV, "").strip().lower()
    return setting not in ("0", "false", "no", "off")


def normalize_items(
    items: Iterable[RawItem], args: NormalizeArgs, feed_authors: tuple[str, ...] = ()
) -> Normalized:
    """``normalize_with_text`` of each item: the entries, and their texts. What the feed as a
    whole settles (its authors, distinct instants in its order) is feeds.normalize.feedwide's."""
    items = tuple(items)
    pairs = [
        normalize_with_text(
            inherit_authors(item, feed_authors),
            source=args.source,
            now=args.now,
            id_authority=args.id_authority,
            languages=args.languages,
            site_base=args.site_base,
        )
        for item in items
    ]
    source, authority = args.source, args.id_authority
    entries = [
        with_former_id(e, i, source, authority) for (e, _), i in zip(pairs, items, strict=True)
    ]
    entries = distinct_updated(split_shared_links(entries, items, source, authority))
    return tuple(entries), tuple(t for _, t in pairs)


def parse_and_normalize(
    body: bytes, url: str | None, content_type: str | None, args: NormalizeArgs
) -> tuple[ParsedFeed, Normalized]:
    """``parse_feed`` then ``normalize`` each item; the feed comes back without its items."""
    parsed = parse_feed(body, url=url, content_type=content_type, fast=args.fast)
    return replace(parsed, items=()), normalize_items(parsed.items, args, parsed.authors)


class ParsePool:
    """A lazily started process pool for ``parse_and_normalize``, in which the calling
    process takes a share; ``close()`` when done.

    The workers start in a thread at the first body (``start``): starting the forkserver
    takes a few tenths of a second (it imports feeds and loads the language models), which
    the event loop would otherwise spend blocked in the first submit. Until they are up,
    this process parses every body itself."""

    def __init__(self, workers: int | None = None, languages: tuple[str, ...] = ()) -> None:
        self.workers = workers or default_workers()
        self.languages = languages
        #: Bodies parsed in this process (the others went to a worker).
        self.here = 0
        self._queued = 0
        self._executor: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(max(MIN_SLOTS, SLOTS_PER_WORKER * self.workers))
        self._booting: threading.Thread | None = None
        self._up = threading.Event()

    def slot(self) -> asyncio.Semaphore:
        """Hold one while fetching a body and parsing it: bodies fetched faster than the
        workers parse them wait *before* being fetched, not in memory (``async with``)."""
        return self._slots

    @classmethod
    def for_run(cls, sources: int, languages: tuple[str, ...] = ()) -> ParsePool | None:
        """A pool for a run of ``sources`` sources, or None when in-process is better;
        ``languages``: those normalize detects (their models are loaded once, shared)."""
        workers = configured_workers()
        if workers < 1 or sources < MIN_SOURCES:
            return None
        return cls(workers, languages)

    def start(self) -> None:
        """Start the workers, in a thread (``started`` tells when they are up)."""
        if self._booting is None:
            self._booting = threading.Thread(target=self._boot, name="feeds-pool-start")
            self._booting.start()

    def started(self, timeout: float | None = None) -> bool:
        """Wait until the workers are up (or could not start); whether they are."""
        return self._up.wait(timeout)

    def _boot(self) -> None:
        try:
            executor = process_pool(
                self.workers,
                preload=PRELOAD,
                environment={ENV_WARM: ",".join(self.languages)},
            )
            self._executor = executor
            executor.submit(int).result()  # a worker is up
        except Exception as e:  # parsing goes on in this process
            log.warning("parse workers did not start (%s): parsing in this process", e)
        finally:
            self._up.set()

    async def parse(
        self, body: bytes, url: str | None, content_type: str | None, args: NormalizeArgs
    ) -> tuple[ParsedFeed, Normalized]:
        """``parse_and_normalize`` in a worker, or here when every worker has QUEUED bodies
        waiting already (this process is one more core: while it parses one, the workers
        keep busy on theirs). ParseError is raised here either way."""
        self.start()
        executor = self._executor
        if not self._up.is_set() or executor is None or self._queued >= QUEUED * self.workers:
            self.here += 1
            return parse_and_normalize(body, url, content_type, args)
        loop = asyncio.get_running_loop()
        self._queued += 1
        try:
            return await loop.run_in_executor(
                executor, parse_and_normalize, body, url, content_type, args
            )
        finally:
            self._queued -= 1

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` (pure CPU, picklable: e.g. extracting an article page's text) in
        a worker, or here, as ``parse`` does."""
        self.start()
        executor = self._executor
        if not self._up.is_set() or executor is None or self._queued >= QUEUED * self.workers:
            self.here += 1
            return work(*args)
        self._queued += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, work, *args)
        finally:
            self._queued -= 1

    def close(self) -> None:
        if self._booting is not None:
            self._booting.join()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
