"""Feed autodiscovery: is this body an HTML page, and which feeds does it link to?

Pure: bytes and a base URL in, URLs out. It must not fetch anything (feeds.sources.http follows the
links it returns) and must not import httpx. HTML is read with lxml's forgiving parser, which
also honours ``<meta charset>``; ``<base href>`` is respected when resolving relative links.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

#: Link types that name a feed, in no particular order (document order decides).
FEED_TYPES = frozenset(
    {
        "application/atom+xml",
        "application/rss+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json+feed",  # an early, still seen, name for JSON Feed
    }
)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: What a feed starts with, after a BOM, whitespace, an XML declaration and comments.
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf)\b", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_SNIFF = 2048


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """Whether a response is an HTML page rather than a feed.

    The body has the last word: servers label RSS ``text/html`` and HTML ``text/plain``.
    A body whose first element is a feed root (``rss``, ``feed``, ``rdf:RDF``) or that opens
    like JSON is a feed, whatever the label.
    """
    head = _skip_prolog(body[:_SNIFF])
    if head.startswith((b"{", b"[")) or _FEED_ROOT.match(head):
        return False
    if _HTML_ROOT.match(head):
        return True
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in _HTML_TYPES


def _skip_prolog(head: bytes) -> bytes:
    """``head`` without a byte order mark and leading whitespace, declarations, comments."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :].replace(b"\x00", b"")  # UTF-16: good enough to sniff
            break
    position = 0
    while match := _PROLOG.match(head, position):
        if match.end() == position:
            break
        position = match.end()
    return head[position:]


def find_feed_links(html: bytes, base_url: str) -> tuple[str, ...]:
    """Absolute http(s) URLs of the feeds an HTML page links to, in document order.

    ``<link rel="alternate" type="application/atom+xml" href="...">`` and its RSS and JSON
    Feed siblings; duplicates dropped. An empty tuple when there are none or the body is not
    HTML at all.
    """
    try:
        document = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return ()
    try:
        base = urljoin(base_url, _base_href(document) or "")
    except ValueError:
        base = base_url
    found: list[str] = []
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        media = (link.get("type") or "").split(";", 1)[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or media not in FEED_TYPES or not href:
            continue
        try:
            url = urljoin(base, href)
            scheme = urlsplit(url).scheme
        except ValueError:  # e.g. a malformed IPv6 host
            continue
        if scheme in ("http", "https") and url not in found:
            found.append(url)
    return tuple(found)


def _base_href(document: lxml.html.HtmlElement) -> str | None:
    for element in document.iter("base"):
        href = element.get("href")
        if isinstance(href, str) and href.strip():
            return href.strip()
    return None
