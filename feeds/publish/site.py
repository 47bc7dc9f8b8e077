"""The rest of public/: the browser stylesheet, article pages, ``index.html``, ``feeds.opml``,
and the removal of the feeds of topics no longer configured.

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
from feeds.models import Config
from feeds.publish.atom import STYLESHEET
from feeds.publish.files import write_atomic, write_many
from feeds.publish.gone import withdraw_pages
from feeds.publish.health_feed import STATUS_SLUG
from feeds.publish.pages import render_article_page, render_index, render_opml
from feeds.store.protocols import StoreType

log = logging.getLogger("feeds")


def stylesheet() -> bytes:
    """The XSL that makes a feed opened in a browser read as a page (package data)."""
    return (resources.files("feeds") / "static" / STYLESHEET).read_bytes()


def unpublish_removed(config: Config, store: StoreType) -> None:
    """Remove the current feeds of topics no longer in the config (archives stay)."""
    for slug in removed(store.topic_slugs(), (t.slug for t in config.topics)):
        for extension in FEED_FILES:
            (config.settings.public_dir / f"{slug}.{extension}").unlink(missing_ok=True)
        store.forget_topic(slug)
        log.info("topic %s: no longer in the config, its feeds are removed", slug)


def publish_index(config: Config, store: StoreType) -> None:
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
