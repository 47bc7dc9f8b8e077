"""The ``page`` table of a ``kind = "page"`` source: CSS selectors, checked when the config
is read (``[sources.page]``: ``items``, ``title``, ``link``, ``date``, ``date_format``,
``summary``, ``content``, ``author``, ``next``, ``max_pages``; a table of its own, since a
source's ``title`` and ``author`` already say what the source is called and who writes it).

A selector that does not parse is a config error naming the file and the key
(``sources[2].page.items``), so ``feeds check`` reports it with exit 2; whether it matches
anything is known only once the page is fetched (feeds.parse.page records that on the
source). Selectors are parsed with cssselect and translated as parsel, the library that
applies them, will translate them, so a selector accepted here is one it can run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feeds.config.values import text_problem
from feeds.errors import ConfigError
from feeds.models import PageRules, SourceKind

__all__ = [
    "KINDS", "MAX_PAGES", "PAGE_KEYS", "SELECTOR_KEYS", "page_rules", "page_source",
    "selector_problem", "source_kind",
]  # fmt: skip

#: The kinds of source, as the config spells them.
KINDS: tuple[SourceKind, ...] = ("feed", "articles", "page")

#: The selectors of a page source, in the order PageRules names them.
SELECTOR_KEYS = ("items", "title", "link", "date", "summary", "content", "author", "next")
PAGE_KEYS = frozenset((*SELECTOR_KEYS, "date_format", "max_pages"))
#: The most pages one run may read by following ``next``.
MAX_PAGES = 100
#: Pages read when ``next`` is set and ``max_pages`` is not.
DEFAULT_PAGES = 5


def selector_problem(selector: str) -> str | None:
    """What is wrong with the CSS ``selector`` (a phrase), or None if parsel can run it."""
    # Imported here: only configs with page sources pay for them (~60 ms).
    import cssselect
    from parsel.csstranslator import HTMLTranslator

    if not selector.strip():
        return "must be a CSS selector, not an empty string"
    try:
        parsed = cssselect.parse(selector)
        if any(s.pseudo_element for s in parsed):
            return (
                f"must select elements, without a pseudo-element (::text, ::attr…): {selector!r}"
                " (feeds takes the text, href or datetime itself)"
            )
        HTMLTranslator().css_to_xpath(selector)
    except (cssselect.SelectorError, cssselect.xpath.ExpressionError) as e:
        return f"is not a valid CSS selector ({e}): {selector!r}"
    return None


def source_kind(kind: str) -> SourceKind:
    """The checked ``kind`` of a source, typed."""
    return next(k for k in KINDS if k == kind)


def page_source(t: Mapping[str, Any], where: str, file: str, kind: str) -> PageRules | None:
    """A page source's rules, from its ``page`` table; None for the other kinds, which
    must not have one."""
    if kind != "page":
        if "page" in t:
            raise _error(file, where, "page", 'applies to kind = "page" sources only')
        return None
    if "path" in t:
        raise _error(file, where, "path", "page sources take the page's `url`, not a `path`")
    if "url" not in t:
        raise _error(file, where, "url", "is required: the http(s) URL of the page")
    table = t.get("page")
    if not isinstance(table, dict):
        raise _error(file, where, "page", "is required: a table of CSS selectors "
                     "([sources.page] with at least `items`)")  # fmt: skip
    for key in table:
        if key not in PAGE_KEYS:
            shown = key if key.isprintable() else repr(key)
            raise _error(file, f"{where}.page", shown,
                         f"unknown key (known: {', '.join(sorted(PAGE_KEYS))})")  # fmt: skip
    return page_rules(table, f"{where}.page", file)


def page_rules(t: Mapping[str, Any], where: str, file: str) -> PageRules:
    """The PageRules of the table ``t`` (at ``where``, e.g. ``sources[2].page``)."""
    found: dict[str, str | None] = {}
    for key in SELECTOR_KEYS:
        value = t.get(key)
        if value is None:
            found[key] = None
            continue
        if not isinstance(value, str):
            raise _error(file, where, key, f"must be a CSS selector string, not {value!r}")
        problem = text_problem(value) or selector_problem(value)
        if problem:
            raise _error(file, where, key, problem)
        found[key] = value
    items = found.pop("items")
    if items is None:
        raise _error(file, where, "items", "is required: the CSS selector of one item")
    return PageRules(
        items=items,
        **found,
        date_format=_date_format(t, where, file, has_date=found["date"] is not None),
        max_pages=_max_pages(t, where, file, has_next=found["next"] is not None),
    )


def _date_format(t: Mapping[str, Any], where: str, file: str, *, has_date: bool) -> str | None:
    value = t.get("date_format")
    if value is None:
        return None
    if not isinstance(value, str) or "%" not in value:
        raise _error(file, where, "date_format", f'must be a strptime format like "%d/%m/%Y", '
                     f"not {value!r}")  # fmt: skip
    if not has_date:
        raise _error(file, where, "date_format", "needs a `date` selector to apply to")
    return value


def _max_pages(t: Mapping[str, Any], where: str, file: str, *, has_next: bool) -> int:
    value = t.get("max_pages")
    if value is None:
        return DEFAULT_PAGES if has_next else 1
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGES:
        raise _error(file, where, "max_pages", f"must be an integer from 1 to {MAX_PAGES}, "
                     f"not {value!r}")  # fmt: skip
    if value > 1 and not has_next:
        raise _error(file, where, "max_pages", "needs a `next` selector to find the pages")
    return value


def _error(file: str, where: str, key: str, message: str) -> ConfigError:
    return ConfigError(message, file=file, key=f"{where}.{key}")
