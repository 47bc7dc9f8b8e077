"""The HTML and OPML files of public/: ``index.html``, a page per topic (``<slug>.html``),
``status.html``, pages for articles without a URL of their own, and ``feeds.opml``.

Pure rendering: values in, deterministic bytes out, through the Jinja2 templates of
``feeds.publish.templating`` (autoescaped). It does not query the store or write files
(``feeds.publish.site`` and ``feeds.publish.topic_page`` do).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from lxml import etree
from markupsafe import Markup

from feeds.models import Entry, Settings, Topic
from feeds.publish.atom import (
    ATOM_TYPE,
    JSON_FEED_TYPE,
    RSS_TYPE,
    feed_url,
    language_tag,
    page_url,
    sibling_url,
    topic_page_url,
)
from feeds.publish.markup import clean
from feeds.publish.templating import EntryView, html_text, render
from feeds.words import count

#: The site's pages besides the topics' (a topic may not take their slugs).
INDEX, STATUS = "index.html", "status.html"
STYLESHEET_CSS, COPY_SCRIPT = "feeds.css", "copy.js"


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One of a topic's feeds: its format's name, media type, href from public/, URL."""

    name: str
    media_type: str
    href: str
    url: str


def feed_links(settings: Settings, topic: Topic) -> tuple[FeedLink, ...]:
    """The topic's feeds switched on: Atom, then RSS and JSON Feed."""
    slug = quote(topic.slug)
    found = [FeedLink("Atom", ATOM_TYPE, f"{slug}.atom", feed_url(settings, topic))]
    if settings.rss:
        found.append(FeedLink("RSS", RSS_TYPE, f"{slug}.rss", sibling_url(settings, topic, "rss")))
    if settings.json_feed:
        url = sibling_url(settings, topic, "json")
        found.append(FeedLink("JSON Feed", JSON_FEED_TYPE, f"{slug}.json", url))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """A topic as the index shows it."""

    topic: Topic
    feeds: tuple[FeedLink, ...]
    #: How many entries it holds (None: not published yet).
    entries: int | None = None
    updated: datetime | None = None
    newest: tuple[EntryView, ...] = ()


def render_index(
    topics: Sequence[Topic],
    *,
    settings: Settings,
    counts: Mapping[str, int] | None = None,
    updated: Mapping[str, datetime] | None = None,
    newest: Mapping[str, Sequence[EntryView]] | None = None,
) -> bytes:
    """``index.html``: each topic with its newest few entries, its size and last update, its
    feeds (and an autodiscovery link for each), and links to the status page and OPML."""
    summaries = [
        TopicSummary(
            t,
            feed_links(settings, t),
            (counts or {}).get(t.slug),
            (updated or {}).get(t.slug),
            tuple((newest or {}).get(t.slug, ())),
        )  # fmt: skip
        for t in topics
    ]
    return render(
        "index.html.j2", settings=settings, topics=summaries, root="", page="index", lang="en",
        title=settings.title, count=count,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ArchiveLink:
    number: int
    href: str


def render_topic_page(
    topic: Topic,
    entries: Sequence[EntryView],
    *,
    settings: Settings,
    archives: Sequence[str] = (),
) -> bytes:
    """``<slug>.html``: the topic's newest entries, its subscribe box, its archive pages
    (``archives``: their paths under public/, oldest first)."""
    pages = [ArchiveLink(n, quote(path)) for n, path in enumerate(archives, start=1)]
    newest = max((e.published for e in entries), default=None)
    return render(
        "topic.html.j2", settings=settings, topic=topic, entries=entries,
        feeds=feed_links(settings, topic), archives=pages[::-1], newest=newest, root="",
        page="topic", lang="en", title=f"{topic.title} · {settings.title}", count=count,
        page_url=topic_page_url(settings, topic),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source as the status page shows it."""

    name: str
    title: str
    kind: str
    #: "ok", "error", "gone", "new", or "disabled".
    status: str
    last_success: datetime | None
    #: The last failure's message, while it is failing.
    last_error: str | None
    next_run: datetime | None
    entries: int


@dataclass(frozen=True, slots=True)
class TopicStatus:
    topic: Topic
    entries: int | None
    published_at: datetime | None


def render_status_page(
    sources: Sequence[SourceStatus],
    topics: Sequence[TopicStatus],
    *,
    settings: Settings,
    health_feed: str | None,
) -> bytes:
    """``status.html``: every source and topic; ``health_feed``: the health feed's href."""
    failing = sum(1 for s in sources if s.status in ("error", "gone"))
    return render(
        "status.html.j2", settings=settings, sources=sources, topics=topics, root="",
        page="status", lang="en", title=f"Status · {settings.title}", failing=failing,
        health_feed=health_feed, atom_type=ATOM_TYPE, count=count,
    )  # fmt: skip


def render_article_page(entry: Entry, *, settings: Settings) -> bytes:
    """A standalone page for an article without a URL of its own (``entry.page``).

    ``entry.content`` / ``entry.summary`` are already sanitized HTML and go in as they are;
    everything else is escaped.
    """
    depth = (entry.page or "").count("/")
    authors = tuple(dict.fromkeys(a for a in entry.authors if a.strip()))
    return render(
        "article.html.j2", settings=settings, entry=entry, authors=authors,
        body=Markup(html_text(clean(entry.content or entry.summary))),
        canonical=page_url(settings, entry) or clean(entry.link), root="../" * depth,
        page="article", lang="en", entry_lang=language_tag(entry.language), title=entry.title,
    )  # fmt: skip


def render_opml(topics: Sequence[Topic], *, settings: Settings) -> bytes:
    """``feeds.opml`` (OPML 2.0): one outline per topic, to subscribe to all at once."""
    root = etree.Element("opml", {"version": "2.0"})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = clean(settings.title)
    body = etree.SubElement(root, "body")
    for topic in topics:
        attrs = {
            "type": "rss",
            "text": clean(topic.title),
            "title": clean(topic.title),
            "xmlUrl": feed_url(settings, topic),
            "htmlUrl": topic_page_url(settings, topic),
        }
        if topic.description:
            attrs["description"] = clean(topic.description)
        etree.SubElement(body, "outline", attrs)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
