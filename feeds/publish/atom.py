"""Rendering of the published files: one Atom feed per topic (current or RFC 5005 archive
document), index.html, feeds.opml, and standalone pages for articles that have no URL of
their own. RSS 2.0 and JSON Feed siblings: :mod:`feeds.publish.formats`.

Pure functions: they take topics, entries and settings and return bytes. This module does not
query the store and writes nothing; the caller picks the entries (newest first) and hands the
bytes to :func:`feeds.publish.files.write_atomic`. The same input always gives the same bytes (no
"now" anywhere), so an unchanged topic leaves its file, mtime and ETag alone.

Atom is built with feedgen. What feedgen's ``FeedEntry`` cannot express (``xml:lang`` on an
entry, a full ``atom:source`` with id and updated, an explicit ``type="text"`` title that may
be empty, the ``rel`` of entry links that feedgen 1.0 drops) is added by :class:`_AtomExtras`, a
feedgen entry extension registered on each entry: it edits the lxml element feedgen built.
Feed-level extras (the xml-stylesheet instruction, WebSub hub, RFC 5005 links and
``fh:archive``) come in a :class:`Links` value; related links of a story (see
:mod:`feeds.normalize.grouping`) in a mapping from entry id.
"""

from __future__ import annotations

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
from feeds.normalize.feedwide import distinct_updated
from feeds.normalize.uri import canonical_uri, iri_to_uri
from feeds.publish.markup import (
    clean,
    esc,
    hex_references,
    names,
    set_text_construct,
    text_form,
)

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
JSON_FEED_TYPE = "application/feed+json"
#: RFC 5005 (Feed Paging and Archiving) namespace.
FH_NS = "http://purl.org/syndication/history/1.0"
#: RFC 6721 (Atom tombstones) namespace: ``at:deleted-entry`` of a retracted entry.
AT_NS = "http://purl.org/atompub/tombstones/1.0"
#: The browser stylesheet, copied into public/ by regenerate.
STYLESHEET = "feed.xsl"
#: ``updated`` of a feed that has no entries: fixed, so its bytes are stable.
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)
GENERATOR = "feeds"

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: RFC 3066 tag, as the Atom schema checks it.
_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


# --- small helpers ---------------------------------------------------------------------------


def language_tag(tag: str | None) -> str:
    """``tag`` if it is a well-formed language tag, else ``"und"`` (undetermined)."""
    tag = clean(tag).strip()
    return tag if _LANG_TAG.fullmatch(tag) else "und"


def utc(when: datetime) -> datetime:
    """Aware UTC (a naive datetime is taken to be UTC already)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def human_date(when: datetime) -> str:
    return utc(when).strftime("%Y-%m-%d %H:%M UTC")


def feed_url(settings: Settings, topic: Topic) -> str:
    """The public URL of a topic's Atom feed (also its ``atom:id`` and ``rel="self"``)."""
    return f"{settings.base_url}{quote(topic.slug)}.atom"


def atom_path(settings: Settings, topic: Topic) -> Path:
    """Where a topic's Atom feed is written."""
    return settings.public_dir / f"{topic.slug}.atom"


def page_url(settings: Settings, entry: Entry) -> str:
    return f"{settings.base_url}{quote(entry.page)}" if entry.page else ""


def sibling_url(settings: Settings, topic: Topic, extension: str) -> str:
    """The public URL of a topic's sibling feed (``"rss"``, ``"json"``)."""
    return f"{settings.base_url}{quote(topic.slug)}.{extension}"


def topic_page_url(settings: Settings, topic: Topic) -> str:
    """The topic's web page, ``<slug>.html`` (the feeds' site, for readers)."""
    return f"{settings.base_url}{quote(topic.slug)}.html"


def alternates(settings: Settings, topic: Topic) -> tuple[tuple[str, str], ...]:
    """The sibling formats switched on, as (media type, URL): the Atom feed's alternates."""
    found = [(RSS_TYPE, sibling_url(settings, topic, "rss"))] if settings.rss else []
    if settings.json_feed:
        found.append((JSON_FEED_TYPE, sibling_url(settings, topic, "json")))
    return tuple(found)


def stylesheet_href(depth: int = 0) -> str:
    """The XSL's href from a document ``depth`` folders below public/.

    Relative, so that browsers fetch it from the same origin as the feed wherever public/ is
    served (Chromium refuses a cross-origin XSLT stylesheet).
    """
    return "../" * depth + STYLESHEET


def entry_id(value: str) -> str:
    """An entry id as published: control characters removed, the rest a URI (a space or a
    non-ASCII letter would make the W3C validator flag it; the host in IDNA) in the normalized
    form RFC 4287 §4.2.6.1 asks of ids (``NonCanonicalURI`` otherwise). Deterministic, so
    the published id never changes while the stored id does not."""
    return canonical_uri(iri_to_uri(clean(value).strip()))


@dataclass(frozen=True, slots=True)
class Related:
    """Another source's copy of the same story, published as ``<link rel="related">``."""

    href: str
    title: str


@dataclass(frozen=True, slots=True)
class Links:
    """Feed-level extras of one published Atom document; every one optional."""

    #: href of the XSL stylesheet (an xml-stylesheet instruction for browsers).
    stylesheet: str | None = None
    #: WebSub hubs (``<link rel="hub">``).
    hubs: tuple[str, ...] = ()
    #: Sibling formats: (media type, href), as ``<link rel="alternate">``.
    alternates: tuple[tuple[str, str], ...] = ()
    #: The web page of what the document holds (None: the index page), its last
    #: ``<link rel="alternate">``: readers such as newsboat take the last one as the site.
    site: str | None = None
    #: RFC 5005: the newest older archive document.
    prev_archive: str | None = None
    #: RFC 5005, archives only: the next newer archive document.
    next_archive: str | None = None
    #: RFC 5005, archives only: the current (subscription) document.
    current: str | None = None
    #: Archives: their own URL (``atom:id`` and ``rel="self"``); None for the current feed.
    self_url: str | None = None
    #: Archives: their title.
    title: str | None = None
    #: RFC 6721 tombstones: (entry id, when it was retracted) of entries withdrawn.
    deleted: tuple[tuple[str, datetime], ...] = ()

    @property
    def archive(self) -> bool:
        return self.self_url is not None


# --- Atom --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Extras:
    title: str
    language: str
    source_id: str
    source_title: str
    source_updated: str
    source_url: str | None
    related: tuple[Related, ...] = ()
    #: A page source's URL is a web page, not a feed: ``alternate``, not ``self``.
    source_rel: str = "self"


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
            title.set("type", "text")
            set_text_construct(title, extras.title)
        for link in entry.findall("link"):  # feedgen 1.0 drops rel on entry links
            link.set("rel", link.get("rel") or "alternate")
        for related in extras.related:
            attributes = {"rel": "related", "href": related.href, "title": related.title}
            etree.SubElement(entry, "link", attributes)
        source = etree.SubElement(entry, "source")
        etree.SubElement(source, "id").text = extras.source_id
        set_text_construct(etree.SubElement(source, "title"), extras.source_title)
        if extras.source_url:
            attributes = {"rel": extras.source_rel, "href": extras.source_url}
            etree.SubElement(source, "link", attributes)
        etree.SubElement(source, "updated").text = extras.source_updated
        return entry


def source_title(name: str, sources: Mapping[str, Source]) -> str:
    """How a source is named to readers: its configured title, else its name."""
    source = sources.get(name)
    return clean((source.title or source.name) if source else name).strip() or clean(name)


def clean_related(entry: Entry, related: Sequence[Related]) -> tuple[Related, ...]:
    """Cleaned related links: not the entry's own link, each href once."""
    own = clean(entry.link).strip()
    links = {clean(r.href).strip(): clean(r.title).strip() for r in related}
    return tuple(Related(h, t) for h, t in links.items() if h and h != own)


def _extras(
    entry: Entry,
    settings: Settings,
    sources: Mapping[str, Source],
    related: Sequence[Related] = (),
) -> _Extras:
    source = sources.get(entry.source)
    title = source_title(entry.source, sources)
    url = clean(source.url) if source and source.url else None
    local_id = f"{settings.base_url}#source-{quote(entry.source, safe='')}"
    return _Extras(
        title=clean(entry.title).strip(),
        language=language_tag(entry.language),
        source_id=entry_id(url) if url else clean(local_id),
        source_title=clean(title) or clean(entry.source),
        source_updated=utc(entry.updated).isoformat(),
        source_url=url,
        related=clean_related(entry, related),
        source_rel="alternate" if source and source.kind == "page" else "self",
    )


def _atom_entry(
    entry: Entry, settings: Settings, sources: Mapping[str, Source], related: Sequence[Related]
) -> Any:
    fe = FeedEntry()
    fe.register_extension("feeds_extras", _AtomExtras, atom=True, rss=False)
    extras = _extras(entry, settings, sources, related)
    fe.feeds_extras.extras = extras
    fe.id(entry_id(entry.id))
    fe.title(extras.title or "-")  # feedgen refuses an empty title; the extension restores it
    link = clean(entry.link).strip() or page_url(settings, entry)
    if link:
        fe.link(href=link, rel="alternate")
    fe.published(utc(entry.published))
    fe.updated(utc(entry.updated))
    for name in names(entry.authors):
        fe.author(name=name)
    summary, content = clean(entry.summary), clean(entry.content)
    if summary:
        fe.summary(summary, type="html")
    elif not content and link and extras.title:
        # Link-only entry: give it some text (W3C Feed Validator: MissingTextualContent)
        kind, value = text_form(extras.title)
        fe.summary(value, type=kind)
    if content or not link:  # Atom: an entry without an alternate link must have content
        fe.content(content or summary, type="html")
    for term in names(entry.categories):
        fe.category(term=term)
    return fe


class _FeedExtras:
    """feedgen feed extension: ``fh:archive`` on an RFC 5005 archive document, RFC 6721
    ``at:deleted-entry`` tombstones, and the type of the feed's title and subtitle."""

    def __init__(self) -> None:
        self.archive = False
        self.deleted: tuple[tuple[str, datetime], ...] = ()
        #: (element name, plain text) of the feed's text constructs.
        self.texts: tuple[tuple[str, str], ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return ({"fh": FH_NS} if self.archive else {}) | ({"at": AT_NS} if self.deleted else {})

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        return feed

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        for name, text in self.texts:
            element = feed.find(name)  # feedgen's elements have no namespace of their own
            if element is not None:
                set_text_construct(element, text)
        if self.archive:
            marker = etree.Element(f"{{{FH_NS}}}archive")
            first = feed.find("{http://www.w3.org/2005/Atom}entry")
            if first is None:
                feed.append(marker)
            else:
                first.addprevious(marker)
        for ref, when in self.deleted:
            attributes = {"ref": entry_id(ref), "when": utc(when).isoformat()}
            etree.SubElement(feed, f"{{{AT_NS}}}deleted-entry", attributes)
        return feed


def _feed_links(fg: Any, url: str, settings: Settings, links: Links) -> None:
    fg.link(href=url, rel="self", type=ATOM_TYPE)
    for media_type, href in links.alternates:
        fg.link(href=href, rel="alternate", type=media_type)
    # Last: newsboat keeps the last alternate as the feed's site (#15 item 9).
    fg.link(href=links.site or settings.base_url, rel="alternate", type="text/html")
    for hub in links.hubs:
        fg.link(href=hub, rel="hub")
    paging = {"current": links.current, "prev-archive": links.prev_archive}
    paging["next-archive"] = links.next_archive
    for rel, target in paging.items():
        if target:
            fg.link(href=target, rel=rel, type=ATOM_TYPE)


def with_stylesheet(data: bytes, href: str | None) -> bytes:
    """``data`` (XML with a declaration line) with an xml-stylesheet instruction after it."""
    if not href:
        return data
    declaration, _, rest = data.partition(b"\n")
    pi = f'<?xml-stylesheet type="text/xsl" href="{esc(href)}"?>'.encode()
    return declaration + b"\n" + pi + b"\n" + rest


def render_atom(
    topic: Topic,
    entries: Sequence[Entry],
    *,
    settings: Settings,
    sources: Mapping[str, Source],
    links: Links = Links(),
    related: Mapping[str, Sequence[Related]] | None = None,
) -> bytes:
    """The Atom feed of ``topic`` with ``entries`` in the given order (newest first).

    With ``links.self_url`` it is an RFC 5005 archive document at that URL.
    """
    url = links.self_url or feed_url(settings, topic)
    entries = distinct_updated(entries)  # no DuplicateUpdated, whatever their sources (#15)
    fg = FeedGenerator()
    fg.register_extension("feeds_feed", _FeedExtras, atom=True, rss=False)
    fg.feeds_feed.archive = links.archive
    fg.feeds_feed.deleted = links.deleted
    fg.id(url)
    texts = {"title": clean(links.title or topic.title).strip() or topic.slug}
    if clean(topic.description).strip():
        texts["subtitle"] = clean(topic.description).strip()
    fg.title(texts["title"])
    if "subtitle" in texts:
        fg.subtitle(texts["subtitle"])
    fg.feeds_feed.texts = tuple(texts.items())
    _feed_links(fg, url, settings, links)
    fg.author(name=clean(settings.title).strip() or GENERATOR)
    fg.generator(GENERATOR, version=__version__)
    # A retraction changes the feed as much as an entry does (RFC 4287 §4.2.15).
    times = [utc(e.updated) for e in entries] + [utc(when) for _, when in links.deleted]
    fg.updated(max(times, default=EMPTY_FEED_UPDATED))
    try:
        for entry in entries:
            extra = (related or {}).get(entry.id, ())
            fg.add_entry(_atom_entry(entry, settings, sources, extra), order="append")
        data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as e:  # feedgen's "required fields not set", lxml's "not XML compatible"
        raise PublishError(f"cannot render {topic.slug}: {e}", topic=topic.slug) from e
    return with_stylesheet(hex_references(data, ampersands_only=True), links.stylesheet)
