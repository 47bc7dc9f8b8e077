"""Rendering of the published files: one Atom feed per topic, index.html, feeds.opml, and
standalone pages for articles that have no URL of their own.

Pure functions: they take topics, entries and settings and return bytes. This module does not
query the store and writes nothing; the caller picks the entries (newest first) and hands the
bytes to :func:`feeds.files.write_atomic`. The same input always gives the same bytes (no
"now" anywhere), so an unchanged topic leaves its file, mtime and ETag alone.

Atom is built with feedgen. What feedgen's ``FeedEntry`` cannot express (``xml:lang`` on an
entry, a full ``atom:source`` with id and updated, an explicit ``type="text"`` title that may
be empty, the ``rel`` of entry links that feedgen 1.0 drops) is added by :class:`_AtomExtras`, a
feedgen entry extension registered on each entry: it edits the lxml element feedgen built.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import __version__
from feeds.errors import PublishError
from feeds.models import Entry, Settings, Source, Topic

ATOM_TYPE = "application/atom+xml"
#: ``updated`` of a feed that has no entries: fixed, so its bytes are stable.
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)
GENERATOR = "feeds"

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Characters XML 1.0 cannot carry at all (C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: RFC 3066 tag, as the Atom schema checks it.
_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


# --- small helpers ---------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """``text`` without the characters that cannot appear in XML (``None`` gives "")."""
    return _NOT_XML.sub("", text) if text else ""


def language_tag(tag: str | None) -> str:
    """``tag`` if it is a well-formed language tag, else ``"und"`` (undetermined)."""
    tag = clean(tag).strip()
    return tag if _LANG_TAG.fullmatch(tag) else "und"


def _utc(when: datetime) -> datetime:
    """Aware UTC (a naive datetime is taken to be UTC already)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _esc(text: str | None) -> str:
    return html.escape(clean(text), quote=True)


def _human_date(when: datetime) -> str:
    return _utc(when).strftime("%Y-%m-%d %H:%M UTC")


def feed_url(settings: Settings, topic: Topic) -> str:
    """The public URL of a topic's Atom feed (also its ``atom:id`` and ``rel="self"``)."""
    return f"{settings.base_url}{quote(topic.slug)}.atom"


def atom_path(settings: Settings, topic: Topic) -> Path:
    """Where a topic's Atom feed is written."""
    return settings.public_dir / f"{topic.slug}.atom"


def _page_url(settings: Settings, entry: Entry) -> str:
    return f"{settings.base_url}{quote(entry.page)}" if entry.page else ""


# --- Atom --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Extras:
    title: str
    language: str
    source_id: str
    source_title: str
    source_updated: str
    source_url: str | None


class _AtomExtras:
    """feedgen entry extension: writes what ``FeedEntry`` has no setter for."""

    def __init__(self) -> None:
        self.extras: _Extras | None = None

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_rss(self, item: etree._Element) -> etree._Element:
        return item

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        extras = self.extras
        if extras is None:
            return entry
        entry.set(_XML_LANG, extras.language)
        title = entry.find("title")
        if title is not None:
            title.text = extras.title
            title.set("type", "text")
        for link in entry.findall("link"):  # feedgen 1.0 drops rel on entry links
            link.set("rel", link.get("rel") or "alternate")
        source = etree.SubElement(entry, "source")
        etree.SubElement(source, "id").text = extras.source_id
        etree.SubElement(source, "title").text = extras.source_title
        if extras.source_url:
            etree.SubElement(source, "link", {"rel": "self", "href": extras.source_url})
        etree.SubElement(source, "updated").text = extras.source_updated
        return entry


def _extras(entry: Entry, settings: Settings, sources: Mapping[str, Source]) -> _Extras:
    source = sources.get(entry.source)
    title = (source.title or source.name) if source else entry.source
    url = clean(source.url) if source and source.url else None
    local_id = f"{settings.base_url}#source-{quote(entry.source, safe='')}"
    return _Extras(
        title=clean(entry.title).strip(),
        language=language_tag(entry.language),
        source_id=url or clean(local_id),
        source_title=clean(title) or clean(entry.source),
        source_updated=_utc(entry.updated).isoformat(),
        source_url=url,
    )


def _unique(values: Sequence[str]) -> list[str]:
    """Cleaned, stripped, non-empty, first occurrence kept."""
    return list(dict.fromkeys(v for v in (clean(x).strip() for x in values) if v))


def _atom_entry(entry: Entry, settings: Settings, sources: Mapping[str, Source]) -> Any:
    fe = FeedEntry()
    fe.register_extension("feeds_extras", _AtomExtras, atom=True, rss=False)
    extras = _extras(entry, settings, sources)
    fe.feeds_extras.extras = extras
    fe.id(clean(entry.id).strip())
    fe.title(extras.title or "-")  # feedgen refuses an empty title; the extension restores it
    link = clean(entry.link).strip() or _page_url(settings, entry)
    if link:
        fe.link(href=link, rel="alternate")
    fe.published(_utc(entry.published))
    fe.updated(_utc(entry.updated))
    for name in _unique(entry.authors):
        fe.author(name=name)
    summary, content = clean(entry.summary), clean(entry.content)
    if summary:
        fe.summary(summary, type="html")
    if content or not link:  # Atom: an entry without an alternate link must have content
        fe.content(content or summary, type="html")
    for term in _unique(entry.categories):
        fe.category(term=term)
    return fe


def render_atom(
    topic: Topic,
    entries: Sequence[Entry],
    *,
    settings: Settings,
    sources: Mapping[str, Source],
) -> bytes:
    """The Atom feed of ``topic`` with ``entries`` in the given order (newest first)."""
    url = feed_url(settings, topic)
    fg = FeedGenerator()
    fg.id(url)
    fg.title(clean(topic.title).strip() or topic.slug)
    if clean(topic.description).strip():
        fg.subtitle(clean(topic.description).strip())
    fg.link(href=url, rel="self", type=ATOM_TYPE)
    fg.link(href=settings.base_url, rel="alternate", type="text/html")
    fg.author(name=clean(settings.title).strip() or GENERATOR)
    fg.generator(GENERATOR, version=__version__)
    fg.updated(max((_utc(e.updated) for e in entries), default=EMPTY_FEED_UPDATED))
    try:
        for entry in entries:
            fg.add_entry(_atom_entry(entry, settings, sources), order="append")
        data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as e:  # feedgen's "required fields not set", lxml's "not XML compatible"
        raise PublishError(f"cannot render {topic.slug}: {e}", topic=topic.slug) from e
    return data


# --- index.html and feeds.opml ----------------------------------------------------------------


def _index_item(
    topic: Topic,
    settings: Settings,
    counts: Mapping[str, int] | None,
    updated: Mapping[str, datetime] | None,
) -> str:
    url = feed_url(settings, topic)
    href = f"{quote(topic.slug)}.atom"
    lines = [
        f'<li id="topic-{_esc(topic.slug)}">',
        f'<h2><a href="{_esc(href)}" type="{ATOM_TYPE}">{_esc(topic.title)}</a></h2>',
    ]
    if topic.description:
        lines.append(f'<p class="description">{_esc(topic.description)}</p>')
    meta = []
    if counts is not None and topic.slug in counts:
        n = counts[topic.slug]
        meta.append(f'<span class="count">{n} {"entry" if n == 1 else "entries"}</span>')
    if updated is not None and topic.slug in updated:
        when = updated[topic.slug]
        iso = _utc(when).isoformat()
        meta.append(f'updated <time datetime="{iso}">{_human_date(when)}</time>')
    if meta:
        lines.append(f'<p class="meta">{" · ".join(meta)}</p>')
    lines.append(f'<p class="url">Feed: <code>{_esc(url)}</code></p>')
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
) -> bytes:
    """``index.html``: the topics, their feeds, and an autodiscovery link for each."""
    title = _esc(settings.title)
    discovery = [
        f'<link rel="alternate" type="{ATOM_TYPE}" title="{_esc(t.title)}" '
        f'href="{_esc(feed_url(settings, t))}">'
        for t in topics
    ]
    items = [_index_item(t, settings, counts, updated) for t in topics]
    listing = ["<ul>", *items, "</ul>"] if items else ["<p>No topics yet.</p>"]
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        *discovery,
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        '<p class="subscribe">To subscribe, paste a feed\'s address into your feed reader, '
        'or import <a href="feeds.opml">feeds.opml</a> to follow every topic at once.</p>',
        *listing,
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
            "htmlUrl": f"{settings.base_url}#topic-{quote(topic.slug)}",
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
    title = _esc(entry.title)
    authors = ", ".join(_esc(a) for a in _unique(entry.authors))
    byline = f'<time datetime="{_utc(entry.published).isoformat()}">'
    byline += f"{_utc(entry.published):%Y-%m-%d}</time>"
    if authors:
        byline += f' · <span class="author">{authors}</span>'
    canonical = _page_url(settings, entry) or clean(entry.link)
    head_extra = [f'<link rel="canonical" href="{_esc(canonical)}">'] if canonical else []
    page = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(language_tag(entry.language))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        *head_extra,
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f'<p><a href="{_esc(settings.base_url)}">← {_esc(settings.title)}</a></p>',
        "<article>",
        f"<h1>{title}</h1>",
        f'<p class="meta">{byline}</p>',
        clean(entry.content or entry.summary),
        "</article>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(page).encode("utf-8")
