"""One topic: check whether its files are made from what the store holds now, and if not
render and write them (``<slug>.atom``, its RSS and JSON siblings, its archive pages, its
web page ``<slug>.html``) and record what they were made from.

Called by ``feeds.publish.flow`` (in this process or in a worker). Asks
``feeds.decide.publish`` every "should we"; renders with ``feeds.publish.atom`` and
``feeds.publish.formats``, keys with ``feeds.publish.key``, writes with
``feeds.publish.files``. Must not import the flow, sources, ingest, run or cli.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from feeds.decide.publish import (
    SIBLINGS,
    count_from_record,
    frozen_upto,
    key_moved,
    new_record,
    published_at,
    remember,
    republish,
)
from feeds.models import Config, Entry, Settings, Source, Topic
from feeds.normalize.grouping import Story
from feeds.publish.archiving import publish_archives
from feeds.publish.atom import (
    Links,
    Related,
    alternates,
    feed_url,
    render_atom,
    sibling_url,
    stylesheet_href,
    topic_page_url,
)
from feeds.publish.current import Kept, candidates, current_stories, kept, related
from feeds.publish.files import write_atomic
from feeds.publish.formats import render_json_feed, render_rss
from feeds.publish.key import TopicState, files_present, known_state, topic_basis, topic_state
from feeds.publish.topic_page import write_topic_page
from feeds.store.protocols import StoreType
from feeds.store.values import Mark, Match, Position, TopicRecord
from feeds.topics.selection import Selection, topic_selection
from feeds.words import count

log = logging.getLogger("feeds")

#: Renders a topic's ``<slug>.atom`` (``feeds.publish.atom.render_atom``; a seam for tests).
Renderer = Callable[..., bytes]


@dataclass(frozen=True, slots=True)
class PublishReport:
    topic: str
    entries: int
    #: Whether ``<slug>.atom`` was rewritten.
    written: bool
    #: URLs of this topic's feeds whose bytes changed (what WebSub hubs hear about).
    changed: tuple[str, ...] = ()
    #: The ids of the entries its feed shows, when it was rendered (else None).
    ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Publishing:
    config: Config
    store: StoreType
    sources: Mapping[str, Source]
    now: datetime
    #: What every topic's files depend on (``feeds.publish.key.context``).
    shared: bytes
    #: What renders ``<slug>.atom``.
    render: Renderer = render_atom

    @property
    def settings(self) -> Settings:
        return self.config.settings


@dataclass(frozen=True, slots=True)
class Check:
    """What a topic's files would be made from now, read once for deciding and rendering."""

    selection: Selection
    #: The newest candidates; not read (empty) when the record vouched for the state.
    rows: list[Match]
    state: TopicState
    record: TopicRecord | None
    #: Its files are in place and made from exactly that.
    unchanged: bool
    #: The store's mark, read before anything else: ``state`` holds for it.
    mark: Mark
    #: The record vouched for the state (its mark still holds: nothing to remember).
    known: bool = False
    #: A topic never published: due whatever its state, which is not worked out yet (the
    #: process that renders it does, see ``publish_topic``). ``rows`` and ``state`` are
    #: empty.
    pending: bool = False
    #: The matches kept whatever their date, and the ``archived_upto`` they are for.
    kept: Kept = Kept([])
    upto: Position | None = None

    @property
    def due(self) -> bool:
        """Whether the topic is to be rendered (else its record and files stand)."""
        return not (self.unchanged and self.record is not None)


def check_topic(run: Publishing, topic: Topic, *, full: bool = False) -> Check:
    """A topic's state, and whether its files are made from it. Its record's state is
    taken as it is while nothing it is made from changed (``feeds.publish.key.known_state``:
    a few index lookups); else it is worked out from the newest matches. A topic never
    published is due: its state is left pending unless ``full``."""
    mark = run.store.mark()
    selection = topic_selection(topic)
    record = run.store.topic_record(topic.slug)
    if record is None and not full:
        return Check(selection, [], TopicState(""), None, False, mark, pending=True)
    basis = topic_basis(run.config, run.store, topic, selection, shared=run.shared)
    known = known_state(run.store, selection, basis, record, mark)
    if known is not None and not republish(
        known.key, known.key, files_present(run.settings, topic, known)
    ):
        return Check(selection, [], known, record, True, mark, known=True)
    rows = run.store.search_rows(selection, limit=candidates(run.settings))
    last = frozen_upto(basis.series is not None, basis.frozen)
    upto = None if last is None else Position(last)
    keep = kept(run.settings, run.store, selection, upto=upto)
    state = topic_state(
        run.config, run.store, topic, selection, rows, shared=run.shared, basis=basis,
        kept=keep.rows,
    )  # fmt: skip
    recorded = record.state if record else None
    unchanged = not republish(recorded, state.key, files_present(run.settings, topic, state))
    return Check(selection, rows, state, record, unchanged, mark, kept=keep, upto=upto)


def _total(run: Publishing, check: Check) -> int:
    """How many entries match the topic, up to ``check.mark``: those its record counted
    plus those that arrived since, while the record's count is for the same query and
    no stored entry was edited since; else all of them."""
    record, mark = check.record, check.mark
    edits = record.mark.edits if record and record.mark else None
    basis = record.basis if record else None
    if record and record.mark and count_from_record(edits, mark.edits, basis, check.state.basis):
        arrived = run.store.count(check.selection, after=record.mark.rowid, upto=mark.rowid)
        return record.entries + arrived
    return run.store.count(check.selection, upto=mark.rowid)


def _remember(run: Publishing, topic: Topic, check: Check) -> None:
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


def publish_topic(run: Publishing, topic: Topic, check: Check | None = None) -> PublishReport:
    """Render and write a topic's files, unless nothing they are made from changed
    (``check``: that topic's ``check_topic``, if the caller made it just now)."""
    if check is None or check.pending:
        check = check_topic(run, topic, full=True)
    if not check.due and check.record is not None:
        _remember(run, topic, check)
        return PublishReport(topic.slug, check.record.shown, False)
    report, record, keep = _render_topic(run, topic, check)
    state = check.state
    if state.series and key_moved(
        True, len(run.store.archive_pages(topic.slug, state.series.key)), state.frozen
    ):
        state = topic_state(
            run.config, run.store, topic, check.selection, check.rows, shared=run.shared,
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
    run: Publishing, topic: Topic, check: Check
) -> tuple[PublishReport, TopicRecord | None, Kept]:
    """Write the topic's files; its report, its new record if it changed, and the matches
    its current feed kept whatever their date."""
    settings, selection = run.settings, check.selection
    back, upto = publish_archives(settings, run.store, run.sources, topic, selection)
    stories, keep = _shown(run, topic, check, upto)
    entries = [s.entry for s in stories]
    links = Links(
        stylesheet=stylesheet_href(),
        hubs=settings.websub_hubs,
        alternates=alternates(settings, topic),
        site=topic_page_url(settings, topic),
        prev_archive=back,
        deleted=_tombstones(run.store, selection, settings),
    )
    rel = related(stories, run.sources, settings)
    data = run.render(
        topic, entries, settings=settings, sources=run.sources, links=links, related=rel
    )
    written = write_atomic(settings.public_dir / f"{topic.slug}.atom", data)
    changed = [feed_url(settings, topic)] if written else []
    changed += _publish_siblings(run, topic, entries, rel)
    record, total, new = check.record, _total(run, check), None
    write_topic_page(settings, run.store, run.sources, topic, stories, rel, selection=selection)
    digest = hashlib.sha256(data).hexdigest()
    digest_was, entries_was = (record.digest, record.entries) if record else (None, None)
    if new_record(digest_was, entries_was, digest, total):
        when = published_at(digest_was, record.published_at if record else None, digest, run.now)
        new = TopicRecord(topic.slug, digest, when, total)
    if written:
        log.info("topic %s: published %s", topic.slug, count(len(entries), "entry"))
    ids = frozenset(e.id for e in entries)
    return PublishReport(topic.slug, len(entries), written, tuple(changed), ids), new, keep


def _shown(
    run: Publishing, topic: Topic, check: Check, upto: Position | None
) -> tuple[list[Story], Kept]:
    """The stories of the topic's current feed, once its complete archive pages hold the
    matches up to rowid ``upto``; and the matches it keeps whatever their date."""
    settings = run.settings
    # Pages frozen just now hold some of what the check found kept: read it again.
    keep = check.kept
    if upto != check.upto:
        keep = kept(settings, run.store, check.selection, upto=upto)
    stories, capped = current_stories(settings, run.store, check.rows, keep)
    if capped:
        log.warning(
            "topic %s: more entries arrived within feed_window than feed_max (%d) lets the "
            "feed show: the earliest of them are left out (raise feed_max)",
            topic.slug, settings.feed_max,
        )  # fmt: skip
    return stories, keep


def _tombstones(
    store: StoreType, selection: Selection, settings: Settings
) -> tuple[tuple[str, datetime], ...]:
    """The topic's newest retractions (RFC 6721), as many as its feed shows entries."""
    return tuple(store.tombstone_rows(selection, limit=settings.feed_size))


def _publish_siblings(
    run: Publishing,
    topic: Topic,
    entries: Sequence[Entry],
    related: Mapping[str, Sequence[Related]],
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


def _remove(path: Path) -> None:
    if path.exists():
        log.info("%s: format switched off, removing the file", path.name)
        path.unlink(missing_ok=True)
