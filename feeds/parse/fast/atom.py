"""Atom 1.0 in the fast path: <feed> in the Atom 1.0 namespace, or Declined.

Pure: no I/O; imports only lxml and the fast path's other modules.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from feeds.parse.fast.channel import (
    _FEED_IGNORED,
    FeedOp,
    _Feed,
    _feed_link,
    _feed_title,
    _item,
    _read_children,
    _result,
)
from feeds.parse.fast.common import Attrs, Declined, Result, _attrs, _Doc, _lang
from feeds.parse.fast.entry import _id_value


def _feed_id(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
    """Atom's feed <id>: the feed's link, unless one came before (feedparser's guidislink)."""
    value = _id_value(doc, el, attrs)
    if attrs.get("ispermalink", "true") == "true":
        feed.fields.setdefault("link", value)


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
