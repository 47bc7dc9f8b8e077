"""RSS 2.0 in the fast path: <rss version="2.x"> with one <channel>, or Declined.

Pure: no I/O; imports only lxml and the fast path's other modules.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from feeds.parse.fast.channel import (
    _FEED_IGNORED,
    FeedOp,
    _container_of,
    _Feed,
    _feed_link,
    _feed_title,
    _item,
    _read_children,
    _result,
)
from feeds.parse.fast.common import Attrs, Declined, Result, _attrs, _Doc, _lang, _text


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


def _feed_text(key: str, *, generic: bool = True) -> FeedOp:
    """<language>, <ttl>, sy:updatePeriod, sy:updateFrequency: the text, once. feedparser
    stores a generic element (no handler) that has attributes, xml:lang too, as a dict."""

    def op(doc: _Doc, feed: _Feed, el: etree._Element, attrs: Attrs, lang: str | None) -> None:
        feed.once(key)
        if set(attrs) - (set() if generic else {"xml:lang"}):
            raise Declined(f"attributes on <{el.tag}>")
        feed.fields[key] = _text(doc, el)

    return op


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
