"""The feed level (RSS <channel>, Atom <feed>) in the fast path: the keys feed.py reads, and the
feed-level elements common to RSS 2.0 and Atom 1.0 (``_FEED_IGNORED``).

Pure: no I/O; imports only lxml and the fast path's other modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from feeds.parse.fast.authors import _person, _read_author
from feeds.parse.fast.common import (
    Attrs,
    Declined,
    Fields,
    Result,
    _attrs,
    _detail,
    _Doc,
    _lang,
    _leaf,
    _text,
)
from feeds.parse.fast.datetimes import parse_date
from feeds.parse.fast.entry import _LINK_REF, _link_value, _read_entry
from feeds.parse.fast.harmless import _harmless


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
