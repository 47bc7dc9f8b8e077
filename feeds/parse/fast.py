"""The fast path of parse_feed: common, well-formed RSS 2.0 and Atom 1.0 read with lxml.

feedparser costs about 0.3 ms per entry, most of the CPU of a cold ingest; lxml reads the same
documents some fifty times faster. ``parse_fast`` returns the part of ``feedparser.parse``'s
result that ``feed.py`` reads (the feed's title, link, language, authors, ttl and sy:* hints;
per entry id, title and summary details, link, content, authors, tags, dates), the same keys
and equal values, so one piece of code in feed.py makes the ParsedFeed from either. Or it
returns None — it *declines* — and parse_feed asks feedparser. Declining is always safe; it is
what happens to anything this module is not certain to reproduce exactly.

How the result stays feedparser's:

- Bytes: feedparser's own ``convert_to_utf8`` chooses the encoding (HTTP charset, XML
  declaration, BOM: RFC 3023, and its fallbacks) and re-encodes; lxml parses those very
  bytes, as expat does in feedparser. Any lxml error declines (feedparser's strict parser
  would fail and its loose one take over: a "bozo" case); so does a DOCTYPE, an ENTITY, or
  a body no encoding decodes (feedparser's loose parser again).
- Tree: every element is looked at, under the name feedparser gives it (namespace URI →
  feedparser's prefix, lower case). Each is either reproduced — a small model of the
  feedparser handler it reaches (``_ENTRY_OPS``, ``_RSS_CHANNEL_OPS``, ``_ATOM_FEED_OPS``) —
  or known to change nothing that feed.py reads (``_harmless``); anything else declines.
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
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

__all__ = ["Declined", "decline_reason", "parse_date", "parse_fast", "read"]

log = logging.getLogger(__name__)

#: A feedparser-shaped result: ``{"feed": {...}, "entries": [{...}], "version": ...}``.
Result = dict[str, Any]
#: One of feedparser's per-element dicts (an entry, the feed, a detail, an author, a tag).
Fields = dict[str, Any]

_XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
_XML_LANG: Final = f"{{{_XML_NS}}}lang"
_ATOM_NS: Final = "http://www.w3.org/2005/Atom"
_XLINK_NS: Final = "http://www.w3.org/1999/xlink"
_ATOM_FEED: Final = f"{{{_ATOM_NS}}}feed"
#: Namespace URI (lower case) → feedparser's prefix ("" for RSS and Atom namespaces).
_KNOWN_NS: Final[dict[str, str]] = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_STD_PREFIXES: Final = frozenset(p.lower() for p in _KNOWN_NS.values())
#: Handler methods: an element whose name has one is not "generic" (stored as-is).
_HANDLERS: Final = frozenset(n for n in dir(StrictFeedParser) if n.startswith(("_start_", "_end_")))
#: Unknown namespaces' prefixes that would make feedparser keys too close to the ones read.
_RESERVED_PREFIXES: Final = frozenset(
    "author publisher contributor title summary subtitle content published updated created "
    "expired date modified issued description copyright rights tagline generator image "
    "textinput validity guidislink source links link id tags language ttl href url cloud "
    "license where info newlocation category enclosure media itunes sy".split()
)
_PREFIX_SHAPE: Final = re.compile(r"[a-z][a-z0-9]*")
_HTML_TYPES: Final = frozenset(_FeedParserMixin.html_types)
_TEXT_TYPES: Final = frozenset({"text/plain", "text/html"})
#: feedparser's fix of query strings in links (``&b;`` → ``&b``).
_LINK_REF: Final = re.compile("&([A-Za-z0-9_]+);")
_C1: Final = re.compile("[\x80-\x9f]")
_CP1252: Final[dict[int, str]] = dict(_cp1252)
#: feedparser's e-mail pattern in RSS <author> (mixin._sync_author_detail).
_EMAIL: Final = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""  # noqa: E501
)
#: The prolog (space, comments, PIs) and the root's start tag, to see where xmlns can be.
_ROOT_TAG: Final = re.compile(
    rb"""(?:\s|<\?.*?\?>|<!--.*?-->)*<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""",
    re.S,
)
#: An absolute http(s) URL that urllib's urljoin gives back unchanged whatever the base:
#: lower-case scheme, host (and port) right after "//", printable ASCII, no ";" params,
#: no empty query or fragment (urlunparse would drop their "?" or "#").
_PLAIN_URL: Final = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[!$-:=@-Z_a-z~]*)?(?:\?[!-\"$-~]+)?(?:#[!-~]+)?"
)
#: A PI target with non-ASCII bytes (lxml and expat disagree on such names).
_NON_ASCII_PI: Final = re.compile(rb"<\?[^\s?]*[\x80-\xff]")
_looks_like_html: Callable[[str], bool] = _FeedParserMixin.looks_like_html


class Declined(Exception):
    """The fast path cannot promise feedparser's result for this body; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


# --- bytes and tree ------------------------------------------------------------------------


def _as_feedparser_reads(body: bytes, url: str | None, content_type: str | None) -> bytes:
    """The UTF-8 bytes feedparser's XML parser would be given (``feedparser.api.parse``)."""
    headers: dict[str, str] = {}
    if url:
        headers["content-location"] = url
    if content_type:
        headers["content-type"] = content_type
    result: dict[str, Any] = {}
    data: bytes = convert_to_utf8(headers, body, result)
    if not result.get("encoding"):
        # feedparser would use its loose (sgmllib) parser; a guessed encoding (bozo:
        # CharacterEncodingOverride) is fine: these bytes are what its XML parser reads.
        raise Declined(f"encoding unknown to feedparser ({result.get('bozo_exception')})")
    version, replaced, _ = replace_doctype(data)
    if version or replaced != data:
        raise Declined("a DOCTYPE or ENTITY declaration")
    if not data.isascii() and _NON_ASCII_PI.search(data):
        raise Declined("a processing instruction with a non-ASCII name")
    return data


_local = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's lxml parser (a parser must not be shared between threads)."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            dtd_validation=False,
            attribute_defaults=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def _tree(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _parser())
    except (etree.LxmlError, ValueError) as e:
        raise Declined(f"not well-formed: {e}") from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise Declined("a DOCTYPE")
    return root


def _base(url: str | None) -> str:
    """feedparser's base URI inside the root element (it re-joins it at every start tag)."""
    base = url or ""
    joined = _rejoin(_rejoin(base))
    if joined != _rejoin(joined):
        raise Declined("the URL is not stable under feedparser's base joining")
    return joined


def _rejoin(base: str) -> str:
    if base:
        return make_safe_absolute_uri(base, base) or base
    return _urljoin(base, base)  # type: ignore[no-any-return]


# --- namespaces ----------------------------------------------------------------------------


def _declarations(data: bytes, root: etree._Element) -> list[tuple[str | None, str]]:
    """Every namespace declaration in the document (prefix None for a default namespace)."""
    match = _ROOT_TAG.match(data)
    if match and b"xmlns" not in data[match.end() :]:
        return list(root.nsmap.items())
    walk = etree.iterwalk(root, events=("start-ns",))
    return [(prefix or None, uri) for _, (prefix, uri) in walk]


def _prefixes(decls: Iterable[tuple[str | None, str]]) -> dict[str, str]:
    """Namespace URI → the prefix feedparser names its elements with ("" for none).

    Declines declarations that would make feedparser's names differ from these: a prefix
    bound to two URIs, a known prefix bound to another known namespace, an unknown default
    namespace, feed-version namespaces other than Atom 1.0, xlink.
    """
    bound: dict[str | None, str] = {}
    pairs: set[tuple[str | None, str]] = set()
    for prefix, uri in decls:
        if prefix and not prefix.isascii():
            raise Declined(f"non-ASCII namespace prefix {prefix!r}")
        # The default namespace may change (feedparser names elements by URI, not by it).
        if prefix is not None and bound.setdefault(prefix, uri) != uri:
            raise Declined(f"namespace prefix {prefix!r} bound to two URIs")
        pairs.add((prefix, uri))
    known_prefixes = {p for p, uri in bound.items() if p and _known(uri) is not None}
    out: dict[str, str] = {}
    for prefix, uri in pairs:
        if not uri:
            continue
        std = _known(uri)
        if std is None:
            name = _unknown_prefix(prefix, uri, known_prefixes)
        else:
            name = _known_prefix(prefix, uri, std)
        if out.setdefault(uri, name) != name:
            raise Declined(f"namespace {uri!r} under two prefixes")
    return out


def _known(uri: str) -> str | None:
    lower = uri.lower()
    if "backend.userland.com/rss" in lower:
        lower = "http://backend.userland.com/rss"
    return _KNOWN_NS.get(lower)


def _known_prefix(prefix: str | None, uri: str, std: str) -> str:
    if std == "" and uri.lower() != _ATOM_NS.lower():
        raise Declined(f"namespace {uri!r}: another feed format's")
    if uri.lower() == _XLINK_NS or std != std.lower():
        raise Declined(f"namespace {uri!r}")
    if prefix is not None and prefix != std and prefix.lower() in _STD_PREFIXES:
        raise Declined(f"prefix {prefix!r} bound to {uri!r}")
    return std.lower()


def _unknown_prefix(prefix: str | None, uri: str, known_prefixes: set[str]) -> str:
    if prefix is None:
        raise Declined(f"unknown default namespace {uri!r}")
    name = prefix.lower()
    if (
        not _PREFIX_SHAPE.fullmatch(name)
        or name in _STD_PREFIXES
        or name in _RESERVED_PREFIXES
        or name in known_prefixes
    ):
        raise Declined(f"namespace prefix {prefix!r} of {uri!r}")
    return name


# --- the document --------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    """What every element's reading needs (mutable only to cache element names)."""

    atom: bool
    #: feedparser's base URI (its ``baseuri``) inside the root.
    base: str
    #: Namespace URI → feedparser prefix.
    prefixes: dict[str, str]
    #: lxml tag → feedparser's element name (``dc:creator``, ``title``).
    names: dict[str, str] = field(default_factory=dict)
    #: lxml tag of an entry's child → its feedparser name and the model of its handler.
    entry_ops: dict[str, tuple[str, EntryOp | None]] = field(default_factory=dict)
    #: The base's scheme, when ``urljoin`` can read it ("" for no base; None: unreadable).
    scheme: str | None = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.scheme = urlsplit(self.base).scheme if self.base else ""
        except ValueError:
            self.scheme = None

    def join(self, uri: str) -> str:
        """feedparser's ``_urljoin(baseuri, uri)``; a plain absolute http(s) URL, which it
        returns unchanged, without the cost of urljoin (tests compare both)."""
        if self.scheme is not None and _PLAIN_URL.fullmatch(uri):
            return uri
        return _urljoin(self.base, uri)  # type: ignore[no-any-return]

    def name(self, el: etree._Element) -> str:
        tag = el.tag
        if not isinstance(tag, str):
            raise Declined("a node that is not an element")
        known = self.names.get(tag)
        if known is None:
            known = self.names[tag] = self._name(tag)
        return known

    def _name(self, tag: str) -> str:
        if not tag.isascii():
            _non_ascii(tag)
        if tag[0] != "{":
            return tag.lower()
        uri, local = tag[1:].split("}", 1)
        prefix = self.prefixes.get(uri)
        if prefix is None:
            raise Declined(f"element in undeclared namespace {uri!r}")
        return f"{prefix}:{local}".lower() if prefix else local.lower()


#: An element's attributes as feedparser sees them: lower-case names, rel/type values too.
Attrs = dict[str, str]
_NO_ATTRS: Final[Attrs] = {}


def _attrs(el: etree._Element) -> Attrs:
    items: list[tuple[str, str]] = el.items()  # type: ignore[assignment]
    if not items:
        return _NO_ATTRS
    out: Attrs = {}
    for key, value in items:
        if not key.isascii():
            _non_ascii(key)
        if key[0] == "{":
            if key != _XML_LANG:
                raise Declined(f"namespaced attribute {key!r}")
            name = "xml:lang"
        else:
            name = key.lower()
            if name in ("base", "lang") or ":" in name:
                raise Declined(f"attribute {key!r}")
        if name in out:
            raise Declined(f"attribute {key!r} twice")
        out[name] = value.lower() if name in ("rel", "type") else value
    return out


def _non_ascii(name: str) -> None:
    """Decline a name with non-ASCII characters: libxml2 allows the XML 1.0 fifth edition's
    name characters, expat (feedparser's parser) only the fourth's."""
    if not name.rpartition("}")[2].isascii():
        raise Declined(f"non-ASCII name {name!r}")


def _lang(attrs: Attrs, parent: str | None) -> str | None:
    """xml:lang as feedparser tracks it: inherited, "" meaning none."""
    lang = attrs.get("xml:lang")
    if lang is None:
        return parent
    return lang or None


def _leaf(el: etree._Element) -> str:
    """The stripped text of an element feedparser reads as text (no element inside)."""
    if len(el):
        raise Declined(f"elements inside <{el.tag}>")
    text = el.text
    return text.strip() if text else ""


def _finish(text: str) -> str:
    """The end of feedparser's pop(): undo UTF-8 read as Latin-1, map C1 as cp1252."""
    if text.isascii():
        return text
    try:
        text = text.encode("iso-8859-1").decode("utf-8")
    except UnicodeError:
        pass
    return text.translate(_CP1252) if _C1.search(text) else text


def _text(doc: _Doc, el: etree._Element, *, relative: bool = False) -> str:
    """A plain element's value after feedparser's pop()."""
    value = _leaf(el)
    if relative and value:
        value = doc.join(value)
    return _finish(value)


def _content_type(value: str) -> str:
    """feedparser's map_content_type."""
    value = value.lower()
    if value in ("text", "plain"):
        return "text/plain"
    if value == "html":
        return "text/html"
    if value == "xhtml":
        return "application/xhtml+xml"
    return value


def _detail(doc: _Doc, el: etree._Element, attrs: Attrs, lang: str | None, default: str) -> Fields:
    """A text construct (feedparser's push_content … pop_content): type, language, base, value."""
    if "mode" in attrs or "src" in attrs:
        raise Declined(f"<{el.tag}> with mode or src")
    kind = _content_type(attrs.get("type", default))
    if kind not in _TEXT_TYPES:
        raise Declined(f"<{el.tag}> of type {kind!r}")
    value = _leaf(el)
    if not doc.atom and kind == "text/plain" and _looks_like_html(value):
        kind = "text/html"
    return {
        "type": kind,
        "language": lang.replace("_", "-") if lang else lang,
        "base": doc.base,
        "value": _finish(value),
    }


# --- dates ---------------------------------------------------------------------------------

_MONTHS: Final = {
    m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}
_RFC822: Final = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d\d?) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) "
    r"(GMT|UT|Z|[+-]\d{4})"
)
_RFC3339: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d(?:\.\d+)?)(Z|[+-]\d\d:\d\d)"
)


def parse_date(value: str) -> time.struct_time | None:
    """feedparser's ``_parse_date``: its two common shapes here, the rest by feedparser."""
    if not value:
        return None
    match = _RFC822.fullmatch(value)
    parsed = _rfc822(match) if match else None
    if parsed is None:
        match = _RFC3339.fullmatch(value)
        parsed = _rfc3339(match) if match else None
    if parsed is None:
        return _parse_date(value)  # type: ignore[no-any-return]
    return parsed


def _rfc822(m: re.Match[str]) -> time.struct_time | None:
    """feedparser's _parse_date_rfc822 on this shape (its W3DTF handler, tried first, gives
    None for it); None where feedparser would go on to other handlers."""
    day, month, year, hour, minute, second, zone = m.groups()
    hours = minutes = 0
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
    return _utc(
        int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second),
        timedelta(0, 0, 0, 0, minutes, hours),
    )  # fmt: skip


def _rfc3339(m: re.Match[str]) -> time.struct_time | None:
    """feedparser's _parse_date_w3dtf on this shape (the first handler it tries)."""
    year, month, day, hour, minute, second, zone = m.groups()
    hours = minutes = 0
    if zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
    return _utc(
        int(year), int(month), int(day),
        int(float(hour)), int(float(minute)), int(float(second)),
        timedelta(0, 0, 0, 0, minutes, hours),
    )  # fmt: skip


def _utc(
    year: int, month: int, day: int, hour: int, minute: int, second: int, offset: timedelta
) -> time.struct_time | None:
    try:
        return (datetime(year, month, day, hour, minute, second) - offset).utctimetuple()
    except (ValueError, OverflowError):
        return None


# --- entries (RSS <item>, Atom <entry>) ----------------------------------------------------


@dataclass(slots=True)
class _Entry:
    """One entry as feedparser builds it (mutable: elements update it in document order)."""

    #: The keys of feedparser's entry dict that feed.py reads.
    fields: Fields = field(default_factory=dict)
    #: feedparser's title_depth: a non-empty title stops later ones (until a <source>).
    title_locked: bool = False
    #: feedparser's hasContent: content seen (a later description stays a summary).
    has_content: bool = False


def _read_entry(doc: _Doc, el: etree._Element, attrs: Attrs, parent_lang: str | None) -> Fields:
    if set(attrs) - {"xml:lang"}:
        raise Declined(f"attributes on <{el.tag}>")
    entry = _Entry()
    lang = _lang(attrs, parent_lang)
    dispatch = doc.entry_ops
    for child in el:
        found = dispatch.get(child.tag)
        if found is None:
            name = doc.name(child)
            found = dispatch[child.tag] = (name, _ENTRY_OPS.get(name))
        name, op = found
        if child.attrib:
            child_attrs = _attrs(child)
            child_lang = _lang(child_attrs, lang)
        else:
            child_attrs, child_lang = _NO_ATTRS, lang
        if op is None:
            _harmless(doc, child, name, child_attrs)
        else:
            op(doc, entry, child, child_attrs, child_lang)
    return entry.fields


EntryOp = Callable[[_Doc, _Entry, etree._Element, Attrs, str | None], None]


def _title(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    detail = _detail(doc, el, attrs, lang, "text/plain")
    if entry.title_locked:
        return
    entry.fields["title"] = detail["value"]
    entry.fields["title_detail"] = detail
    entry.title_locked = bool(detail["value"])


def _summary_op(default: str) -> EntryOp:
    """<description> (HTML by default) and <summary> (text): the entry's summary."""

    def op(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
        if "summary" in entry.fields and not entry.has_content:
            raise Declined("a second summary (feedparser makes it content)")
        detail = _detail(doc, el, attrs, lang, default)
        entry.fields["summary"] = detail["value"]
        entry.fields["summary_detail"] = detail

    return op


def _content_op(default: str) -> EntryOp:
    """<content> (text by default) and <content:encoded> (HTML): appended to content; the
    first one is also the summary if there is none yet (feedparser copies it)."""

    def op(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
        entry.has_content = True
        detail = _detail(doc, el, attrs, lang, default)
        entry.fields.setdefault("content", []).append(detail)
        entry.fields.setdefault("summary", detail["value"])

    return op


def _link(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    value = _link_value(doc, el, attrs)
    if value is not None and "href" not in attrs:
        # feedparser's repair of a text link's query string
        value = _LINK_REF.sub(r"&\g<1>", value.replace("&amp;", "&"))
    if value is not None:
        entry.fields["link"] = value


def _link_value(doc: _Doc, el: etree._Element, attrs: Attrs) -> str | None:
    """feedparser's _start_link/_end_link: an alternate HTML href, or the element's text
    (None: the link does not set the entry's or feed's link)."""
    if "url" in attrs or "uri" in attrs:
        raise Declined("<link> with url or uri")
    if "href" not in attrs:
        return _text(doc, el, relative=True)
    _leaf(el)
    rel = attrs.get("rel", "alternate")
    kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
    if rel == "alternate" and _content_type(kind) in _HTML_TYPES:
        return doc.join(attrs["href"])
    return None


def _guid(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    value = _id_value(doc, el, attrs)
    entry.fields["id"] = value
    if attrs.get("ispermalink", "true") == "true":
        entry.fields.setdefault("link", value)


def _id_value(doc: _Doc, el: etree._Element, attrs: Attrs) -> str:
    """<guid>/<id>: resolved against the base unless isPermaLink is not "true"."""
    return _text(doc, el, relative=attrs.get("ispermalink", "true") == "true")


def _author(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    """<author>, <dc:creator>, … : RSS text ("a@b.c (Name)") or Atom name/email/uri."""
    _read_author(doc, entry.fields, el)


def _read_author(doc: _Doc, fields: Fields, el: etree._Element) -> None:
    """An author into an entry's or the feed's fields: feedparser runs the same handlers in
    either context."""
    fields.setdefault("authors", []).append({})
    if len(el):
        pieces = [el.text or ""]
        for child in el:
            _author_part(doc, fields, child)
            pieces.append(child.tail or "")
        text = _finish("".join(pieces).strip())
    else:
        text = _text(doc, el)
    fields["author"] = text
    _sync_author(fields)


def _author_part(doc: _Doc, fields: Fields, el: etree._Element) -> None:
    name = doc.name(el)
    _attrs(el)
    if name in ("name", "email"):
        value = _leaf(el)  # feedparser pushes these "not expecting text": only stripped
    elif name in ("uri", "url", "homepage"):
        name, value = "href", _text(doc, el, relative=True)
    else:
        raise Declined(f"<{el.tag}> in an author")
    # feedparser's _save_author. Its "author_detail" may be an earlier author's dict (see
    # _sync_author): writing to it rewrites that author.
    fields.setdefault("author_detail", {})[name] = value
    _sync_author(fields)
    fields["authors"][-1][name] = value


def _sync_author(fields: Fields) -> None:
    """feedparser's _sync_author_detail: the author string from the last author's details,
    or (no details yet) the details from the author string."""
    detail = fields["authors"][-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            fields["author"] = f"{name} ({email})"
        elif name:
            fields["author"] = name
        elif email:
            fields["author"] = email
        return
    author = fields.get("author")
    if not author:
        return
    email = None
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        fields.setdefault("author_detail", detail)  # this very dict, not a copy
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def _category(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    tags: list[Fields] = entry.fields.setdefault("tags", [])
    _add_tag(tags, attrs.get("term"), attrs.get("scheme", attrs.get("domain")), attrs.get("label"))
    value = _text(doc, el)
    if not value:
        return
    if tags and not tags[-1]["term"]:
        tags[-1]["term"] = value
    else:
        _add_tag(tags, value, None, None)


def _add_tag(tags: list[Fields], term: str | None, scheme: str | None, label: str | None) -> None:
    if not term and not scheme and not label:
        return
    tag = {"term": term, "scheme": scheme, "label": label}
    if tag not in tags:
        tags.append(tag)


def _date_op(key: str) -> EntryOp:
    """<pubDate>, <updated>, <dc:date>, … : the parsed date (a later one replaces it)."""

    def op(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
        text = _text(doc, el)
        entry.fields[key] = parse_date(text)
        entry.fields[key.removesuffix("_parsed")] = text  # its fraction of a second (feed.py)

    return op


def _source(doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    """RSS <source url="…">name</source>, Atom <source> (its elements go to feedparser's
    source dict): nothing read, but a later entry title counts again."""
    for child in el:
        name = doc.name(child)
        if name in _SOURCE_DATES:
            parse_date(_text(doc, child))
        elif name in ("author", "contributor"):
            _person(doc, child)
        elif name in _SOURCE_TEXTS:
            _attrs(child)
            _leaf(child)
        else:
            raise Declined(f"<{child.tag}> in a source")
    entry.title_locked = False


_SOURCE_DATES: Final = frozenset({"updated", "published"})
_SOURCE_TEXTS: Final = frozenset(
    {"id", "title", "link", "category", "generator", "icon", "logo", "rights", "subtitle"}
)


def _person(doc: _Doc, el: etree._Element) -> None:
    """An author or contributor whose details feed.py does not read (name, email, uri)."""
    for child in el:
        if doc.name(child) not in ("name", "email", "uri", "url", "homepage"):
            raise Declined(f"<{child.tag}> in <{el.tag}>")
        _attrs(child)
        _leaf(child)


def _ignored_text(
    doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    """Elements feedparser stores under keys feed.py does not read (text only)."""
    _leaf(el)


def _ignored_date(
    doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    """A date feed.py does not read, parsed anyway (feedparser would, errors and all)."""
    parse_date(_text(doc, el))


def _contributor(
    doc: _Doc, entry: _Entry, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    _person(doc, el)


_ENTRY_OPS: Final[dict[str, EntryOp]] = {
    "title": _title,
    "dc:title": _title,
    "description": _summary_op("text/html"),
    "dc:description": _summary_op("text/html"),
    "summary": _summary_op("text/plain"),
    "content": _content_op("text/plain"),
    "content:encoded": _content_op("text/html"),
    "link": _link,
    "guid": _guid,
    "id": _guid,
    "author": _author,
    "dc:creator": _author,
    "dc:author": _author,
    "itunes:author": _author,
    "managingeditor": _author,
    "category": _category,
    "dc:subject": _category,
    "keywords": _category,
    "pubdate": _date_op("published_parsed"),
    "published": _date_op("published_parsed"),
    "issued": _date_op("published_parsed"),
    "dcterms:issued": _date_op("published_parsed"),
    "updated": _date_op("updated_parsed"),
    "modified": _date_op("updated_parsed"),
    "lastbuilddate": _date_op("updated_parsed"),
    "dc:date": _date_op("updated_parsed"),
    "dcterms:modified": _date_op("updated_parsed"),
    "created": _date_op("created_parsed"),
    "dcterms:created": _date_op("created_parsed"),
    "expirationdate": _ignored_date,
    "source": _source,
    "comments": _ignored_text,
    "enclosure": _ignored_text,
    "rights": _ignored_text,
    "copyright": _ignored_text,
    "dc:rights": _ignored_text,
    "dc:language": _ignored_text,
    "dc:publisher": _ignored_text,
    "webmaster": _ignored_text,
    "dc:contributor": _ignored_text,
    "contributor": _contributor,
}

# --- elements that change nothing feed.py reads --------------------------------------------

#: Elements with feedparser handlers that only store their own keys (media:*, itunes:*).
_HARMLESS_HANDLED: Final = frozenset(
    {
        "media:content",
        "media:group",
        "media:thumbnail",
        "media:credit",
        "media:rating",
        "media:restriction",
        "media:license",
        "media:player",
        "itunes:image",
        "itunes:link",
        "itunes:explicit",
        "itunes:block",
    }
)
#: Of those, the ones that may hold other harmless elements.
_HARMLESS_CONTAINERS: Final = frozenset({"media:content", "media:group"})


def _harmless(doc: _Doc, el: etree._Element, name: str, attrs: Attrs) -> None:
    """Accept an element (and what it holds) that changes nothing feed.py reads, or decline:
    media/itunes elements listed above, and "generic" namespaced elements (no feedparser
    handler: stored under their own ``prefix_name`` key)."""
    if name in _HARMLESS_HANDLED:
        if name not in _HARMLESS_CONTAINERS:
            _leaf(el)
    elif not _generic(name):
        raise Declined(f"element <{el.tag}>")
    for child in el:
        _harmless(doc, child, doc.name(child), _attrs(child))


def _generic(name: str) -> bool:
    """A namespaced element feedparser has no handler for."""
    prefix, _, local = name.partition(":")
    if not local or not prefix:
        return False
    method = f"{prefix}_{local}"
    return f"_start_{method}" not in _HANDLERS and f"_end_{method}" not in _HANDLERS


# --- RSS 2.0 -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Feed:
    """The feed-level keys feed.py reads, as feedparser builds them."""

    fields: Fields = field(default_factory=dict)
    entries: list[Fields] = field(default_factory=list)
    #: Elements read once only (a second one declines).
    seen: set[str] = field(default_factory=set)

    def once(self, what: str) -> None:
        if what in self.seen:
            raise Declined(f"a second feed {what}")
        self.seen.add(what)


FeedOp = Callable[[_Doc, _Feed, etree._Element, Attrs, str | None], None]


def _read_rss(doc: _Doc, root: etree._Element) -> Result:
    attrs = _attrs(root)
    if not attrs.get("version", "").startswith("2.") or set(attrs) - {"version", "xml:lang"}:
        raise Declined(f"RSS version {attrs.get('version')!r}")
    feed = _Feed()
    lang = _lang(attrs, None)
    if lang:
        feed.fields["language"] = lang.replace("_", "-")
    channels = list(root)
    if len(channels) != 1 or doc.name(channels[0]) != "channel":
        raise Declined("not one <channel> in <rss>")
    channel = channels[0]
    channel_attrs = _attrs(channel)
    if set(channel_attrs) - {"xml:lang"}:
        raise Declined("attributes on <channel>")
    _read_children(doc, feed, channel, _lang(channel_attrs, lang), _RSS_CHANNEL_OPS)
    return _result(feed, "rss20")


def _read_children(
    doc: _Doc, feed: _Feed, parent: etree._Element, lang: str | None, ops: dict[str, FeedOp]
) -> None:
    for child in parent:
        name = doc.name(child)
        attrs = _attrs(child)
        op = ops.get(name)
        if op is None:
            _harmless(doc, child, name, attrs)
        else:
            op(doc, feed, child, attrs, _lang(attrs, lang))


def _result(feed: _Feed, version: str) -> Result:
    if not feed.entries:
        raise Declined("no entries")
    return {"feed": feed.fields, "entries": feed.entries, "version": version, "bozo": False}


def _item(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    # ``lang`` already has the item's own xml:lang; _read_entry applies it again, harmlessly.
    feed.entries.append(_read_entry(doc, el, attrs, lang))


def _feed_title(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    feed.once("title")
    detail = _detail(doc, el, attrs, lang, "text/plain")
    feed.fields["title"] = detail["value"]
    feed.fields["title_detail"] = detail


def _feed_link(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    value = _link_value(doc, el, attrs)
    if value is not None:
        feed.fields["link"] = _LINK_REF.sub(r"&\g<1>", value) if "href" not in attrs else value


def _feed_id(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    """Atom's feed <id>: the feed's link, unless one came before (feedparser's guidislink)."""
    value = _id_value(doc, el, attrs)
    if attrs.get("ispermalink", "true") == "true":
        feed.fields.setdefault("link", value)


def _feed_text(key: str, *, generic: bool = True) -> FeedOp:
    """<language>, <ttl>, sy:updatePeriod, sy:updateFrequency: the text, once. feedparser
    stores a generic element (no handler) that has attributes, xml:lang too, as a dict."""

    def op(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
        feed.once(key)
        if set(attrs) - (set() if generic else {"xml:lang"}):
            raise Declined(f"attributes on <{el.tag}>")
        feed.fields[key] = _text(doc, el)

    return op


def _feed_ignored(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    _leaf(el)


def _feed_ignored_date(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    parse_date(_text(doc, el))


def _feed_summary(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    """A feed-level summary: feedparser makes a later summary or description content, and
    its "has content" flag would then leak into the first entry."""
    feed.once("summary")
    _leaf(el)


def _feed_description(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    if "summary" in feed.seen:
        raise Declined("a feed description after a feed summary")
    _leaf(el)


def _feed_author(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    """The feed's own author (its entries' when they name none: feed.py reads it)."""
    _read_author(doc, feed.fields, el)


def _feed_contributor(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    _person(doc, el)


def _container_of(names: frozenset[str]) -> FeedOp:
    """Feed-level elements holding only the given text elements (image, skipHours, …)."""

    def op(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
        for child in el:
            if doc.name(child) not in names:
                raise Declined(f"<{child.tag}> in <{el.tag}>")
            _attrs(child)
            _leaf(child)

    return op


def _itunes_category(
    doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None
) -> None:
    for child in el:
        if doc.name(child) != "itunes:category":
            raise Declined(f"<{child.tag}> in itunes:category")
        _itunes_category(doc, feed, child, _attrs(child), lang)


_FEED_IGNORED: Final[dict[str, FeedOp]] = {
    **dict.fromkeys(
        (
            "subtitle",
            "copyright",
            "rights",
            "dc:rights",
            "generator",
            "docs",
            "cloud",
            "rating",
            "icon",
            "logo",
            "webmaster",
            "dc:publisher",
            "category",
            "dc:subject",
            "itunes:subtitle",
            "itunes:keywords",
        ),
        _feed_ignored,
    ),
    **dict.fromkeys(
        ("pubdate", "published", "lastbuilddate", "updated", "dc:date", "modified"),
        _feed_ignored_date,
    ),
    **dict.fromkeys(("author", "managingeditor", "dc:creator", "itunes:author"), _feed_author),
    "contributor": _feed_contributor,
    "itunes:summary": _feed_summary,
    "description": _feed_description,
    "dc:description": _feed_description,
    "itunes:owner": _container_of(frozenset({"itunes:name", "itunes:email"})),
    "itunes:category": _itunes_category,
}

_RSS_CHANNEL_OPS: Final[dict[str, FeedOp]] = {
    **_FEED_IGNORED,
    "item": _item,
    "title": _feed_title,
    "link": _feed_link,
    "language": _feed_text("language", generic=False),
    "ttl": _feed_text("ttl"),
    "sy:updateperiod": _feed_text("sy_updateperiod"),
    "sy:updatefrequency": _feed_text("sy_updatefrequency"),
    "image": _container_of(frozenset({"url", "title", "link", "width", "height", "description"})),
    "skiphours": _container_of(frozenset({"hour"})),
    "skipdays": _container_of(frozenset({"day"})),
}

# --- Atom 1.0 ------------------------------------------------------------------------------


def _read_atom(doc: _Doc, root: etree._Element) -> Result:
    attrs = _attrs(root)
    if set(attrs) - {"xml:lang"}:
        raise Declined("attributes on <feed>")
    feed = _Feed()
    lang = _lang(attrs, None)
    if lang:
        feed.fields["language"] = lang.replace("_", "-")
    _read_children(doc, feed, root, lang, _ATOM_FEED_OPS)
    return _result(feed, "atom10")


_ATOM_FEED_OPS: Final[dict[str, FeedOp]] = {
    **_FEED_IGNORED,
    "entry": _item,
    "title": _feed_title,
    "link": _feed_link,
    "id": _feed_id,
}
