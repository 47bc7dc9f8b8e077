"""The fast path of parse_feed: common, well-formed RSS 2.0 and Atom 1.0 read with lxml.

feedparser is most of the CPU of a cold ingest; lxml reads the same documents many times
faster. ``parse_fast`` returns the part of ``feedparser.parse``'s result that ``feed.py`` reads
(the feed's title, link, language, authors, ttl and sy:* hints; per entry id, title and summary
details, link, content, authors, tags, dates), the same keys and equal values, so one piece of
code in feed.py makes the ParsedFeed from either. Or it returns None — it *declines* — and
parse_feed asks feedparser. Declining is always safe; it is what happens to anything this
module is not certain to reproduce exactly.

How the result stays feedparser's:

- Bytes: feedparser's own ``convert_to_utf8`` chooses the encoding (HTTP charset, XML
  declaration, BOM: RFC 3023, and its fallbacks) and re-encodes; lxml parses those very
  bytes, as expat does in feedparser. Any lxml error declines (feedparser's strict parser
  would fail and its loose one take over: a "bozo" case); so does a DOCTYPE, an ENTITY, or
  a body no encoding decodes (feedparser's loose parser again).
- Tree: every element is looked at, under the name feedparser gives it (namespace URI →
  feedparser's prefix, lower case). Each is either reproduced — a small model of the
  feedparser handler it reaches (``entry._ENTRY_OPS``, ``rss._RSS_CHANNEL_OPS``,
  ``atom._ATOM_FEED_OPS``) — or known to change nothing that feed.py reads
  (``harmless._harmless``); anything else declines.
- Text: the steps of feedparser's ``pop()``, in its order: strip, resolve against the base
  (feedparser's ``_urljoin``), guess HTML in RSS plain text (its ``looks_like_html``), undo
  UTF-8 read as Latin-1, map C1 controls as cp1252.
- Dates: RFC 822 and RFC 3339 in their usual shapes are read here, by the same arithmetic as
  feedparser's handlers (tests compare both); any other shape goes to feedparser's
  ``_parse_date`` itself.

Declined: RSS 0.9x/1.0/RDF, Atom 0.3 and other roots; no entries; DOCTYPE/ENTITY; bodies
no encoding decodes (feedparser's CharacterEncodingUnknown); not well-formed XML;
xml:base, ``base``/``lang`` attributes, namespaced attributes but xml:lang; namespace
declarations feedparser would map differently (a prefix bound twice, an unknown default
namespace, RSS 1.0/Atom 0.3 namespaces); xhtml, base64 or src content; elements outside the
lists below (dc:*, media:*, itunes:* beyond the listed ones: e.g. media:title,
itunes:summary in items, itunes:keywords in items), element children where feedparser
reads text; a second description or summary that feedparser would turn into content.

Security: lxml resolves no entity, loads no DTD, touches no network, keeps its size limits
(huge_tree off); parse_feed runs its own checks (attribute count, HTML, JSON) first.

Modules: ``tree`` (bytes, tree, namespaces), ``common`` (the document, attributes, text),
``datetimes``, ``entry`` and ``authors`` (entries), ``channel``, ``rss`` and ``atom`` (the feed
level), ``harmless`` (elements that change nothing feed.py reads). Pure: no I/O (no files,
network, store); imports only feedparser's helpers and lxml.
"""

from __future__ import annotations

import logging

from feeds.parse.fast.atom import _read_atom
from feeds.parse.fast.common import Declined, Result, _Doc
from feeds.parse.fast.datetimes import parse_date
from feeds.parse.fast.rss import _read_rss
from feeds.parse.fast.tree import (
    _ATOM_FEED,
    _as_feedparser_reads,
    _base,
    _declarations,
    _prefixes,
    _tree,
)

__all__ = ["Declined", "decline_reason", "parse_date", "parse_fast", "read"]

log = logging.getLogger(__name__)


def parse_fast(body: bytes, url: str | None, content_type: str | None) -> Result | None:
    """feedparser's result for a common RSS 2.0 / Atom 1.0 body (the keys feed.py reads), or
    None when it declines. Same arguments as ``feed.parse_feed``."""
    try:
        return read(body, url, content_type)
    except Declined:
        return None
    except Exception:  # a bug here must not cost a feed: feedparser decides
        log.warning("fast feed parser failed; using feedparser", exc_info=True)
        return None


def decline_reason(
    body: bytes, url: str | None = None, content_type: str | None = None
) -> str | None:
    """Why the fast path declines this body, or None when it takes it (tests, debugging)."""
    try:
        read(body, url, content_type)
    except Declined as e:
        return e.reason
    return None


def read(body: bytes, url: str | None, content_type: str | None) -> Result:
    """The fast path itself: raises Declined rather than returning None."""
    data = _as_feedparser_reads(body, url, content_type)
    root = _tree(data)
    atom = root.tag == _ATOM_FEED
    if not atom and root.tag != "rss":
        raise Declined(f"root element {root.tag!r}: not RSS 2.0 or Atom 1.0")
    doc = _Doc(atom=atom, base=_base(url), prefixes=_prefixes(_declarations(data, root)))
    return _read_atom(doc, root) if atom else _read_rss(doc, root)
