"""Entries (RSS <item>, Atom <entry>) in the fast path: a model of each feedparser handler an
entry's child reaches (``_ENTRY_OPS``), or Declined.

Pure: no I/O; imports only feedparser, lxml and the fast path's other modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from feedparser.mixin import _FeedParserMixin
from lxml import etree

from feeds.parse.fast.authors import _person, _read_author
from feeds.parse.fast.common import (
    _NO_ATTRS,
    Attrs,
    Declined,
    Fields,
    _attrs,
    _content_type,
    _detail,
    _Doc,
    _lang,
    _leaf,
    _text,
)
from feeds.parse.fast.datetimes import parse_date
from feeds.parse.fast.harmless import _harmless

_HTML_TYPES: Final = frozenset(_FeedParserMixin.html_types)
#: feedparser's fix of query strings in links (``&b;`` → ``&b``).
_LINK_REF: Final = re.compile("&([A-Za-z0-9_]+);")


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
