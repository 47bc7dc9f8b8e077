"""A web page without a feed → raw items, by the CSS selectors of a ``page`` source.

Pure: the page's bytes, its URL and the source's PageRules in, a ``ParsedFeed`` and the URL
of the next page out; no I/O (feeds.sources.page fetches, normalize sanitizes, makes ids
and defaults dates). Selectors are applied with parsel (lxml underneath, whose HTML parser
recovers from broken markup as browsers do, more or less). The rules (docs/page-sources.md):

- ``items`` finds one element per entry, in page order; every other selector applies
  inside an item, and its first match counts.
- ``link`` (default: the item itself if it has an ``href``, else its first ``a[href]``)
  and ``next`` take the element's ``href``, resolved against the page (its ``<base href>``
  honoured); only http(s) links count. An item without a link is skipped (its id would have
  nothing stable to come from) and counted in the feed's problems.
- ``title``, ``author`` take the element's text, spaces collapsed; ``title`` defaults to the
  link's text. ``summary`` and ``content`` take the element's inner HTML, as a feed's
  description would be (sanitized later, like any feed's).
- ``date`` takes the ``datetime`` attribute, else the text: with ``date_format``
  (``strptime``), else leniently (RFC 3339, RFC 822, then dateutil's fuzzy reading of text
  such as "Posted 3 March 2025, 14:05" or "Publié le 1er avril 2025 à 14h05": English and
  French month names). A date without a zone is UTC; one without a year,
  month or day is no date (the entry gets its first-seen time, as undated feed items do).
- An ``items`` selector that matches nothing is a ParseError ("items selector matched
  nothing"): a redesign of the site shows up as a failing source.

Bounds: at most MAX_ITEMS items per page; a page nested deeper than libxml2's limit (256
levels) is read up to there, and the cut is told as a problem.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from dateutil import parser as dateutil_parser
from parsel import Selector
from w3lib.encoding import html_to_unicode

from feeds.errors import ParseError
from feeds.models import PageRules, ParsedFeed, RawItem
from feeds.parse.dates import iso_date

__all__ = ["MAX_ITEMS", "PageRead", "item_date", "page_selector", "parse_page"]

#: Items taken from one page; the rest are left out (and told).
MAX_ITEMS = 500
_SPACES = re.compile(r"\s+")
#: Two defaults that differ in every date field: a date text that lacks one reads differently.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_FRENCH_MONTHS = (
    ("janvier", "janv"), ("février", "fevrier", "févr", "fevr"), ("mars",), ("avril", "avr"),
    ("mai",), ("juin",), ("juillet", "juil"), ("août", "aout"), ("septembre", "sept"),
    ("octobre", "oct"), ("novembre", "nov"), ("décembre", "decembre", "déc", "dec"),
)  # fmt: skip


class _DateWords(dateutil_parser.parserinfo):
    """dateutil's words, with French month names and the words around French dates
    ("le 1er avril 2025 à 14h05")."""

    # dateutil takes any number of names per month; its stubs say two or three.
    MONTHS = [
        (en[:3], en, *fr)  # type: ignore[misc]
        for en, fr in zip(_ENGLISH_MONTHS, _FRENCH_MONTHS, strict=True)
    ]
    JUMP = [*dateutil_parser.parserinfo.JUMP, "le", "à", "er"]


_WORDS = _DateWords()


@dataclass(frozen=True, slots=True)
class PageRead:
    """One page read: its items (as a feed's) and the next page of the listing, if any."""

    feed: ParsedFeed
    next_url: str | None = None


def parse_page(
    body: bytes, url: str, rules: PageRules, *, content_type: str | None = None
) -> PageRead:
    """The items of the page ``body`` (fetched from ``url``) by ``rules``.

    Raises ParseError when the ``items`` selector matches nothing.
    """
    page, cut = page_selector(body, content_type)
    base = _base(page, url)
    matches = page.css(rules.items)
    if not matches:
        why = " (the page is nested too deeply to read past a point)" if cut else ""
        raise ParseError(f"items selector matched nothing: {rules.items!r} on {url}{why}")
    items, problems = _items(matches, base, rules)
    if cut:
        problems.append("the page is nested too deeply: read up to libxml2's depth limit")
    title = page.css("title")
    return PageRead(
        feed=ParsedFeed(
            items=tuple(items),
            title=_text(title[0]) or None if title else None,
            link=url,
            language=_language(page),
            problems=tuple(problems),
        ),
        next_url=_next(page, base, rules.next, url),
    )


def page_selector(body: bytes, content_type: str | None) -> tuple[Selector, bool]:
    """The page parsed, and whether the parser cut it (too deep or too big)."""
    _, text = html_to_unicode(content_type, body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = Selector(text=text or "<html></html>", type="html", huge_tree=False)
    return page, any("too big" in str(w.message) for w in caught)


def _base(page: Selector, url: str) -> str:
    href = page.css("base[href]")
    try:
        return urljoin(url, (href[0].attrib.get("href") or "").strip()) if href else url
    except ValueError:
        return url


def _items(matches: list[Selector], base: str, rules: PageRules) -> tuple[list[RawItem], list[str]]:
    items: list[RawItem] = []
    seen: set[str] = set()
    unlinked = 0
    for match in matches[:MAX_ITEMS]:
        item = _item(match, base, rules)
        if item is None or item.link is None:
            unlinked += 1
        elif item.link not in seen:  # a listing that shows a story twice: once
            seen.add(item.link)
            items.append(item)
    problems = []
    if unlinked:
        problems.append(f"{unlinked} of {len(matches[:MAX_ITEMS])} items have no link: skipped")
    if len(matches) > MAX_ITEMS:
        problems.append(f"{len(matches)} items on the page: the first {MAX_ITEMS} taken")
    return items, problems


def _item(match: Selector, base: str, rules: PageRules) -> RawItem | None:
    link_element = _link_element(match, rules.link)
    link = _href(link_element, base) if link_element is not None else None
    if link is None:
        return None
    title = _first(match, rules.title) if rules.title else link_element
    date = _first(match, rules.date) if rules.date else None
    author = _text(element) if (element := _first(match, rules.author)) is not None else ""
    return RawItem(
        title=html.escape(_text(title), quote=False) if title is not None else None,
        link=link,
        summary=_inner(_first(match, rules.summary)),
        content=_inner(_first(match, rules.content)),
        authors=(author,) if author else (),
        published=item_date(_date_text(date), rules.date_format) if date is not None else None,
        base=base,
    )


def _first(match: Selector, selector: str | None) -> Selector | None:
    if selector is None:
        return None
    found = match.css(selector)
    return found[0] if found else None


def _link_element(match: Selector, selector: str | None) -> Selector | None:
    if selector is not None:
        return next((m for m in match.css(selector) if m.attrib.get("href")), None)
    if match.attrib.get("href"):
        return match
    found = match.css("a[href]")
    return found[0] if found else None


def _href(element: Selector, base: str) -> str | None:
    href = (element.attrib.get("href") or "").strip()
    if not href:
        return None
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 host, say
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _next(page: Selector, base: str, selector: str | None, url: str) -> str | None:
    element = _link_element(page, selector) if selector else None
    found = _href(element, base) if element is not None else None
    return found if found and found.split("#")[0] != url.split("#")[0] else None


def _text(element: Selector) -> str:
    """The element's text, spaces collapsed (scripts and styles left out)."""
    root = element.root
    if not isinstance(root, lxml.html.HtmlElement):
        return _SPACES.sub(" ", str(root)).strip()
    text = " ".join(root.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]"))
    return _SPACES.sub(" ", text).strip()


def _inner(element: Selector | None) -> str | None:
    """The element's inner HTML (its text escaped, its children serialized)."""
    if element is None or not isinstance(element.root, lxml.html.HtmlElement):
        return None
    root = element.root
    head = html.escape(root.text or "", quote=False)
    children = (lxml.html.tostring(child, encoding="unicode") for child in root)
    return head + "".join(children)


def _date_text(element: Selector) -> str:
    return (element.attrib.get("datetime") or "").strip() or _text(element)


def item_date(text: str, date_format: str | None = None) -> datetime | None:
    """``text`` as an aware UTC datetime (see the module rule), or None."""
    text = text.strip()
    if not text:
        return None
    if date_format is not None:
        try:
            return _utc(datetime.strptime(text, date_format))
        except ValueError:
            return None
    found = iso_date(text) or _rfc822(text)
    return found if found is not None else _fuzzy(text)


def _rfc822(text: str) -> datetime | None:
    try:
        return _utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _fuzzy(text: str) -> datetime | None:
    try:
        first, second = (
            dateutil_parser.parse(text, _WORDS, default=d, fuzzy=True) for d in _DEFAULTS
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return _utc(first) if first.date() == second.date() else None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _language(page: Selector) -> str | None:
    found = page.css("html[lang]")
    lang = (found[0].attrib.get("lang") or "").strip() if found else ""
    return lang or None
