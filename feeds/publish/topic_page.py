"""A topic's web page, ``public/<slug>.html``, written with its feeds: the stories its
current feed shows, its subscribe box, its archive pages.

Called by ``feeds.publish.topic`` when it renders a topic (the page is made from what the
feeds are made from, so the topic's key covers it); renders with ``feeds.publish.pages``,
writes with ``feeds.publish.files``. Must not import the flow, sources, ingest, run or cli.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feeds.models import Settings, Source, Topic
from feeds.normalize.grouping import Story
from feeds.publish import archive
from feeds.publish.atom import Related
from feeds.publish.files import write_atomic
from feeds.publish.pages import render_topic_page
from feeds.publish.templating import entry_view
from feeds.store.protocols import StoreType
from feeds.topics.selection import Selection


def write_topic_page(
    settings: Settings,
    store: StoreType,
    sources: Mapping[str, Source],
    topic: Topic,
    stories: Sequence[Story],
    related: Mapping[str, Sequence[Related]],
    *,
    selection: Selection,
) -> bool:
    """Write ``<slug>.html``; whether its bytes changed. Shows the feed's newest
    ``feed_size`` stories and links every complete archive page of the current series."""
    shown = stories[: settings.feed_size]
    views = [entry_view(s.entry, settings, sources, related.get(s.entry.id, ())) for s in shown]
    pages: list[str] = []
    if settings.archive_size:
        series = archive.series(topic, selection, settings)
        frozen = store.archive_pages(topic.slug, series.key)
        pages = [series.relative(n) for n in range(len(frozen))]
    data = render_topic_page(topic, views, settings=settings, archives=pages)
    return write_atomic(settings.public_dir / f"{topic.slug}.html", data)
