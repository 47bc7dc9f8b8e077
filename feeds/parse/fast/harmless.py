"""Elements that change nothing feed.py reads: accepted (with what they hold) or Declined.

Pure: no I/O; imports only feedparser, lxml and the fast path's common pieces.
"""

from __future__ import annotations

from typing import Final

from feedparser.api import StrictFeedParser
from lxml import etree

from feeds.parse.fast.common import Attrs, Declined, _attrs, _Doc, _leaf

#: Handler methods: an element whose name has one is not "generic" (stored as-is).
_HANDLERS: Final = frozenset(n for n in dir(StrictFeedParser) if n.startswith(("_start_", "_end_")))

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
