"""Write a topic's RFC 5005 archive pages: each page that became complete, once, and any
frozen page whose file is gone (where pages go and how they link: :mod:`feeds.publish.archive`).

Only a complete page is an archive document (#15 item 15): RFC 5005 archive documents are
stable, so a page is written when it is full and never again; what no complete page holds
yet is in the current feed (:mod:`feeds.publish.current`), which links back to the newest page. A
page left open by an older version of feeds (it grew while it said ``fh:archive``) is taken
down: its entries are in the current feed, and the file comes back once the page is full.

Called by :mod:`feeds.publish.flow`; renders with :mod:`feeds.publish.atom`, writes with
:mod:`feeds.publish.files`, and records frozen pages in the store. Must not import the flow,
sources, ingest, run or cli.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from feeds.models import Entry, Settings, Source, Topic
from feeds.normalize.grouping import Story
from feeds.publish import archive
from feeds.publish.atom import render_atom, stylesheet_href
from feeds.publish.current import group_stories, related
from feeds.publish.files import write_atomic, write_many
from feeds.store.protocols import StoreType
from feeds.store.values import START, Position
from feeds.topics.selection import Selection

log = logging.getLogger("feeds")


def publish_archives(
    settings: Settings,
    store: StoreType,
    sources: Mapping[str, Source],
    topic: Topic,
    selection: Selection,
) -> tuple[str | None, Position | None]:
    """Write the topic's newly complete archive pages (and frozen ones gone missing); the
    URL of the newest complete page (None: none yet), and the last rowid the complete pages
    hold (0: none yet; None: archives are off)."""
    size = settings.archive_size
    if size == 0:
        return None, None
    series = archive.series(topic, selection, settings)
    frozen = store.archive_pages(topic.slug, series.key)
    _restore_missing(settings, store, sources, topic, selection, series, frozen)
    completed: list[tuple[int, Position]] = []  # (page, its last position)

    def pages() -> Iterator[tuple[Path, bytes]]:
        page, after = len(frozen), (frozen[-1] if frozen else START)
        while len(rows := store.search_after(selection, after=after, limit=size)) == size:
            # Full: complete, whatever arrives later (it arrives after it).
            entries = [e for _, e in rows]
            yield _render_page(settings, store, sources, topic, series, page, entries)
            after = rows[-1][0]
            completed.append((page, after))
            page += 1

    # Rendered here, written (and fsynced) in threads meanwhile; a page is recorded frozen
    # once it is written, all in one transaction. Killed in between, the next run renders
    # the unrecorded pages again, to the same bytes, and records them.
    write_many(pages())
    with store.batch():
        for page, after in completed:
            store.freeze_archive_page(topic.slug, series.key, page, after)
    last = [*frozen, *(after for _, after in completed)]
    _take_down_open_page(settings, series, len(last))
    if not last:
        return None, START
    return series.url(settings, len(last) - 1), last[-1]


def _take_down_open_page(settings: Settings, s: archive.Series, page: int) -> None:
    """Remove the file of page ``page`` (0-based), the first not complete, if an older
    version of feeds published it as an archive document while it was open."""
    path = s.path(settings, page)
    if path.exists():
        path.unlink(missing_ok=True)
        log.info("%s: removed an archive page that was not complete (it is again once full)",
                 s.relative(page))  # fmt: skip


def _restore_missing(
    settings: Settings,
    store: StoreType,
    sources: Mapping[str, Source],
    topic: Topic,
    selection: Selection,
    series: archive.Series,
    frozen: Sequence[Position],
) -> None:
    """Write again a frozen page whose file is gone (public/ wiped or moved)."""
    if not frozen:
        return
    try:  # one listing rather than a stat per page: a long history has thousands
        names = set(os.listdir(series.path(settings, 0).parent))
    except OSError:
        names = set()
    for page, last in enumerate(frozen):
        if f"{page + 1}.atom" in names:
            continue
        after = frozen[page - 1] if page else START
        rows = store.search_after(selection, after=after, limit=settings.archive_size)
        entries = [e for rowid, e in rows if rowid <= last]
        write_atomic(*_render_page(settings, store, sources, topic, series, page, entries))


def _render_page(
    settings: Settings,
    store: StoreType,
    sources: Mapping[str, Source],
    topic: Topic,
    series: archive.Series,
    page: int,
    entries: list[Entry],
) -> tuple[Path, bytes]:
    """Complete archive page ``page`` of a topic's series: where it goes, and its bytes
    (``next-archive`` names the page after it, which exists once it is complete too)."""
    entries.sort(key=lambda e: e.id)
    entries.sort(key=lambda e: e.published, reverse=True)
    stories = group_stories(store, entries) if settings.dedupe else [Story(e) for e in entries]
    links = archive.page_links(
        topic, series, settings, page, last=False, stylesheet=stylesheet_href(3)
    )
    data = render_atom(
        topic,
        [s.entry for s in stories],
        settings=settings,
        sources=sources,
        links=links,
        related=related(stories, sources, settings),
    )
    return series.path(settings, page), data
