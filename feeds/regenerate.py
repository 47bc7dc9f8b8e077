"""Publish the topics: read each topic's entries from the store and write public/.

Calls ``feeds.publish`` to render and ``feeds.files.write_atomic`` to write; decides nothing
about what a topic holds (``feeds.query`` does). Unchanged files are not rewritten, so their
bytes, mtimes and ETags stay put.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .files import write_atomic
from .models import Config, Entry, Topic
from .pipeline import utcnow
from .publish import render_article_page, render_atom, render_index, render_opml
from .query import topic_expression
from .store import Store, TopicRecord

log = logging.getLogger("feeds")


# -- publish --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishReport:
    topic: str
    entries: int
    written: bool


def regenerate(
    config: Config, store: Store, *, slugs: Sequence[str] = (), now: datetime | None = None
) -> list[PublishReport]:
    """Write every topic's feed (or those named), the article pages, index and OPML."""
    settings = config.settings
    settings.public_dir.mkdir(parents=True, exist_ok=True)
    topics = [t for t in config.topics if not slugs or t.slug in slugs]
    reports = [_publish_topic(config, store, t, now or utcnow()) for t in topics]
    _publish_pages(config, store)
    counts, updated = {}, {}
    for topic in config.topics:
        record = store.topic_record(topic.slug)
        counts[topic.slug] = record.entries if record else 0
        if record and record.published_at:
            updated[topic.slug] = record.published_at
    index = render_index(config.topics, settings=settings, counts=counts, updated=updated)
    write_atomic(settings.public_dir / "index.html", index)
    write_atomic(settings.public_dir / "feeds.opml", render_opml(config.topics, settings=settings))
    return reports


def topic_entries(config: Config, store: Store, topic: Topic) -> list[Entry]:
    """The newest entries of a topic, as its feed shows them."""
    expression = topic_expression(topic.query, topic.exclude, topic.languages)
    return store.search(expression, limit=config.settings.feed_size)


def _publish_topic(config: Config, store: Store, topic: Topic, now: datetime) -> PublishReport:
    entries = topic_entries(config, store, topic)
    sources = {s.name: s for s in config.sources}
    data = render_atom(topic, entries, settings=config.settings, sources=sources)
    written = write_atomic(config.settings.public_dir / f"{topic.slug}.atom", data)
    digest = hashlib.sha256(data).hexdigest()
    record = store.topic_record(topic.slug)
    if written or record is None or record.digest != digest:
        total = store.count(topic_expression(topic.query, topic.exclude, topic.languages))
        store.save_topic_record(TopicRecord(topic.slug, digest, now, total))
        log.info("topic %s: published %d entries", topic.slug, len(entries))
    return PublishReport(topic.slug, len(entries), written)


def _publish_pages(config: Config, store: Store) -> None:
    """Pages under public/ for articles that have no URL of their own."""
    public = config.settings.public_dir
    known = store.page_hashes()
    done: dict[str, str] = {}
    for entry in store.page_entries():
        assert entry.page is not None
        path = public / entry.page
        if known.get(entry.page) == entry.hash and path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, render_article_page(entry, settings=config.settings))
        done[entry.page] = entry.hash
    if done:
        store.save_page_hashes(done)
