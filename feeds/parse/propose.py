"""Propose the selectors of a ``page`` source from a page's repeated structure (``feeds add``).

Pure: a page's bytes in, PageRules (or None) out; the proposal is then read with
feeds.parse.page like any page source, so what ``feeds add`` shows is what ingest will get.
The heuristic, in order:

1. **Items.** Among the children of every element, siblings of one signature (tag and
   classes) make a group. A group of at least MIN_ITEMS siblings each holding an http(s)
   link and some text is a candidate; outside ``nav``, ``header``, ``footer``, ``aside``
   and forms (menus repeat too). The best candidate has the most text: members × their
   mean text length (capped), doubled when its members have a heading (listings title
   their items; menus do not).
2. **The items selector** is the first of ``tag.class``, ``tag.class1.class2``, the path
   of tags from the nearest ancestor with an id or classes (``#main > ul > li``,
   ``section.listing > div``), and the path of tags from ``body``, that selects exactly the
   group on the page.
3. **Fields.** In the items: the link is the one in a heading (``h2 a``, the heading is the
   title) else the first link; the date a ``time`` element, else an element whose class
   says date/time and whose text reads as a date; the summary an element whose class says
   summary/excerpt/teaser/description/lead, else a ``p``; the author a class that says
   author/byline. Each is taken when it is found in most items.
4. **Next page.** ``a[rel~=next]`` or ``link[rel~=next]``, else a link whose class
   says next.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from lxml.html import HtmlElement
from parsel import Selector

from feeds.models import PageRules
from feeds.parse.page import item_date, page_selector

__all__ = ["MIN_ITEMS", "propose_rules"]

#: The fewest repeated siblings that make a listing.
MIN_ITEMS = 3
#: Text of an item past which more text does not make a better candidate.
_TEXT_CAP = 300
#: Shortest text of an item (menus of one-word links are not listings).
_MIN_TEXT = 12
_OUTSIDE = frozenset({"nav", "header", "footer", "aside", "form", "select", "head", "script"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CLASS = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")
_DATE_CLASS = re.compile(r"date|time|publi|posted", re.I)
_SUMMARY_CLASS = re.compile(r"summary|excerpt|teaser|desc|lead|intro|abstract|chapo", re.I)
_AUTHOR_CLASS = re.compile(r"author|byline|writer", re.I)
_NEXT_CLASS = re.compile(r"next|older|suivant", re.I)


def propose_rules(body: bytes, *, content_type: str | None = None) -> PageRules | None:
    """Selectors that read the page's most repeated linked structure, or None if it has
    none (see the module rule)."""
    page, _ = page_selector(body, content_type)
    root = page.root
    if not isinstance(root, HtmlElement):
        return None
    group = _best_group(root)
    if group is None:
        return None
    items = _items_selector(page, group)
    if items is None:
        return None
    link, title = _link_and_title(group)
    date = _date(group)
    next_link = _next(page)
    return PageRules(
        items=items,
        title=title,
        link=link,
        date=date,
        summary=_summary(group, link),
        author=_class_field(group, _AUTHOR_CLASS),
        next=next_link,
        max_pages=5 if next_link else 1,
    )


# -- 1. the items --------------------------------------------------------------------------


def _best_group(root: HtmlElement) -> list[HtmlElement] | None:
    best: tuple[float, list[HtmlElement]] | None = None
    for parent in root.iter():
        if not isinstance(parent.tag, str) or _excluded(parent):
            continue
        groups: dict[tuple[str, tuple[str, ...]], list[HtmlElement]] = defaultdict(list)
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in _OUTSIDE:
                groups[(child.tag, _classes(child))].append(child)
        for members in groups.values():
            score = _score(members)
            if score and (best is None or score > best[0]):
                best = (score, members)
    return best[1] if best else None


def _excluded(element: HtmlElement) -> bool:
    return element.tag in _OUTSIDE or any(a.tag in _OUTSIDE for a in element.iterancestors())


def _score(members: Sequence[HtmlElement]) -> float:
    if len(members) < MIN_ITEMS:
        return 0.0
    texts = [len(_text(m)) for m in members if _has_link(m)]
    if len(texts) < MIN_ITEMS or sum(texts) / len(texts) < _MIN_TEXT:
        return 0.0
    mean = min(sum(texts) / len(texts), _TEXT_CAP)
    headed = sum(1 for m in members if _heading(m) is not None) * 2 > len(members)
    return len(texts) * mean * (2.0 if headed else 1.0)


def _has_link(element: HtmlElement) -> bool:
    links = [element] if element.tag == "a" else element.iter("a")
    return any((a.get("href") or "").strip()[:1] not in ("", "#") for a in links)


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _classes(element: HtmlElement) -> tuple[str, ...]:
    return tuple(sorted(c for c in (element.get("class") or "").split() if _CLASS.fullmatch(c)))


def _heading(element: HtmlElement) -> HtmlElement | None:
    return next((h for h in element.iter(*_HEADINGS) if h is not element), None)


# -- 2. the items selector -----------------------------------------------------------------


def _items_selector(page: Selector, group: list[HtmlElement]) -> str | None:
    wanted = set(group)
    for candidate in _candidates(group[0]):
        if {s.root for s in page.css(candidate)} == wanted:
            return candidate
    return None


def _candidates(item: HtmlElement) -> Iterable[str]:
    tag, classes = item.tag, _classes(item)
    yield from (f"{tag}.{c}" for c in classes)
    if len(classes) > 1:
        yield f"{tag}." + ".".join(classes)
    steps = [_simple(item)]
    for ancestor in _path(item):  # anchored on the nearest ancestor with an id or classes
        ident = ancestor.get("id") or ""
        if _CLASS.fullmatch(ident):
            yield " > ".join([f"#{ident}", *reversed(steps)])
        if _classes(ancestor):
            yield " > ".join([_simple(ancestor), *reversed(steps)])
        steps.append(str(ancestor.tag) if ancestor.tag != "body" else "body")
    yield " > ".join(reversed(steps))


def _path(item: HtmlElement) -> list[HtmlElement]:
    """The ancestors of ``item`` up to ``body`` (included), nearest first."""
    found = []
    for ancestor in item.iterancestors():
        found.append(ancestor)
        if ancestor.tag in ("body", "html"):
            break
    return found


def _simple(element: HtmlElement) -> str:
    classes = _classes(element)
    return str(element.tag) + "".join(f".{c}" for c in classes)


# -- 3. the fields -------------------------------------------------------------------------


def _most(group: Sequence[HtmlElement], found: Iterable[object]) -> bool:
    return sum(1 for f in found if f) * 2 > len(group)


def _link_and_title(group: list[HtmlElement]) -> tuple[str | None, str | None]:
    """(link, title) selectors: the heading's link and the heading, else the defaults."""
    headings = [_heading(m) for m in group]
    first = headings[0]
    if first is not None and _most(group, (h is not None and _has_link(h) for h in headings)):
        tag = first.tag
        if all(h is None or h.tag == tag for h in headings):
            return f"{tag} a[href]", tag
    return None, None


def _date(group: list[HtmlElement]) -> str | None:
    if _most(group, (next(m.iter("time"), None) is not None for m in group)):
        return "time"
    selector = _class_field(group, _DATE_CLASS)
    if selector is None:
        return None
    found = (Selector(root=m).css(selector) for m in group)
    return selector if _most(group, (f and item_date(_text(f[0].root)) for f in found)) else None


def _summary(group: list[HtmlElement], link: str | None) -> str | None:
    selector = _class_field(group, _SUMMARY_CLASS)
    if selector is not None:
        return selector
    paragraphs = [next(m.iter("p"), None) for m in group]
    linked = (p is not None and next(p.iter("a"), None) is None for p in paragraphs)
    return "p" if _most(group, linked) else None


def _class_field(group: list[HtmlElement], pattern: re.Pattern[str]) -> str | None:
    """``tag.class`` of the first element in the first item whose class matches ``pattern``,
    if most items have one."""
    for element in group[0].iter():
        if element is group[0] or not isinstance(element.tag, str):
            continue
        name = next((c for c in _classes(element) if pattern.search(c)), None)
        if name is None:
            continue
        selector = f"{element.tag}.{name}"
        if _most(group, (Selector(root=m).css(selector) for m in group)):
            return selector
    return None


# -- 4. the next page ----------------------------------------------------------------------


def _next(page: Selector) -> str | None:
    for selector in ("a[rel~=next][href]", "link[rel~=next][href]"):
        if page.css(selector):
            return selector
    for anchor in page.css("a[href]"):
        root = anchor.root
        if isinstance(root, HtmlElement) and _excluded_for_next(root):
            continue
        name = next((c for c in _classes(root) if _NEXT_CLASS.search(c)), None)
        if name is not None:
            return f"a.{name}[href]"
    return None


def _excluded_for_next(element: HtmlElement) -> bool:
    return any(a.tag in ("head", "script") for a in element.iterancestors())
