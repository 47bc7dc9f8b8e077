"""The fast path's shared pieces: Declined, the document (_Doc: base URI, namespace prefixes,
element names), attributes, text and text constructs as feedparser's ``pop()`` makes them.

Pure: no I/O (no files, network, store); imports only feedparser's helpers and lxml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin
from lxml import etree

if TYPE_CHECKING:
    from feeds.parse.fast.entry import EntryOp

#: A feedparser-shaped result: ``{"feed": {...}, "entries": [{...}], "version": ...}``.
Result = dict[str, Any]
#: One of feedparser's per-element dicts (an entry, the feed, a detail, an author, a tag).
Fields = dict[str, Any]

_XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
_XML_LANG: Final = f"{{{_XML_NS}}}lang"
_HTML_TYPES: Final = frozenset(_FeedParserMixin.html_types)
_TEXT_TYPES: Final = frozenset({"text/plain", "text/html"})
_C1: Final = re.compile("[\x80-\x9f]")
_CP1252: Final[dict[int, str]] = dict(_cp1252)
#: An absolute http(s) URL that urllib's urljoin gives back unchanged whatever the base:
#: lower-case scheme, host (and port) right after "//", printable ASCII, no ";" params,
#: no empty query or fragment (urlunparse would drop their "?" or "#").
_PLAIN_URL: Final = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[!$-:=@-Z_a-z~]*)?(?:\?[!-\"$-~]+)?(?:#[!-~]+)?"
)
_looks_like_html: Callable[[str], bool] = _FeedParserMixin.looks_like_html


class Declined(Exception):
    """The fast path cannot promise feedparser's result for this body; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
