"""The HTML and Markdown article formats: one decoded file's text → a raw item.

Called by ``feeds.parse.articles``, which walks the folder, decodes each file and decides
its format (``feeds.parse.sniff``); this module reads the two formats that need a parser
(lxml for HTML documents, markdown-it and python-frontmatter for Markdown). Like every
parser it must not sanitize, make ids or links, or default dates. A file that cannot be
read raises ``Unreadable`` with the reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import lxml.etree
import lxml.html

from feeds.models import RawItem
from feeds.normalize.text import collapse_spaces, html_to_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["Unreadable", "html_article", "markdown_article"]

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


class Unreadable(Exception):
    """One file cannot be read as an article; the message says why."""

    #: Whether losing the file matters (an empty file holds nothing to lose).
    failure = True


# --- HTML documents ----------------------------------------------------------------------


def html_article(text: str) -> RawItem:
    try:
        doc = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError) as e:
        raise Unreadable(f"not readable as HTML ({e})") from e
    title = _html_title(doc)
    if not title:
        raise Unreadable("no title (a <title> or <h1>, or a first line '# Title')")
    body = doc.find("body")
    content = _inner_html(body) if body is not None else ""
    meta = _html_meta(doc)
    return RawItem(
        title=html.escape(title, quote=False),
        content=content,
        link=_canonical(doc),
        authors=tuple(a for a in [meta.get("author")] if a),
        published=_date(meta.get("date") or meta.get("article:published_time")),
        updated=_date(meta.get("article:modified_time")),
        language=_html_language(doc, meta),
        categories=_tags(meta.get("keywords")) + _tags(meta.get("article:tag")),
    )


def _html_title(doc: lxml.html.HtmlElement) -> str | None:
    """<title>, else the first <h1> (removed from the body, as it becomes the title).

    A first <h1> that repeats the <title> is removed too, so the page does not say it twice.
    """
    title_el = doc.find(".//title")
    title = collapse_spaces(title_el.text_content()) if title_el is not None else ""
    h1 = next(iter(doc.iter("h1")), None)
    h1_text = collapse_spaces(h1.text_content()) if h1 is not None else ""
    if h1 is not None and (not title or h1_text == title):
        title = title or h1_text
        h1.drop_tree()
    return title or None


def _inner_html(el: lxml.html.HtmlElement) -> str:
    parts = [html.escape(el.text, quote=False)] if el.text else []
    parts += [str(lxml.html.tostring(child, encoding="unicode")) for child in el]
    return "".join(parts).strip()


def _html_meta(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """<meta name|property|http-equiv=… content=…>, keys lower-cased; first wins."""
    meta: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = el.get("name") or el.get("property") or el.get("http-equiv") or ""
        value = collapse_spaces(el.get("content") or "")
        if key and value:
            meta.setdefault(key.strip().lower(), value)
    return meta


def _html_language(doc: lxml.html.HtmlElement, meta: Mapping[str, str]) -> str | None:
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or meta.get("content-language") or meta.get("language")
    lang = lang or (meta.get("og:locale") or "").replace("_", "-")
    return lang.strip() or None


def _canonical(doc: lxml.html.HtmlElement) -> str | None:
    for el in doc.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            return str(el.get("href")).strip()
    return None


# --- Markdown ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Imported here: every parse worker loads this module, few ever read Markdown.
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML allowed: normalize sanitizes everything once, later.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def markdown_article(text: str, notes: list[str]) -> RawItem:
    import frontmatter  # see _markdown

    try:
        post = frontmatter.loads(text)
    except Exception as e:  # PyYAML raises many types; any is "bad front matter"
        raise Unreadable(f"bad front matter ({collapse_spaces(str(e))[:120]})") from e
    fm: Mapping[str, Any] = post.metadata
    md = _markdown()
    tokens = md.parse(post.content)
    title = _fm_str(fm, "title")
    heading = _take_h1(tokens, md, title)
    if not title and not heading:
        raise Unreadable("no title (first line must be '# Title', or front matter 'title')")
    summary = _fm_str(fm, "summary") or _fm_str(fm, "description")
    return RawItem(
        # An id of its own: it follows the article wherever its file goes (#15 item 16).
        guid=_fm_str(fm, "id"),
        title=html.escape(title, quote=False) if title else heading,
        content=md.renderer.render(tokens, md.options, {}).strip(),
        summary=md.render(summary).strip() if summary else None,
        link=_fm_str(fm, "link") or _fm_str(fm, "url"),
        authors=_fm_list(fm, "author") or _fm_list(fm, "authors"),
        published=_fm_date(fm, "date", notes) or _fm_date(fm, "published", notes),
        updated=_fm_date(fm, "updated", notes) or _fm_date(fm, "modified", notes),
        language=_fm_str(fm, "lang") or _fm_str(fm, "language"),
        categories=_fm_list(fm, "tags") + _fm_list(fm, "categories"),
    )


def _take_h1(tokens: list[Token], md: MarkdownIt, title: str | None) -> str | None:
    """Remove the first top-level h1 from ``tokens`` and return its inline HTML.

    With a front-matter title, the h1 is removed only when it repeats that title.
    """
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and tok.level == 0:
            inline = md.renderer.render(tokens[i + 1 : i + 2], md.options, {}).strip()
            if title and html_to_text(inline) != collapse_spaces(title):
                return None
            del tokens[i : i + 3]
            return inline or None
    return None


def _fm_str(fm: Mapping[str, Any], key: str) -> str | None:
    value = fm.get(key)
    if isinstance(value, str | int | float) and str(value).strip():
        return str(value).strip()
    return None


def _fm_list(fm: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings, or one comma-separated string."""
    value = fm.get(key)
    if isinstance(value, str):
        return _tags(value)
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip())
    return ()


def _fm_date(fm: Mapping[str, Any], key: str, notes: list[str]) -> datetime | None:
    value = fm.get(key)
    if value is None or value == "":
        return None
    parsed = _date(value)
    if parsed is None:
        notes.append(f"front matter {key!r}: not a date ({str(value)[:40]!r}), ignored")
    return parsed


def _date(value: object) -> datetime | None:
    """A date from YAML or a meta tag: a date alone is midnight UTC; naive means UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        parsed_str = _date_from_str(value.strip())
        if parsed_str is None:
            return None
        parsed = parsed_str
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _date_from_str(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)  # RFC 2822, as in some meta tags
    except (TypeError, ValueError, IndexError):
        return None


def _tags(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(t.strip() for t in value.split(",") if t.strip())
