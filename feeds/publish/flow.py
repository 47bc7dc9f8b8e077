"""Publish the topics: read each topic's entries from the store and write public/.

For each topic: ``<slug>.atom`` (the newest ``feed_size`` stories, one story once, and what
arrived within ``feed_window``), its RSS 2.0 and JSON Feed siblings when switched on, and its
complete RFC 5005 archive pages; then the article pages, ``index.html``, ``feeds.opml`` and
the browser stylesheet ``feed.xsl``; then the WebSub hubs are pinged about the feeds that
changed. Calls ``feeds.publish.atom``/``feeds.publish.formats`` to render,
``feeds.publish.current`` for the
stories a current feed shows, ``feeds.publish.archiving`` for its archive pages, and
``feeds.publish.files.write_atomic`` to write; decides nothing about what a topic holds
(``feeds.topics.query`` and ``feeds.publish.window`` do). Unchanged files are not rewritten, so
their bytes,
mtimes and ETags stay put, and a frozen archive page is never written again.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path

from feeds.agent import user_agent
from feeds.clock import utcnow
from feeds.decide.publish import (
    FEED_FILES,
    SIBLINGS,
    Due,
    Sharing,
    count_from_record,
    frozen_upto,
    key_moved,
    longest_first,
    new_record,
    published_at,
    remember,
    removed,
    republish,
    share,
    workers_to_start,
)
from feeds.ingest.parallel import configured_workers, forkserver_up, process_pool
from feeds.models import Config, Entry, Settings, Source, Topic
from feeds.normalize.grouping import Story
from feeds.publish.archiving import publish_archives
from feeds.publish.atom import (
    STYLESHEET,
    Links,
    Related,
    alternates,
    feed_url,
    render_atom,
    sibling_url,
    stylesheet_href,
    topic_page_url,
)
from feeds.publish.current import Kept, archived_upto, candidates, current_stories, kept, related
from feeds.publish.files import make_folder, remove_stale_temps, write_atomic, write_many
from feeds.publish.formats import render_json_feed, render_rss
from feeds.publish.gone import withdraw_pages
from feeds.publish.health_feed import STATUS_SLUG
from feeds.publish.key import (
    TopicState,
    context,
    files_present,
    known_state,
    topic_basis,
    topic_state,
)
from feeds.publish.pages import render_article_page, render_index, render_opml
from feeds.publish.websub import notify
from feeds.store.sqlite.store import Mark, Store, TopicRecord, parse_ts
from feeds.topics.query import topic_expression
from feeds.words import count

log = logging.getLogger("feeds")

#: When topics are rendered in worker processes (``feeds.decide.publish.Sharing``).
PARALLEL_TOPICS, PARALLEL_MATCHES, PARALLEL_DUE = Sharing().topics, Sharing().matches, Sharing().due


@dataclass(frozen=True, slots=True)
class PublishReport:
    topic: str
    entries: int
    #: Whether ``<slug>.atom`` was rewritten.
    written: bool
    #: URLs of this topic's feeds whose bytes changed (what WebSub hubs hear about).
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Run:
    config: Config
    store: Store
    sources: Mapping[str, Source]
    now: datetime
    #: What every topic's files depend on (``feeds.publish.key.context``).
    shared: bytes

    @property
    def settings(self) -> Settings:
        return self.config.settings


def regenerate(
    config: Config,
    store: Store,
    *,
    slugs: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[PublishReport]:
    """Write every topic's feeds (or only those named: ``()`` is none), pages, index, OPML."""
    settings = config.settings
    make_folder(settings.public_dir)  # a PublishError, not a traceback
    for leftover in remove_stale_temps(settings.public_dir):  # a killed run's temp files
        log.info("removed %s, left by an interrupted publish", leftover.name)
    sources = {s.name: s for s in config.sources}
    run = _Run(config, store, sources, now or utcnow(), context(config))
    write_atomic(settings.public_dir / STYLESHEET, stylesheet())
    topics = [t for t in config.topics if slugs is None or t.slug in slugs]
    reports = _publish_topics(run, topics)
    if slugs is None:
        _unpublish_removed(config, store)
    _publish_pages(config, store)
    _publish_index(config, store)
    if settings.websub_hubs:
        changed = [url for r in reports for url in r.changed]
        agent = user_agent(settings.base_url)
        notify(store, settings.websub_hubs, changed, user_agent=agent)
    return reports


def stylesheet() -> bytes:
    """The XSL that makes a feed opened in a browser read as a page (package data)."""
    return (resources.files("feeds") / "static" / STYLESHEET).read_bytes()


# -- one story once -------------------------------------------------------------------------


def topic_stories(config: Config, store: Store, topic: Topic) -> list[Story]:
    """The stories a topic's feed shows (newest first; see ``feeds.publish.current``)."""
    settings = config.settings
    expression = topic_expression(topic.query, topic.exclude, topic.languages)
    rows = store.search_rows(expression, limit=candidates(settings))
    upto = archived_upto(settings, store, topic, expression)
    return current_stories(settings, store, rows, kept(settings, store, expression, upto=upto))[0]


def topic_entries(config: Config, store: Store, topic: Topic) -> list[Entry]:
    """The entries a topic's feed shows (one per story), newest first."""
    return [s.entry for s in topic_stories(config, store, topic)]


# -- topics, on every core ---------------------------------------------------------------------


def _publish_topics(run: _Run, topics: Sequence[Topic]) -> list[PublishReport]:
    """Publish each topic whose files are not made from what the store holds now; a first
    publish of many topics over a large store, or many topics once worker processes start
    quickly (a republish after a busy ingest), on every core (worker processes, and this
    one).

    Topics are independent: a worker opens the store itself (SQLite in WAL mode lets them
    read at once; their few writes take turns) and writes the topic's files atomically,
    exactly as ``_publish_topic`` does here. Starting workers costs a few tenths of a
    second: worth it only when whole histories are to be rendered.
    """
    reports: dict[str, PublishReport] = {}
    due: list[tuple[Topic, _Check]] = []
    for topic in topics:
        check = _check(run, topic)
        if check.unchanged and check.record is not None:
            _remember(run, topic, check)
            reports[topic.slug] = PublishReport(topic.slug, check.record.shown, False)
        else:
            due.append((topic, check))
    workers = workers_to_start(
        configured_workers(), len(due), in_memory=run.store.path == ":memory:"
    )

    def matches() -> dict[str, int]:  # the entries of each one's archives
        return {t.slug: run.store.count(c.expression) for t, c in due}

    facts = [Due(t.slug, c.record is None) for t, c in due]
    sharing = Sharing(PARALLEL_TOPICS, PARALLEL_MATCHES, PARALLEL_DUE)
    sizes = share(facts, workers, matches=matches, fast_start=forkserver_up, sharing=sharing)
    if sizes is not None:
        reports.update(_publish_shared(run, due, workers, sizes))
    else:
        reports.update((t.slug, _publish_topic(run, t, check)) for t, check in due)
    return [reports[t.slug] for t in topics]


def _publish_shared(
    run: _Run, due: Sequence[tuple[Topic, _Check]], workers: int, sizes: Mapping[str, int]
) -> dict[str, PublishReport]:
    """``_publish_topic`` of each topic, in ``workers`` worker processes and in this one,
    the longest first (``sizes``: each topic's matches, its archive pages), so that the
    last to finish are short ones. A worker is sent its next topic as soon as it is done
    with one (from the pool's thread), never a queue of them: at the end no process waits
    on topics queued for another."""
    reports: dict[str, PublishReport] = {}
    by_slug = {d[0].slug: d for d in due}
    waiting = [by_slug[slug] for slug in longest_first(by_slug, sizes)]
    lock = threading.Lock()
    sent: list[tuple[Future[PublishReport], Topic]] = []
    with process_pool(workers) as pool:

        def send(_: object = None) -> None:  # a worker is free: its next topic
            with lock:
                if not waiting:
                    return
                item = waiting.pop(0)
                try:
                    args = (run.config, run.store.path, item[0], run.now)
                    future = pool.submit(_publish_in_worker, *args)
                except RuntimeError:  # the pool is broken: this process renders it
                    waiting.insert(0, item)
                    return
                sent.append((future, item[0]))
            future.add_done_callback(send)

        for _ in range(workers):
            send()
        while True:
            with lock:
                item = waiting.pop(0) if waiting else None
                futures = [f for f, _ in sent]
            if item is not None:
                reports[item[0].slug] = _publish_topic(run, item[0], item[1])
                continue
            wait(futures)  # a callback may send one more meanwhile, or give one back
            with lock:
                if len(sent) == len(futures) and not waiting:
                    break
    for future, topic in sent:
        reports[topic.slug] = future.result()
    return reports


def _publish_in_worker(config: Config, path: str, topic: Topic, now: datetime) -> PublishReport:
    """``_publish_topic`` in a worker process, with its own connection to the store."""
    with Store(path) as store:
        sources = {s.name: s for s in config.sources}
        return _publish_topic(_Run(config, store, sources, now, context(config)), topic)


@dataclass(frozen=True, slots=True)
class _Check:
    """What a topic's files would be made from now, read once for deciding and rendering."""

    expression: str
    #: The newest candidates; not read (empty) when the record vouched for the state.
    rows: list[sqlite3.Row]
    state: TopicState
    record: TopicRecord | None
    #: Its files are in place and made from exactly that.
    unchanged: bool
    #: The store's mark, read before anything else: ``state`` holds for it.
    mark: Mark
    #: The record vouched for the state (its mark still holds: nothing to remember).
    known: bool = False
    #: A topic never published: due whatever its state, which is not worked out yet (the
    #: process that renders it does, see ``_publish_topic``). ``rows`` and ``state`` are
    #: empty.
    pending: bool = False
    #: The matches kept whatever their date, and the ``archived_upto`` they are for.
    kept: Kept = Kept([])
    upto: int | None = None


def _check(run: _Run, topic: Topic, *, full: bool = False) -> _Check:
    """A topic's state, and whether its files are made from it. Its record's state is
    taken as it is while nothing it is made from changed (``feeds.publish.key.known_state``:
    a few index lookups); else it is worked out from the newest matches. A topic never
    published is due: its state is left pending unless ``full``."""
    mark = run.store.mark()
    expression = topic_expression(topic.query, topic.exclude, topic.languages)
    record = run.store.topic_record(topic.slug)
    if record is None and not full:
        return _Check(expression, [], TopicState(""), None, False, mark, pending=True)
    basis = topic_basis(run.config, run.store, topic, expression, shared=run.shared)
    known = known_state(run.store, expression, basis, record, mark)
    if known is not None and not republish(
        known.key, known.key, files_present(run.settings, topic, known)
    ):
        return _Check(expression, [], known, record, True, mark, known=True)
    rows = run.store.search_rows(expression, limit=candidates(run.settings))
    upto = frozen_upto(basis.series is not None, basis.frozen)
    keep = kept(run.settings, run.store, expression, upto=upto)
    state = topic_state(
        run.config, run.store, topic, expression, rows, shared=run.shared, basis=basis,
        kept=keep.rows,
    )  # fmt: skip
    recorded = record.state if record else None
    unchanged = not republish(recorded, state.key, files_present(run.settings, topic, state))
    return _Check(expression, rows, state, record, unchanged, mark, kept=keep, upto=upto)


def _total(run: _Run, check: _Check) -> int:
    """How many entries match the topic, up to ``check.mark``: those its record counted
    plus those that arrived since, while the record's count is for the same query and
    no stored entry was edited since; else all of them."""
    record, mark = check.record, check.mark
    edits = record.mark.edits if record and record.mark else None
    basis = record.basis if record else None
    if record and record.mark and count_from_record(edits, mark.edits, basis, check.state.basis):
        arrived = run.store.count(check.expression, after=record.mark.rowid, upto=mark.rowid)
        return record.entries + arrived
    return run.store.count(check.expression, upto=mark.rowid)


def _remember(run: _Run, topic: Topic, check: _Check) -> None:
    """After a check that found a topic's files current: record the mark its state holds
    for, if the record has an older one (or none: a store from before marks), so that the
    next check can take the state as it is."""
    record, state = check.record, check.state
    if record is None or not remember(True, check.known, record.mark == check.mark):
        return
    with run.store.batch():
        total = _total(run, check)
        if total != record.entries:
            run.store.save_topic_record(replace(record, entries=total))
        run.store.save_topic_state(
            topic.slug, state.key, record.shown, mark=check.mark, basis=state.basis,
            pages=state.pages,
        )  # fmt: skip


# -- a topic ----------------------------------------------------------------------------------


def _publish_topic(run: _Run, topic: Topic, check: _Check | None = None) -> PublishReport:
    """Render and write a topic's files, unless nothing they are made from changed
    (``check``: that topic's ``_check``, if the caller made it just now)."""
    if check is None or check.pending:
        check = _check(run, topic, full=True)
    if check.unchanged and check.record is not None:
        _remember(run, topic, check)
        return PublishReport(topic.slug, check.record.shown, False)
    report, record, keep = _render_topic(run, topic, check)
    state = check.state
    if state.series and key_moved(
        True, len(run.store.archive_pages(topic.slug, state.series.key)), state.frozen
    ):
        state = topic_state(
            run.config, run.store, topic, check.expression, check.rows, shared=run.shared,
            kept=keep.rows,
        )  # fmt: skip
    with run.store.batch():  # the count and the mark it is for: both or neither
        if record is not None:
            run.store.save_topic_record(record)
        run.store.save_topic_state(
            topic.slug, state.key, report.entries, mark=check.mark, basis=state.basis,
            pages=state.pages,
        )  # fmt: skip
    return report


def _render_topic(
    run: _Run, topic: Topic, check: _Check
) -> tuple[PublishReport, TopicRecord | None, Kept]:
    """Write the topic's files; its report, its new record if it changed, and the matches
    its current feed kept whatever their date."""
    settings, expression = run.settings, check.expression
    back, upto = publish_archives(settings, run.store, run.sources, topic, expression)
    stories, keep = _shown(run, topic, check, upto)
    entries = [s.entry for s in stories]
    links = Links(
        stylesheet=stylesheet_href(),
        hubs=settings.websub_hubs,
        alternates=alternates(settings, topic),
        site=topic_page_url(settings, topic),
        prev_archive=back,
        deleted=_tombstones(run.store, expression, settings),
    )
    rel = related(stories, run.sources, settings)
    data = render_atom(
        topic, entries, settings=settings, sources=run.sources, links=links, related=rel
    )
    written = write_atomic(settings.public_dir / f"{topic.slug}.atom", data)
    changed = [feed_url(settings, topic)] if written else []
    changed += _publish_siblings(run, topic, entries, rel)
    digest = hashlib.sha256(data).hexdigest()
    record, total, new = check.record, _total(run, check), None
    digest_was, entries_was = (record.digest, record.entries) if record else (None, None)
    if new_record(digest_was, entries_was, digest, total):
        when = published_at(digest_was, record.published_at if record else None, digest, run.now)
        new = TopicRecord(topic.slug, digest, when, total)
    if written:
        log.info("topic %s: published %s", topic.slug, count(len(entries), "entry"))
    return PublishReport(topic.slug, len(entries), written, tuple(changed)), new, keep


def _shown(run: _Run, topic: Topic, check: _Check, upto: int | None) -> tuple[list[Story], Kept]:
    """The stories of the topic's current feed, once its complete archive pages hold the
    matches up to rowid ``upto``; and the matches it keeps whatever their date."""
    settings = run.settings
    # Pages frozen just now hold some of what the check found kept: read it again.
    keep = check.kept
    if upto != check.upto:
        keep = kept(settings, run.store, check.expression, upto=upto)
    stories, capped = current_stories(settings, run.store, check.rows, keep)
    if capped:
        log.warning(
            "topic %s: more entries arrived within feed_window than feed_max (%d) lets the "
            "feed show: the earliest of them are left out (raise feed_max)",
            topic.slug, settings.feed_max,
        )  # fmt: skip
    return stories, keep


def _tombstones(
    store: Store, expression: str, settings: Settings
) -> tuple[tuple[str, datetime], ...]:
    """The topic's newest retractions (RFC 6721), as many as its feed shows entries."""
    rows = store.tombstone_rows(expression, limit=settings.feed_size)
    return tuple((r[0], when) for r in rows if (when := parse_ts(r[1])) is not None)


def _publish_siblings(
    run: _Run, topic: Topic, entries: Sequence[Entry], related: Mapping[str, Sequence[Related]]
) -> list[str]:
    """Write (or, switched off, remove) ``<slug>.rss`` and ``<slug>.json``; changed URLs."""
    settings, changed = run.settings, []
    hubs = settings.websub_hubs
    for extension, enabled in zip(SIBLINGS, (settings.rss, settings.json_feed), strict=True):
        path = settings.public_dir / f"{topic.slug}.{extension}"
        if not enabled:
            _remove(path)
            continue
        if extension == "rss":
            data = render_rss(topic, entries, settings=settings, sources=run.sources, hubs=hubs)
        else:
            data = render_json_feed(
                topic, entries, settings=settings, sources=run.sources, hubs=hubs, related=related
            )
        if write_atomic(path, data):
            changed.append(sibling_url(settings, topic, extension))
    return changed


def _unpublish_removed(config: Config, store: Store) -> None:
    """Remove the current feeds of topics no longer in the config (archives stay)."""
    for slug in removed(store.topic_slugs(), (t.slug for t in config.topics)):
        for extension in FEED_FILES:
            (config.settings.public_dir / f"{slug}.{extension}").unlink(missing_ok=True)
        store.forget_topic(slug)
        log.info("topic %s: no longer in the config, its feeds are removed", slug)


def _remove(path: Path) -> None:
    if path.exists():
        log.info("%s: format switched off, removing the file", path.name)
        path.unlink(missing_ok=True)


# -- the rest of public/ -----------------------------------------------------------------------


def _publish_index(config: Config, store: Store) -> None:
    settings = config.settings
    counts, updated = {}, {}
    for topic in config.topics:
        record = store.topic_record(topic.slug)
        counts[topic.slug] = record.entries if record else 0
        if record and record.published_at:
            updated[topic.slug] = record.published_at
    status = f"{STATUS_SLUG}.atom"  # the health feed (feeds.publish.health), linked once it exists
    linked = status if (settings.public_dir / status).exists() else None
    index = render_index(
        config.topics, settings=settings, counts=counts, updated=updated, status=linked
    )
    write_atomic(settings.public_dir / "index.html", index)
    write_atomic(settings.public_dir / "feeds.opml", render_opml(config.topics, settings=settings))


def _publish_pages(config: Config, store: Store) -> None:
    """Pages under public/ for articles that have no URL of their own: those new or changed
    since their page was written, and those whose file is gone."""
    public = config.settings.public_dir
    withdraw_pages(public, config.settings.data_dir, store)  # retracted or renamed (#15)
    gone = [page for page in store.pages_written() if not (public / page).exists()]
    done: dict[str, str] = {}

    def pages() -> Iterator[tuple[Path, bytes]]:
        for entry in store.page_entries_to_write(gone):
            assert entry.page is not None
            yield public / entry.page, render_article_page(entry, settings=config.settings)
            done[entry.page] = entry.hash

    write_many(pages())  # recorded once all are written: a failure writes them next time
    if done:
        store.save_page_hashes(done)
