"""The web pages' template engine: Jinja2 with autoescaping, templates shipped as package
data (``feeds/publish/templates``), and the values the templates show.

``render(name, **values)`` gives a page's bytes (UTF-8), the same bytes for the same
values: nothing here reads a clock, the store or a file but the templates. Every text is
escaped by Jinja2; text that cannot stand in HTML (control characters, noncharacters, lone
surrogates) is dropped first, already-sanitized HTML (an article's content) passes as
``Markup``. Must not import the flow, run or cli.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from feeds.models import Entry, Settings, Source
from feeds.normalize.text import html_to_text
from feeds.publish.atom import Related, human_date, language_tag, page_url, source_title, utc
from feeds.publish.markup import names

#: What cannot stand in an HTML document's text (HTML's "control" and "noncharacter" code
#: points, and lone surrogates, which UTF-8 cannot even encode).
_NOT_HTML = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)
#: Characters of an entry's summary shown on a page (plain text, cut at a space).
SUMMARY_CHARS = 280
#: Where the daemon puts its search box (``feeds.run.search_page``); a comment otherwise.
SEARCH_MARK = "<!--feeds:search-->"


def html_text(text: str | None) -> str:
    """``text`` without what cannot stand in HTML (``None`` gives "")."""
    return _NOT_HTML.sub("", text) if text else ""


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(html_text(str(value)))
    return html_text(value) if isinstance(value, str) else value


def _iso(when: datetime) -> str:
    return utc(when).isoformat()


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` cut to about ``limit`` characters at a space, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return head.rstrip(" ,;:.") + "…"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("feeds.publish", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(iso=_iso, human=human_date, day=lambda when: f"{utc(when):%Y-%m-%d}")
    env.globals.update(search_mark=Markup(SEARCH_MARK), quote=quote)
    return env


def render(name: str, **values: Any) -> bytes:
    """The template ``name`` with ``values``, as UTF-8 bytes."""
    return environment().get_template(name).render(**values).encode("utf-8")


@dataclass(frozen=True, slots=True)
class EntryView:
    """What a page shows of one entry."""

    title: str
    #: Where the title links ("" for none).
    href: str
    lang: str
    published: datetime
    source: str
    authors: tuple[str, ...]
    #: The summary as plain text, shortened.
    summary: str
    #: Other sources' copies of the same story.
    related: tuple[Related, ...] = ()


def entry_view(
    entry: Entry,
    settings: Settings,
    sources: Mapping[str, Source],
    related: Sequence[Related] = (),
) -> EntryView:
    source = source_title(entry.source, sources)
    # An author that is the source itself is named once, as the source.
    # Names that hold markup are shown as their text (feeds.publish.markup.names).
    authors = tuple(dict.fromkeys(a.strip() for a in names(entry.authors) if a.strip() != source))
    summary = html_to_text(entry.summary or entry.content)
    return EntryView(
        title=entry.title.strip() or "(untitled)",
        href=entry.link or page_url(settings, entry),
        lang=language_tag(entry.language),
        published=entry.published,
        source=source,
        authors=tuple(a for a in authors if a),
        summary=shorten(summary),
        related=tuple(related),
    )
