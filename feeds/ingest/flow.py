"""Run sources through fetch → parse → normalize → store (publishing: feeds.publish.flow).

This module calls the stages in order and records what happened; it decides nothing itself
(whether to skip a source, what its state becomes and when it is due is
``feeds.decide.sources``'s call; what a folder scan does to stored entries,
``feeds.decide.articles``'s; what an entry is, ``feeds.normalize.entry``'s; what a topic
holds, ``feeds.topics.query``'s). Reading files is ``feeds.sources``'s; article pages' text
(full text) is ``feeds.ingest.fulltext``'s. A failing source is
recorded on that source and never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

from feeds.clock import utcnow
from feeds.decide import sources as decide
from feeds.decide.articles import plan_folder
from feeds.decide.fulltext import ArticleText
from feeds.errors import SourceError
from feeds.ingest.batching import WriteBatch
from feeds.ingest.fulltext import with_full_text
from feeds.ingest.parallel import (
    NormalizeArgs,
    NormalizedFeed,
    ParsePool,
    fast_parse_enabled,
    normalize_items,
)
from feeds.models import Config, Entry, IngestReport, ParsedFeed, Source, SourceState
from feeds.normalize.claims import ids_to_ask, own_ids, shared_ids
from feeds.parse import parse_feed
from feeds.parse.articles import ArticleScan
from feeds.sources.articles import folder_digest, scan_articles
from feeds.sources.files import read_feed_file
from feeds.sources.http import Fetcher, FetchSettings, user_agent
from feeds.store.protocols import StoreType
from feeds.words import count

__all__ = ["fetch_settings", "id_authority", "ingest", "ingest_source", "utcnow"]

log = logging.getLogger("feeds")
T = TypeVar("T")


def id_authority(config: Config, store: StoreType) -> str:
    """The authority of ``tag:`` ids, fixed in the store on first use so ids never change."""
    default = config.settings.id_authority or urlsplit(config.settings.base_url).hostname
    return store.meta("id_authority", lambda: default or "localhost")


def fetch_settings(config: Config) -> FetchSettings:
    return FetchSettings(user_agent=user_agent(config.settings.base_url))


# -- ingest ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ingest:
    config: Config
    store: StoreType
    fetcher: Fetcher
    authority: str
    now: datetime
    force: bool
    #: Parses and normalizes bodies in worker processes (None: in this process).
    pool: ParsePool | None = None
    #: Where sources' writes go: committed several at once.
    writes: WriteBatch | None = None
    #: Try the parser's fast path first (``$FEEDS_FAST_PARSE``, read once per run).
    fast: bool = field(default_factory=fast_parse_enabled)
    #: A daemon's run: an unchanged fetch, and a failure like the last one, log at DEBUG.
    steady: bool = False


async def ingest(
    config: Config,
    store: StoreType,
    *,
    names: Sequence[str] = (),
    force: bool = False,
    now: datetime | None = None,
    fetcher: Fetcher | None = None,
    on_report: Callable[[IngestReport], None] | None = None,
    writes: WriteBatch | None = None,
    steady: bool = False,
) -> list[IngestReport]:
    """Ingest the enabled sources (or those named) once, concurrently.

    ``on_report`` is called with each source's report as soon as it is done (progress).
    ``writes``: a batch the caller keeps (the daemon: one for all its runs, so that runs
    that end close together share a commit); else one of this call's own. ``steady``: the
    daemon's runs, whose log says what changed (an unchanged fetch and a failure that
    repeats the last are DEBUG).
    """
    sources = [s for s in config.sources if (s.name in names if names else s.enabled)]
    now = now or utcnow()
    authority = id_authority(config, store)
    if fetcher is None:
        async with Fetcher(fetch_settings(config)) as own:
            return await ingest(
                config, store, names=names, force=force, now=now, fetcher=own,
                on_report=on_report, writes=writes, steady=steady,
            )  # fmt: skip
    pool = ParsePool.for_run(len(sources), config.settings.languages)
    mine = writes is None and len(sources) > 1  # one: nothing to wait for
    writes = WriteBatch(store) if mine else writes
    run = _Ingest(config, store, fetcher, authority, now, force, pool, writes, steady=steady)
    # Many sources: their commits do not wait on WAL checkpoints (a thread makes them).
    with store.checkpoints_elsewhere() if mine else nullcontext():
        try:
            return list(await asyncio.gather(*(_reported(run, s, on_report) for s in sources)))
        finally:
            if mine and writes is not None:
                writes.flush()  # what sources cancelled on the way left pending
            if pool is not None:
                pool.close()


async def _reported(
    run: _Ingest, source: Source, on_report: Callable[[IngestReport], None] | None
) -> IngestReport:
    report = await ingest_source(run, source)
    if on_report is not None:
        on_report(report)
    return report


async def ingest_source(run: _Ingest, source: Source) -> IngestReport:
    state = run.store.source_state(source.name, configured_url=source.url)
    if not run.force and (message := decide.skip_reason(state, run.now)):
        log.info("source %s: %s", source.name, message)
        return IngestReport(source.name, ok=True, message=message)
    try:
        read, state, max_age = await _read(run, source, state)
    except SourceError as e:
        failed = await _write(run, partial(_failed, run, source, state, e))
        # Once when it starts failing (or fails otherwise), not at every retry.
        news = not run.steady or decide.failure_is_news(state, e.message)
        level = logging.ERROR if news else logging.DEBUG
        log.log(level, "source %s: %s", source.name, e.message)
        return failed
    if state.failures:
        log.info("source %s: recovered after %s", source.name,
                 count(state.failures, "failed run"))  # fmt: skip
    read, tried = await _full_text(run, source, read)

    def store() -> IngestReport:
        run.store.save_article_texts(tried)
        report = IngestReport(source.name, ok=True)
        if read is not None and isinstance(read.feed, ArticleScan):
            report = _store_folder(run, source, read.feed, read.entries, read.texts)
        elif read is not None:
            report = _store(run, source, read.entries, read.texts)
        _succeeded(run, source, state, read.feed if read else None, max_age)
        return report

    report = await _write(run, store)
    return _told(source, report, read.feed if read else None, steady=run.steady)


async def _full_text(
    run: _Ingest, source: Source, read: NormalizedFeed | None
) -> tuple[NormalizedFeed | None, tuple[ArticleText, ...]]:
    """``read`` with its entries' article texts when the source wants them
    (feeds.ingest.fulltext), and the tries to save with the entries."""
    if read is None or source.full_text is False or isinstance(read.feed, ArticleScan):
        return read, ()
    full = await with_full_text(
        read, source, store=run.store, fetcher=run.fetcher, now=run.now, pool=run.pool
    )
    return full.read, full.tried


def _told(
    source: Source, report: IngestReport, parsed: ParsedFeed | None, *, steady: bool = False
) -> IngestReport:
    """``report`` with the source's problems, logged."""
    unread = set(parsed.failed) if isinstance(parsed, ArticleScan) else set()
    if parsed and parsed.problems:
        # A file that could not be read at all fails the source (exit 1, `feeds status`):
        # its article is missing from the feeds, which must not pass for success.
        report = replace(report, ok=not unread, message="; ".join(parsed.problems))
        for problem in parsed.problems:
            log.log(logging.ERROR if problem in unread else logging.WARNING,
                    "source %s: %s", source.name, problem)  # fmt: skip
    # A daemon's INFO says what changed; an unchanged fetch is DEBUG (it makes thousands).
    log.log(
        logging.INFO if report.new or report.changed or not steady else logging.DEBUG,
        "source %s: %d new, %d changed, %d unchanged",
        source.name, report.new, report.changed, report.unchanged,
    )  # fmt: skip
    return report


async def _read(
    run: _Ingest, source: Source, state: SourceState
) -> tuple[NormalizedFeed | None, SourceState, float | None]:
    """The source read and normalized (None when unchanged since last time), its new state,
    and the server's max-age."""
    if source.kind == "articles":
        assert source.path is not None
        # Same files, same sizes and times, same settings: nothing to read.
        settings = run.config.settings
        key = repr((source, settings.languages, settings.base_url, run.authority))
        digest = folder_digest(source.path, key)
        if decide.unchanged(digest, state):
            return None, state, None
        scan = scan_articles(source.path)
        state = decide.after_read(state, digest, unreadable=bool(scan.failed))
        return _normalized(run, source, scan), state, None
    if source.path is not None:
        body = read_feed_file(source.path)
        digest = hashlib.sha256(body).hexdigest()
        if decide.unchanged(digest, state):
            return None, state, None
        parsed = parse_feed(body, url=source.path.as_uri(), fast=run.fast)
        return _normalized(run, source, parsed), decide.after_read(state, digest), None
    if source.page is not None:
        return await _read_page(run, source, state)
    url = state.url or source.url
    assert url is not None
    if run.pool is None:
        return await _fetch_and_parse(run, source, state, url)
    async with run.pool.slot():  # a body waiting for a worker is held in memory: bound them
        return await _fetch_and_parse(run, source, state, url)


async def _fetch_and_parse(
    run: _Ingest, source: Source, state: SourceState, url: str
) -> tuple[NormalizedFeed | None, SourceState, float | None]:
    result = await run.fetcher.fetch(
        url, etag=state.etag, last_modified=state.last_modified, body_hash=state.body_hash
    )
    state = decide.after_fetch(
        state, permanent_url=result.permanent_url, etag=result.etag,
        last_modified=result.last_modified, body_hash=result.body_hash,
    )  # fmt: skip
    if result.not_modified or result.body is None:
        return None, state, result.max_age
    if run.pool is not None:
        args = _normalize_args(run, source)
        parsed, normalized = await run.pool.parse(
            result.body, result.final_url, result.content_type, args
        )
        return NormalizedFeed.of(parsed, normalized), state, result.max_age
    parsed = parse_feed(
        result.body, url=result.final_url, content_type=result.content_type, fast=run.fast
    )
    return _normalized(run, source, parsed), state, result.max_age


async def _read_page(
    run: _Ingest, source: Source, state: SourceState
) -> tuple[NormalizedFeed | None, SourceState, float | None]:
    """A page source (feeds.sources.page): its pages read, their items as a feed's."""
    from feeds.sources.page import read_pages  # parsel and its parser: for page sources only

    assert source.page is not None
    url = state.url or source.url
    assert url is not None
    read = await read_pages(
        run.fetcher, url, source.page,
        etag=state.etag, last_modified=state.last_modified, body_hash=state.body_hash,
    )  # fmt: skip
    first = read.first
    state = decide.after_fetch(
        state, permanent_url=first.permanent_url, etag=first.etag,
        last_modified=first.last_modified, body_hash=read.digest or state.body_hash,
    )  # fmt: skip
    if read.feed is None:
        return None, state, first.max_age
    return _normalized(run, source, read.feed), state, first.max_age


def _normalize_args(run: _Ingest, source: Source) -> NormalizeArgs:
    settings = run.config.settings
    return NormalizeArgs(
        source, run.now, run.authority, settings.languages, settings.base_url, run.fast
    )


async def _write(run: _Ingest, work: Callable[[], T]) -> T:
    """``work()``'s store writes, in a transaction shared with other sources' if batched."""
    if run.writes is None:
        with run.store.batch():
            return work()
    return await run.writes.write(work)


def _normalized(run: _Ingest, source: Source, parsed: ParsedFeed) -> NormalizedFeed:
    """``parsed`` and its entries and their texts, normalized in this process."""
    args = _normalize_args(run, source)
    return NormalizedFeed.of(parsed, normalize_items(parsed.items, args, parsed.authors))


def _store(
    run: _Ingest, source: Source, entries: Sequence[Entry], texts: Sequence[str]
) -> IngestReport:
    entries = _claimed(run, source, entries)
    result = run.store.upsert(entries, now=run.now, texts=texts)
    return IngestReport(
        source.name,
        ok=True,
        new=len(result.new),
        changed=len(result.changed),
        unchanged=result.unchanged,
        changed_ids=result.new + result.changed,
    )


def _store_folder(
    run: _Ingest, source: Source, scan: ArticleScan, entries: Sequence[Entry], texts: Sequence[str]
) -> IngestReport:
    """StoreType a folder's articles: a renamed file keeps its id; a deleted file's entry is
    retracted, unless the source keeps entries (``on_delete = "keep"``); see
    ``feeds.decide.articles``. In the caller's transaction, so a kill leaves all or nothing."""
    read = [
        (i.path or "", e, t, bool(i.guid))
        for i, e, t in zip(scan.items, entries, texts, strict=True)
    ]
    known = run.store.known_files(source.name)
    plan = plan_folder(known, present=scan.files, complete=scan.complete, read=read)
    report = _store(run, source, plan.entries, texts)
    retracted: list[str] = []
    if plan.gone and source.on_delete == "retract":
        retracted = run.store.retract(plan.gone, when=run.now)
    run.store.save_known_files(source.name, plan.files)
    for old, new in plan.renamed:
        log.info("source %s: %s is now %s; its entry keeps its id", source.name, old, new)
    if retracted:
        log.info(
            "source %s: %s retracted (file deleted)", source.name, count(len(retracted), "entry")
        )
    return replace(report, changed_ids=report.changed_ids + tuple(retracted))


def _claimed(run: _Ingest, source: Source, entries: Sequence[Entry]) -> list[Entry]:
    """``entries`` under their ids in the store: a guid another source holds is not taken
    over (feeds.normalize.claims; asked in the transaction that writes them)."""
    asked = ids_to_ask(entries, source.name, run.authority)
    holders = run.store.holders(asked) if asked else {}
    configured = {s.name for s in run.config.sources}
    stored = (run.store.entry(i) for i in shared_ids(entries, source.name, holders))
    hashes = {e.id: e.hash for e in stored if e is not None}
    return own_ids(
        entries, source=source.name, authority=run.authority, holders=holders,
        configured=configured, hashes=hashes,
    )  # fmt: skip


def _succeeded(
    run: _Ingest,
    source: Source,
    state: SourceState,
    parsed: ParsedFeed | None,
    max_age: float | None,
) -> None:
    state = decide.succeeded(
        state, run.now, source.interval,
        changed=parsed is not None,
        problems=parsed.problems if parsed else (),
        failed_files=isinstance(parsed, ArticleScan) and bool(parsed.failed),
        hints=(max_age, parsed.ttl if parsed else None),
    )  # fmt: skip
    run.store.save_source_state(state, configured_url=source.url)


def _failed(run: _Ingest, source: Source, state: SourceState, error: SourceError) -> IngestReport:
    state = decide.failed(state, run.now, source.interval, error)
    run.store.save_source_state(state, configured_url=source.url)
    return IngestReport(source.name, ok=False, message=error.message)
