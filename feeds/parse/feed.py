"""Feed bodies → raw items: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser, JSON Feed
1.x through json (``json_feed.py``).

Common, well-formed RSS 2.0 and Atom 1.0 bodies first take a fast path (``fast/``, on lxml)
that reproduces the part of feedparser's result read here, exactly, or declines; a declined
body goes to feedparser. Either result becomes the ParsedFeed through the same code below.
``fast=False`` turns the fast path off (the benchmark's reference; ingest reads that from
``FEEDS_FAST_PARSE``).

Parsing only: no network, no file (feedparser is given a stream, never bytes it could take for
a path), no sanitizing (normalize runs nh3 once), no resolving of relative links in content
(normalize does it against ``RawItem.base``), no ids, no date defaults.
A body that is not a feed raises ParseError; oddities inside a feed (missing or duplicate
guids, untitled entries, a bozo flag with usable entries) are kept for normalize to settle.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import feedparser
from feedparser.urls import _urljoin

from feeds.errors import ParseError
from feeds.models import ParsedFeed, RawItem
from feeds.normalize.text import collapse_spaces, html_to_text
from feeds.parse.dates import dict_value, entry_date
from feeds.parse.fast import parse_fast
from feeds.parse.fast.common import _PLAIN_URL
from feeds.parse.json_feed import parse_json_feed
from feeds.parse.values import as_number, clipped_line, first_non_blank, non_blank
from feeds.words import count

__all__ = ["parse_feed"]

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_START = re.compile(
    rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)
#: More attributes on one element is an attack: feedparser looks each one up in a list of all
#: of them (quadratic in their number). Such a tag is at least 4 bytes each.
MAX_ATTRIBUTES = 1000
_LONG_TAG = re.compile(rb"<[^<>]{%d,}>" % (4 * MAX_ATTRIBUTES))
#: Set to 0 (or false, no, off) to read every RSS/Atom body with feedparser.
#: sy:updatePeriod → seconds.
_PERIODS = {
    "hourly": 3600.0,
    "daily": 86400.0,
    "weekly": 7 * 86400.0,
    "monthly": 30 * 86400.0,
    "yearly": 365 * 86400.0,
}


def parse_feed(
    body: bytes, *, url: str | None = None, content_type: str | None = None, fast: bool = True
) -> ParsedFeed:
    """Parse one fetched (or read) feed body (``fast``: try the fast path first).

    ``url`` is where it came from: relative links and xml:base resolve against it.
    ``content_type`` is the Content-Type header, if any (it picks JSON Feed and the charset).
    Raises ParseError when the body is not a feed.
    """
    start = _strip_bom(body).lstrip()
    if not start:
        raise ParseError("empty body: not a feed")
    if _is_json(start, content_type):
        return parse_json_feed(body, url)
    if _HTML_START.match(start):
        raise ParseError("not a feed: the body is an HTML page")
    _check_attributes(body)
    return _parse_xml_feed(body, url, content_type, fast)


def _strip_bom(body: bytes) -> bytes:
    for bom in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :]
    return body


def _check_attributes(body: bytes) -> None:
    """ParseError if an element has more than MAX_ATTRIBUTES attributes (a linear scan)."""
    for match in _LONG_TAG.finditer(body):
        if match.group().count(b"=") > MAX_ATTRIBUTES:
            raise ParseError(
                f"refused: an element with more than {MAX_ATTRIBUTES} attributes "
                "(a hostile or broken document)"
            )


def _is_json(start: bytes, content_type: str | None) -> bool:
    if start.startswith(b"{"):
        return True
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime.endswith(("/json", "+json")) and not start.startswith(b"<")


# --- RSS and Atom ------------------------------------------------------------------------


def _parse_xml_feed(
    body: bytes, url: str | None, content_type: str | None, fast: bool
) -> ParsedFeed:
    result: Mapping[str, Any] | None = None
    if fast:
        result = parse_fast(body, None, content_type)
    if result is None:
        result = _feedparser(body, None, content_type)
    return _parsed_feed(result, url)


def _feedparser_only(body: bytes, url: str | None, content_type: str | None) -> ParsedFeed:
    """An RSS/Atom body read by feedparser alone (what the fast path must equal)."""
    return _parsed_feed(_feedparser(body, None, content_type), url)


def _fast_only(body: bytes, url: str | None, content_type: str | None) -> ParsedFeed | None:
    """An RSS/Atom body read by the fast path alone; None when it declines."""
    result = parse_fast(body, None, content_type)
    return None if result is None else _parsed_feed(result, url)


def _feedparser(body: bytes, url: str | None, content_type: str | None) -> Mapping[str, Any]:
    headers = {}
    if url:
        headers["content-location"] = url
    if content_type:
        headers["content-type"] = content_type
    # A stream: given bytes, feedparser first tries to open them as a file name.
    return feedparser.parse(  # type: ignore[no-any-return]
        io.BytesIO(body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _parsed_feed(d: Mapping[str, Any], url: str | None) -> ParsedFeed:
    """feedparser's result (or the fast path's copy) → ParsedFeed. Both are made without the
    URL, joined to links here: feedparser would resolve a guid that is no URI against it too
    ("7" in a file became the id "file://tmp/7": #15 item 4); normalize makes the ids."""
    feed: Mapping[str, Any] = d.get("feed", {})
    entries: Sequence[Mapping[str, Any]] = d.get("entries", [])
    version = d.get("version") or ""
    title = _detail_text(feed, "title")
    # feedparser also flags a missing or non-XML Content-Type: the transport's label, not a
    # fault of the body (a file has none). The bytes alone decide, as for a URL (#15 item 11).
    bozo = d.get("bozo") and not isinstance(d.get("bozo_exception"), feedparser.NonXMLContentType)
    if not entries and (not version or (bozo and not title)):
        reason = d.get("bozo_exception")
        detail = f" ({clipped_line(str(reason))})" if reason else ""
        raise ParseError(f"not a feed: no RSS, Atom or JSON Feed found{detail}")
    language = feed.get("language") or None
    items = [_xml_item(e, language, url) for e in entries]
    usable = tuple(i for i in items if i.guid or i.title or i.link or i.summary or i.content)
    # A truncated body can end in an entry with nothing in it: not worth an Entry.
    problems = (
        [f"{count(len(items) - len(usable), 'empty entry', 'empty entries')} skipped"]
        if len(usable) < len(items)
        else []
    )
    return ParsedFeed(
        items=usable,
        problems=tuple(problems),
        title=title,
        link=_join(url, non_blank(feed.get("link"))),
        language=language,
        ttl=_ttl(feed),
        authors=_xml_authors(feed),
    )


def _xml_item(e: Mapping[str, Any], feed_language: str | None, url: str | None) -> RawItem:
    content = _content(e)
    details = [c for c in (content, e.get("summary_detail"), e.get("title_detail")) if c]
    summary = _as_html(e.get("summary_detail")) if e.get("summary") else None
    body = _as_html(content) if content else None
    if summary == body:
        # feedparser copies content:encoded into summary when there is no description:
        # let normalize derive a real summary from the content.
        summary = None
    guid = non_blank(e.get("id"))
    return RawItem(
        guid=guid,
        resolved_guid=_resolved(url, guid),
        title=_as_html(e.get("title_detail")) if e.get("title") else None,
        link=_join(url, non_blank(e.get("link"))),
        summary=summary,
        content=body,
        authors=_xml_authors(e),
        published=entry_date(e, "published" if dict_value(e, "published_parsed") else "created"),
        updated=entry_date(e, "updated"),
        language=first_non_blank(d.get("language") for d in details) or feed_language,
        categories=_categories(e.get("tags") or ()),
        base=_join(url, first_non_blank(d.get("base") for d in details)) or url,
    )


def _resolved(url: str | None, guid: str | None) -> str | None:
    """What feedparser made of a guid that is not a URI, given an http(s) URL; else None."""
    if not guid or not url or not url.lower().startswith(("http:", "https:")):
        return None
    resolved = _join(url, guid)
    return resolved if resolved != guid else None


def _join(url: str | None, ref: str | None) -> str | None:
    """``ref`` resolved against the document's URL, as feedparser would have given it."""
    if not ref or not url or _PLAIN_URL.fullmatch(ref):  # most links: as they are
        return ref
    return _urljoin(url, ref) or None


def _content(e: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The richest of an entry's contents (HTML before plain text), or None."""
    contents = [c for c in e.get("content") or () if c.get("value")]
    for c in contents:
        if "html" in (c.get("type") or ""):
            return c  # type: ignore[no-any-return]
    return contents[0] if contents else None


def _as_html(detail: Mapping[str, Any] | None) -> str | None:
    """A feedparser text construct as HTML (plain text is escaped)."""
    if not detail:
        return None
    value = non_blank(detail.get("value"))
    if value is None:
        return None
    if "html" in (detail.get("type") or "text/html"):
        return value
    return html.escape(value, quote=False)


def _detail_text(feed: Mapping[str, Any], key: str) -> str | None:
    """A feed-level text construct as plain text."""
    detail = feed.get(f"{key}_detail")
    value = non_blank(feed.get(key))
    if value and detail and "html" in (detail.get("type") or ""):
        value = html_to_text(value)
    if not value:
        return None
    return collapse_spaces(value) or None


def _xml_authors(e: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for a in e.get("authors") or ():
        if not isinstance(a, Mapping):
            continue
        name = non_blank(a.get("name")) or non_blank(a.get("email"))
        if name and name not in names:
            names.append(name)
    if not names and non_blank(e.get("author")):
        names.append(str(e["author"]).strip())
    return tuple(names)


def _categories(tags: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    out: list[str] = []
    for tag in tags:
        term = non_blank(tag.get("label")) or non_blank(tag.get("term"))
        if term and term not in out:
            out.append(term)
    return tuple(out)


def _ttl(feed: Mapping[str, Any]) -> float | None:
    """The server's hint in seconds: RSS <ttl> minutes and sy:updatePeriod; the larger."""
    hints: list[float] = []
    ttl = as_number(feed.get("ttl"))
    if ttl and ttl > 0:
        hints.append(ttl * 60)
    period = _PERIODS.get((non_blank(feed.get("sy_updateperiod")) or "").lower())
    if period:
        frequency = as_number(feed.get("sy_updatefrequency")) or 1.0
        hints.append(period / frequency if frequency > 0 else period)
    return max(hints) if hints else None
