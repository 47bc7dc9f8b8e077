"""The sibling formats of a topic feed: RSS 2.0 (``<slug>.rss``) and JSON Feed 1.1
(``<slug>.json``).

Pure functions, like :mod:`feeds.publish.atom`: topic, entries and settings in, bytes out, the same
bytes for the same input (no "now": ``lastBuildDate`` is the newest entry's date; JSON keys
are in a fixed order). They hold the same entries as the Atom feed, with the same ids. This
module does not query the store and writes nothing.

RSS is built with feedgen. RSS 2.0 ``<author>`` must be an email address, so names go in
``dc:creator``; the feed points to itself and its hubs with ``atom:link``. Plain text is
written once escaped, ``&``, ``<`` and ``>`` as hexadecimal references
(:mod:`feeds.publish.markup`). Every URL in it is
a URI (``feeds.normalize.uri``: RSS takes no IRIs, Atom and JSON Feed keep them). JSON Feed is
simple enough to write with :mod:`json`; related links of a story, which JSON Feed has no
field for, go in the ``_feeds`` extension object (JSON Feed allows ``_``-prefixed keys).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import __version__
from feeds.errors import PublishError
from feeds.models import Entry, Settings, Source, Topic
from feeds.normalize.text import html_to_text
from feeds.normalize.uri import iri_to_uri
from feeds.publish.atom import (
    EMPTY_FEED_UPDATED,
    GENERATOR,
    RSS_TYPE,
    Related,
    clean_related,
    entry_id,
    feed_url,
    sibling_url,
    source_title,
    topic_page_url,
    utc,
)
from feeds.publish.markup import clean, hex_references, names

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_ATOM_NS = "http://www.w3.org/2005/Atom"


def _newest(entries: Sequence[Entry]) -> datetime:
    return max((utc(e.updated) for e in entries), default=EMPTY_FEED_UPDATED)


def _link(entry: Entry, settings: Settings) -> str:
    link = clean(entry.link).strip()
    return link or (f"{settings.base_url}{entry.page}" if entry.page else "")


# --- RSS 2.0 -----------------------------------------------------------------------------------


class _RssHubs:
    """feedgen feed extension: ``<atom:link rel="hub">`` in the RSS channel."""

    def __init__(self) -> None:
        self.hubs: tuple[str, ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        return feed

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed.find("channel")
        assert channel is not None
        for hub in self.hubs:
            href = iri_to_uri(hub)
            etree.SubElement(channel, f"{{{_ATOM_NS}}}link", {"rel": "hub", "href": href})
        return feed


def _rss_item(entry: Entry, settings: Settings, sources: Mapping[str, Source]) -> Any:
    fe = FeedEntry()
    fe.load_extension("dc")
    link = iri_to_uri(_link(entry, settings))
    guid = entry_id(entry.id)
    # Both are URIs (entry_id percent-encodes ids): an IRI link is its id's permalink still.
    fe.guid(guid, permalink=guid == link and link.startswith(("http://", "https://")))
    fe.title(clean(entry.title).strip() or "-")
    if link:
        fe.link(href=link)
    fe.pubDate(utc(entry.published))
    summary, content = clean(entry.summary), clean(entry.content)
    if summary or content:
        fe.description(summary or content)
    if content:
        fe.content(content, type="CDATA")
    authors = names(entry.authors)
    if authors:
        fe.dc.dc_creator(authors)
    for term in names(entry.categories):
        fe.category(term=term)
    source = sources.get(entry.source)
    if source is not None and source.url:  # RSS <source> needs the URL of the source's feed
        fe.source(url=iri_to_uri(clean(source.url)), title=source_title(entry.source, sources))
    return fe


def render_rss(
    topic: Topic,
    entries: Sequence[Entry],
    *,
    settings: Settings,
    sources: Mapping[str, Source],
    hubs: Sequence[str] = (),
) -> bytes:
    """The RSS 2.0 sibling of a topic's Atom feed."""
    fg = FeedGenerator()
    fg.register_extension("feeds_hubs", _RssHubs, atom=False, rss=True)
    fg.feeds_hubs.hubs = tuple(hubs)
    fg.load_extension("dc")
    fg.title(clean(topic.title).strip() or topic.slug)
    fg.link(href=iri_to_uri(sibling_url(settings, topic, "rss")), rel="self", type=RSS_TYPE)
    fg.link(href=iri_to_uri(topic_page_url(settings, topic)))  # feedgen: the last link is <link>
    about = clean(topic.description).strip() or clean(topic.title).strip() or topic.slug
    fg.description(about)
    fg.generator(f"{GENERATOR} {__version__}")
    fg.docs("https://www.rssboard.org/rss-specification")
    fg.lastBuildDate(_newest(entries))
    try:
        for entry in entries:
            fg.add_entry(_rss_item(entry, settings, sources), order="append")
        data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as e:
        raise PublishError(f"cannot render {topic.slug} as RSS: {e}", topic=topic.slug) from e
    return hex_references(data)


# --- JSON Feed 1.1 -----------------------------------------------------------------------------


def _json_item(
    entry: Entry,
    settings: Settings,
    sources: Mapping[str, Source],
    related: Sequence[Related],
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry_id(entry.id)}
    link = _link(entry, settings)
    if link:
        item["url"] = link
    item["title"] = clean(entry.title).strip()
    html = clean(entry.content) or clean(entry.summary)
    item["content_html"] = html
    summary = clean(html_to_text(clean(entry.summary))).strip()
    if summary:
        item["summary"] = summary
    item["date_published"] = utc(entry.published).isoformat()
    item["date_modified"] = utc(entry.updated).isoformat()
    authors = names(entry.authors)
    if authors:
        item["authors"] = [{"name": a} for a in authors]
    tags = names(entry.categories)
    if tags:
        item["tags"] = tags
    item["language"] = clean(entry.language).strip() or "und"
    extension: dict[str, Any] = {"source": source_title(entry.source, sources)}
    if related:
        extension["related"] = [{"url": r.href, "title": r.title} for r in related]
    item["_feeds"] = extension
    return item


def render_json_feed(
    topic: Topic,
    entries: Sequence[Entry],
    *,
    settings: Settings,
    sources: Mapping[str, Source],
    hubs: Sequence[str] = (),
    related: Mapping[str, Sequence[Related]] | None = None,
) -> bytes:
    """The JSON Feed 1.1 sibling of a topic's Atom feed."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": clean(topic.title).strip() or topic.slug,
        "home_page_url": topic_page_url(settings, topic),
        "feed_url": sibling_url(settings, topic, "json"),
    }
    if clean(topic.description).strip():
        feed["description"] = clean(topic.description).strip()
    feed["authors"] = [{"name": clean(settings.title).strip() or GENERATOR}]
    if hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in hubs]
    feed["_feeds"] = {"atom": feed_url(settings, topic)}
    related = related or {}
    feed["items"] = [
        _json_item(e, settings, sources, clean_related(e, related.get(e.id, ()))) for e in entries
    ]
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
