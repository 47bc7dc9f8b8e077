"""The rest of public/: the browser stylesheets (``feed.xsl``, ``feeds.css``) and the copy
script, article pages, ``index.html``, ``status.html``, ``feeds.opml``, and the removal of
the feeds and pages of topics no longer configured.

Called by ``feeds.publish.flow`` once the topics are published; renders with
``feeds.publish.pages``, writes with ``feeds.publish.files``; asks ``feeds.decide.publish``
what is removed. Must not import the flow, sources, ingest, run or cli.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from feeds.decide.publish import FEED_FILES, removed
from feeds.models import Config, Topic
from feeds.publish.atom import STYLESHEET
from feeds.publish.files import write_atomic, write_many
from feeds.publish.gone import withdraw_pages
from feeds.publish.matches import newest_matches
from feeds.publish.pages import (
    COPY_SCRIPT,
    INDEX,
    STYLESHEET_CSS,
    render_article_page,
    render_index,
    render_opml,
)
from feeds.publish.status_page import publish_status
from feeds.publish.templating import EntryView, entry_view
from feeds.store.protocols import StoreType
from feeds.topics.selection import topic_selection

log = logging.getLogger("feeds")


#: Entries of each topic the index shows.
INDEX_ENTRIES = 3


def stylesheet(name: str = STYLESHEET) -> bytes:
    """A file of ``feeds/static`` (package data): by default the XSL that makes a feed opened
    in a browser read as a page."""
    return (resources.files("feeds") / "static" / name).read_bytes()


def publish_static(public: Path) -> None:
    """The XSL, the pages' stylesheet and the copy script, into public/."""
    for name in (STYLESHEET, STYLESHEET_CSS, COPY_SCRIPT):
        write_atomic(public / name, stylesheet(name))


def unpublish_removed(config: Config, store: StoreType) -> None:
    """Remove the current feeds of topics no longer in the config (archives stay)."""
    for slug in removed(store.topic_slugs(), (t.slug for t in config.topics)):
        for extension in (*FEED_FILES, "html"):
            (config.settings.public_dir / f"{slug}.{extension}").unlink(missing_ok=True)
        store.forget_topic(slug)
        log.info("topic %s: no longer in the config, its feeds are removed", slug)


def publish_index(config: Config, store: StoreType) -> None:
    """``index.html``, ``status.html`` and ``feeds.opml``."""
    settings = config.settings
    counts, updated, newest = {}, {}, {}
    for topic in config.topics:
        record = store.topic_record(topic.slug)
        counts[topic.slug] = record.entries if record else 0
        if record and record.published_at:
            updated[topic.slug] = record.published_at
        newest[topic.slug] = _newest(config, store, topic, record.state if record else None)
    index = render_index(
        config.topics, settings=settings, counts=counts, updated=updated, newest=newest
    )
    write_atomic(settings.public_dir / INDEX, index)
    publish_status(config, store)
    write_atomic(settings.public_dir / "feeds.opml", render_opml(config.topics, settings=settings))


#: The index's entries of each topic by (slug, the topic's state key): while a topic's
#: state is the same its newest matches are (``feeds.publish.key``), so an unchanged topic
#: is not read again for the index, as it is not for its feeds.
_NEWEST: dict[tuple[str, str], list[EntryView]] = {}
_NEWEST_KEPT = 4096


def _newest(config: Config, store: StoreType, topic: Topic, state: str | None) -> list[EntryView]:
    """A topic's newest few matches, one per link (copies of a story seldom share one)."""
    key = (topic.slug, state) if state else None
    if key is not None and key in _NEWEST:
        return _NEWEST[key]
    sources = {s.name: s for s in config.sources}
    entries, _ = newest_matches(store, topic_selection(topic), limit=3 * INDEX_ENTRIES)
    seen: set[str] = set()
    views: list[EntryView] = []
    for entry in entries:
        link = entry.link or entry.id
        if link not in seen and len(views) < INDEX_ENTRIES:
            seen.add(link)
            views.append(entry_view(entry, config.settings, sources))
    if key is not None:
        if len(_NEWEST) >= _NEWEST_KEPT:
            _NEWEST.clear()
        _NEWEST[key] = views
    return views


def publish_pages(config: Config, store: StoreType) -> None:
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
