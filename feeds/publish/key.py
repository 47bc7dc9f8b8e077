"""What a topic's published files are made from, as one key, so that an unchanged topic is
not rendered again.

A topic's files (``<slug>.atom``, its RSS and JSON siblings, its RFC 5005 archive pages, its
web page ``<slug>.html``)
are a pure function of: this version of feeds, the topic as configured, the settings, the
sources (their titles appear in the feeds), the topic's newest candidate entries and the
matches it keeps whatever their date (``feeds.publish.current``; every column), and, for the
archives, the series, the complete pages and the entries after them. :func:`topic_state`
hashes exactly that, reading only those rows from the store; regenerate keeps the key with
the topic's record and skips rendering while the key is the same and :func:`files_present`
finds the files in place (a wiped public/ is written again).

All of that but the matches is the topic's *basis* (:func:`topic_basis`, cheap: no entry
is read). :func:`known_state` gives the recorded state back without reading any match
while the basis is the same, no stored entry was edited and no match arrived since.

Reads the store, looks at public/; writes nothing. Must not import the flow, sources, ingest,
run or cli.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass

from feeds import __version__
from feeds.models import Config, Settings, Topic
from feeds.publish import archive
from feeds.store.protocols import StoreType
from feeds.store.values import START, Mark, Match, Position, TopicRecord
from feeds.topics.selection import Selection

#: Part of every key: change it when rendering changes without a new version of feeds.
RENDERING = "5"


@dataclass(frozen=True, slots=True)
class TopicState:
    """The key of what a topic's files are made from, and which archive pages it has."""

    key: str
    #: The topic's archive series (None: archives are off).
    series: archive.Series | None = None
    #: How many archive pages exist: the frozen (complete) ones; no other is published.
    pages: int = 0
    #: How many of them are frozen (complete: never written again).
    frozen: int = 0
    #: The hash of all the key depends on but the topic's matches (see topic_basis).
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Basis:
    """All a topic's state depends on but its matches: its hash, series and frozen pages."""

    key: str
    series: archive.Series | None
    #: The last rowid of each frozen archive page.
    frozen: list[Position]


def _rows(rows: Sequence[Match], *, positions: bool = False) -> bytes:
    stored = [(m.position, *m.stored) if positions else m.stored for m in rows]
    return repr(stored).encode("utf-8")


def context(config: Config) -> bytes:
    """What every topic's files depend on besides the topic: once per regenerate."""
    basis = repr((__version__, RENDERING, config.settings, config.sources))
    return hashlib.sha256(basis.encode("utf-8")).digest()


def topic_basis(
    config: Config, store: StoreType, topic: Topic, selection: Selection, *, shared: bytes
) -> Basis:
    """What a topic's state depends on besides its matches: feeds, the settings and sources
    (``shared``, that is ``context(config)``), the topic, its archive series and its frozen
    pages."""
    digest = hashlib.sha256(shared)
    digest.update(repr(topic).encode("utf-8"))
    if not config.settings.archive_size:
        return Basis(digest.hexdigest(), None, [])
    series = archive.series(topic, selection, config.settings)
    frozen = store.archive_pages(topic.slug, series.key)
    digest.update(repr((series.key, frozen)).encode("utf-8"))
    return Basis(digest.hexdigest(), series, frozen)


def topic_state(
    config: Config,
    store: StoreType,
    topic: Topic,
    selection: Selection,
    candidates: Sequence[Match],
    *,
    shared: bytes,
    basis: Basis | None = None,
    kept: Sequence[Match] = (),
) -> TopicState:
    """The state of a topic whose newest candidates (``StoreType.search_rows``) and kept
    matches (``feeds.publish.current.kept``) are given; ``shared`` is ``context(config)``;
    ``basis`` its ``topic_basis`` if the caller has it."""
    settings = config.settings
    basis = basis or topic_basis(config, store, topic, selection, shared=shared)
    digest = hashlib.sha256(shared)
    digest.update(repr(topic).encode("utf-8"))
    digest.update(_rows(candidates))
    digest.update(_rows(kept, positions=True))
    # Its tombstones (RFC 6721, #15 item 17); none leaves the key as it was before them.
    if tombstones := store.tombstone_rows(selection, limit=settings.feed_size):
        digest.update(b"tombstones" + repr(tombstones).encode("utf-8"))
    if basis.series is None:
        return TopicState(digest.hexdigest(), basis=basis.key)
    series, frozen = basis.series, basis.frozen
    after = frozen[-1] if frozen else START
    open_rows = store.search_after_rows(selection, after=after, limit=settings.archive_size + 1)
    digest.update(repr((series.key, len(frozen), after)).encode("utf-8"))
    digest.update(_rows(open_rows, positions=True))
    # Only complete pages are published (feeds.publish.archiving).
    return TopicState(digest.hexdigest(), series, len(frozen), len(frozen), basis.key)


def known_state(
    store: StoreType, selection: Selection, basis: Basis, record: TopicRecord | None, mark: Mark
) -> TopicState | None:
    """The state ``record`` holds, when it is still the topic's state: same basis, no stored
    entry edited, and no match arrived after the mark it was worked out at (then the
    matches are the same entries, unchanged, so the state is too). Else None: work it out.

    ``mark`` is ``store.mark()`` read before this (an entry stored meanwhile is after it).
    """
    if record is None or record.state is None or record.mark is None:
        return None
    if record.basis != basis.key or record.mark.edits != mark.edits:
        return None
    if store.matches_after(selection, record.mark.rowid):
        return None
    return TopicState(record.state, basis.series, record.pages, len(basis.frozen), basis.key)


def files_present(settings: Settings, topic: Topic, state: TopicState) -> bool:
    """Whether every file of the topic is in public/ (and no switched-off sibling is)."""
    public = settings.public_dir
    if not all((public / f"{topic.slug}.{ext}").is_file() for ext in ("atom", "html")):
        return False
    for extension, enabled in (("rss", settings.rss), ("json", settings.json_feed)):
        if (public / f"{topic.slug}.{extension}").is_file() != enabled:
            return False
    if state.series is None or state.pages == 0:
        return True
    folder = state.series.path(settings, 0).parent
    try:
        names = set(os.listdir(folder))
    except OSError:
        return False
    return all(f"{page}.atom" in names for page in range(1, state.pages + 1))
