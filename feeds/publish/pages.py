"""The HTML and OPML files of public/: index.html, feeds.opml and pages for articles.

Pure rendering, like ``feeds.publish.atom`` (whose escaping and URL helpers it shares): values in,
deterministic bytes out. It does not query the store or write files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote

from lxml import etree

from feeds.models import Entry, Settings, Topic
from feeds.publish.atom import (
    ATOM_TYPE,
    JSON_FEED_TYPE,
    RSS_TYPE,
    feed_url,
    human_date,
    language_tag,
    page_url,
    topic_page_url,
    utc,
)
from feeds.publish.markup import clean, esc, names
from feeds.words import count


def _siblings(settings: Settings, topic: Topic) -> list[tuple[str, str, str]]:
    """The topic's sibling formats switched on: (media type, name, relative href)."""
    found = [(RSS_TYPE, "RSS", "rss")] if settings.rss else []
    found += [(JSON_FEED_TYPE, "JSON Feed", "json")] if settings.json_feed else []
    return [(t, name, f"{quote(topic.slug)}.{ext}") for t, name, ext in found]


def _index_item(
    topic: Topic,
    settings: Settings,
    counts: Mapping[str, int] | None,
    updated: Mapping[str, datetime] | None,
) -> str:
    url = feed_url(settings, topic)
    href = f"{quote(topic.slug)}.atom"
    lines = [
        f'<li id="topic-{esc(topic.slug)}">',
        f'<h2><a href="{esc(href)}" type="{ATOM_TYPE}">{esc(topic.title)}</a></h2>',
    ]
    if topic.description:
        lines.append(f'<p class="description">{esc(topic.description)}</p>')
    meta = []
    if counts is not None and topic.slug in counts:
        n = counts[topic.slug]
        meta.append(f'<span class="count">{count(n, "entry")}</span>')
    if updated is not None and topic.slug in updated:
        when = updated[topic.slug]
        iso = utc(when).isoformat()
        meta.append(f'updated <time datetime="{iso}">{human_date(when)}</time>')
    if meta:
        lines.append(f'<p class="meta">{" · ".join(meta)}</p>')
    lines.append(f'<p class="url">Feed: <code>{esc(url)}</code></p>')
    others = [
        f'<a href="{esc(href)}" type="{t}">{name}</a>'
        for t, name, href in _siblings(settings, topic)
    ]
    if others:
        lines.append(f'<p class="formats">Also as {" · ".join(others)}</p>')
    lines.append("</li>")
    return "\n".join(lines)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}ul{list-style:none;padding:0}li{margin:1.5rem 0}h2{margin:0;"
    "font-size:1.2rem}.meta,.url{color:#555;margin:.2rem 0}code{word-break:break-all}"
)


def render_index(
    topics: Sequence[Topic],
    *,
    settings: Settings,
    counts: Mapping[str, int] | None = None,
    updated: Mapping[str, datetime] | None = None,
    status: str | None = None,
) -> bytes:
    """``index.html``: the topics, their feeds, and an autodiscovery link for each; with
    ``status`` (the health feed's href), a link to it for the operator."""
    title = esc(settings.title)
    discovery = [
        f'<link rel="alternate" type="{ATOM_TYPE}" title="{esc(t.title)}" '
        f'href="{esc(feed_url(settings, t))}">'
        for t in topics
    ]
    discovery += [
        f'<link rel="alternate" type="{media_type}" title="{esc(t.title)} ({name})" '
        f'href="{esc(settings.base_url + href)}">'
        for t in topics
        for media_type, name, href in _siblings(settings, t)
    ]
    items = [_index_item(t, settings, counts, updated) for t in topics]
    listing = ["<ul>", *items, "</ul>"] if items else ["<p>No topics yet.</p>"]
    body = [
        f"<h1>{title}</h1>",
        '<p class="subscribe">To subscribe, paste a feed\'s address into your feed reader, '
        'or import <a href="feeds.opml">feeds.opml</a> to follow every topic at once.</p>',
        *listing,
    ]
    if status is not None:  # not an autodiscovery link: readers are not meant to find it
        body.append(
            f'<p class="status">For the operator: <a href="{esc(status)}" type="{ATOM_TYPE}">'
            "source health</a>, a feed of sources that start failing, recover or fall silent."
            "</p>"
        )
    return _html_page("en", title, discovery, body)


def _html_page(lang: str, title: str, head: Sequence[str], body: Sequence[str]) -> bytes:
    """A whole HTML5 page; ``lang``, ``title`` and the lines given are already escaped."""
    page = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        *head,
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(page).encode("utf-8")


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


# --- article pages -----------------------------------------------------------------------------


def render_article_page(entry: Entry, *, settings: Settings) -> bytes:
    """A standalone page for an article without a URL of its own (``entry.page``).

    ``entry.content`` / ``entry.summary`` are already sanitized HTML and go in as they are;
    everything else is escaped.
    """
    title = esc(entry.title)
    authors = ", ".join(esc(a) for a in names(entry.authors))
    byline = f'<time datetime="{utc(entry.published).isoformat()}">'
    byline += f"{utc(entry.published):%Y-%m-%d}</time>"
    if authors:
        byline += f' · <span class="author">{authors}</span>'
    canonical = page_url(settings, entry) or clean(entry.link)
    head_extra = [f'<link rel="canonical" href="{esc(canonical)}">'] if canonical else []
    body = [
        f'<p><a href="{esc(settings.base_url)}">← {esc(settings.title)}</a></p>',
        "<article>",
        f"<h1>{title}</h1>",
        f'<p class="meta">{byline}</p>',
        clean(entry.content or entry.summary),
        "</article>",
    ]
    return _html_page(esc(language_tag(entry.language)), title, head_extra, body)
