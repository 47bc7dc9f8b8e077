"""Bytes → lxml tree for the fast path: the bytes feedparser's XML parser would read, the base
URI, and the namespace prefixes feedparser would name elements with (or Declined).

Pure: no I/O (no files, network, store); lxml parses with entities, DTDs and network off.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any, Final

from feedparser.encodings import convert_to_utf8
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

from feeds.parse.fast.common import Declined

_ATOM_NS: Final = "http://www.w3.org/2005/Atom"
_XLINK_NS: Final = "http://www.w3.org/1999/xlink"
_ATOM_FEED: Final = f"{{{_ATOM_NS}}}feed"
#: Namespace URI (lower case) → feedparser's prefix ("" for RSS and Atom namespaces).
_KNOWN_NS: Final[dict[str, str]] = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_STD_PREFIXES: Final = frozenset(p.lower() for p in _KNOWN_NS.values())
#: Unknown namespaces' prefixes that would make feedparser keys too close to the ones read.
_RESERVED_PREFIXES: Final = frozenset(
    "author publisher contributor title summary subtitle content published updated created "
    "expired date modified issued description copyright rights tagline generator image "
    "textinput validity guidislink source links link id tags language ttl href url cloud "
    "license where info newlocation category enclosure media itunes sy".split()
)
_PREFIX_SHAPE: Final = re.compile(r"[a-z][a-z0-9]*")
#: The prolog (space, comments, PIs) and the root's start tag, to see where xmlns can be.
_ROOT_TAG: Final = re.compile(
    rb"""(?:\s|<\?.*?\?>|<!--.*?-->)*<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""",
    re.S,
)
#: A PI target with non-ASCII bytes (lxml and expat disagree on such names).
_NON_ASCII_PI: Final = re.compile(rb"<\?[^\s?]*[\x80-\xff]")


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
