"""A folder of article files → raw items, one per file.

Three formats: the reference format (a first line ``# Title``, then HTML sections), full HTML
documents, and Markdown with optional YAML front matter (a ``.txt`` that is not HTML reads as
Markdown). Reading files is this module's job; it must not sanitize (normalize does, once),
make ids or links, or default dates: a missing date stays None and normalize supplies it.
One bad file never stops the others: it becomes a message in ``ParsedFeed.problems``.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.etree
import lxml.html

from feeds.errors import ParseError
from feeds.models import ParsedFeed, RawItem
from feeds.text import collapse_spaces, html_to_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["ARTICLE_SUFFIXES", "MAX_ARTICLE_BYTES", "read_article", "read_articles"]

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
#: Larger files are skipped: an article is not a data dump.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024

_LANG_HINT = re.compile(r"[a-z]{2,3}(?:[-_][a-z]{2}|[-_][0-9]{3})?", re.IGNORECASE)
_HTML_START = re.compile(r"\s*<(?:!--|!doctype|[a-z][a-z0-9-]*[\s/>])", re.IGNORECASE)
_DOCUMENT_START = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?<(?:!doctype\s+html|html[\s>])", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HTML_FORMATS = frozenset({".html", ".htm"})


class _Skip(Exception):
    """One file cannot be read as an article; the message says why."""


def read_articles(folder: Path) -> ParsedFeed:
    """Read every article file under ``folder`` (recursively, sorted by relative path).

    Hidden files and folders and names starting with "_" are skipped (drafts, partials).
    Raises ParseError if the folder is missing or unreadable; a bad file is a problem.
    """
    if not folder.is_dir():
        raise ParseError(f"{folder}: not a folder (missing or not a directory)")
    try:
        os.listdir(folder)
    except OSError as e:
        raise ParseError(f"{folder}: cannot read the folder ({e.strerror})") from e
    problems: list[str] = []
    items: list[RawItem] = []
    pages: dict[str, str] = {}  # story.md and story.html would share story.html
    for rel in sorted(_article_paths(folder, problems)):
        stem = rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1][1:] else rel
        if stem in pages:
            problems.append(
                f"{rel}: skipped, it would share its page with {pages[stem]}; rename one"
            )
            continue
        pages[stem] = rel
        try:
            item, notes = _read(folder / rel, rel)
        except _Skip as e:
            problems.append(f"{rel}: {e}")
            continue
        items.append(item)
        problems.extend(f"{rel}: {note}" for note in notes)
    return ParsedFeed(items=tuple(items), title=folder.name, problems=tuple(problems))


def folder_fingerprint(folder: Path) -> str:
    """A digest of which article files ``folder`` holds and their (size, mtime, inode, mode):
    equal digests mean nothing to read again. Raises ParseError like ``read_articles``."""
    if not folder.is_dir():
        raise ParseError(f"{folder}: not a folder (missing or not a directory)")
    digest = hashlib.sha256()
    for rel in sorted(_article_paths(folder, [])):
        try:
            st = os.stat(folder / rel)
            facts = f"{st.st_size} {st.st_mtime_ns} {st.st_ino} {st.st_mode}"
        except OSError as e:
            facts = f"error {e.errno}"
        digest.update(f"{rel}\0{facts}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def read_article(path: Path, *, root: Path) -> RawItem:
    """Read one article file; ``root`` is the source folder (``RawItem.path`` is relative
    to it). Raises ParseError with a "<relative path>: <reason>" message if unreadable."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    try:
        item, _ = _read(path, rel)
    except _Skip as e:
        raise ParseError(f"{rel}: {e}") from e
    return item


def _article_paths(folder: Path, problems: list[str]) -> Iterator[str]:
    """Relative POSIX paths of the article files under ``folder``."""

    def on_error(e: OSError) -> None:
        where = Path(e.filename).relative_to(folder).as_posix() if e.filename else "?"
        problems.append(f"{where}: cannot read ({e.strerror})")

    for dirpath, dirnames, filenames in os.walk(folder, onerror=on_error):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        here = Path(dirpath)
        for name in filenames:
            if name.startswith((".", "_")) or Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            yield (here / name).relative_to(folder).as_posix()


def _read(path: Path, rel: str) -> tuple[RawItem, list[str]]:
    notes: list[str] = []
    try:
        data, mtime = _read_bytes(path)
    except OSError as e:
        raise _Skip(f"cannot read ({e.strerror})") from e
    text = _decode(data, notes)
    if not text.strip():
        raise _Skip("empty file")
    suffix = path.suffix.lower()
    if suffix in _HTML_FORMATS:
        item = _html_article(text)
    elif suffix == ".txt" and _is_reference(text):
        item = _reference_article(text)
    elif suffix == ".txt" and _DOCUMENT_START.match(text):
        item = _html_article(text)
    else:
        item = _markdown_article(text, notes)
    return _finish(item, path, rel, mtime), notes


def _read_bytes(path: Path) -> tuple[bytes, float]:
    """A regular file's bytes (never more than the limit, even if it grows) and its mtime.

    Opened non-blocking and checked with fstat, so a FIFO or device named like an article is
    skipped instead of blocking the run for ever.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("not a regular file")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise _Skip(f"too large ({info.st_size} bytes, limit {MAX_ARTICLE_BYTES})")
        data = f.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:  # it grew while being read
        raise _Skip(f"too large (more than {MAX_ARTICLE_BYTES} bytes)")
    return data, info.st_mtime


def _decode(data: bytes, notes: list[str]) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252 (latin-1 for its 5 holes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise _Skip("invalid UTF-16") from e
    if b"\x00" in data:
        raise _Skip("binary file (NUL bytes), not an article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        notes.append("not UTF-8, read as cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        notes.append("not UTF-8, read as latin-1")
    return text


def _finish(item: RawItem, path: Path, rel: str, mtime: float) -> RawItem:
    """Add what the file itself says: its path, time and a language hint in its name."""
    language = item.language or _name_language(path.name)
    file_time = datetime.fromtimestamp(mtime, UTC)
    return replace(item, path=rel, file_time=file_time, language=language)


def _name_language(name: str) -> str | None:
    """ "story.fr.txt" → "fr"; "story.txt" → None."""
    parts = name.split(".")
    if len(parts) >= 3 and _LANG_HINT.fullmatch(parts[-2]):
        return parts[-2].replace("_", "-")
    return None


# --- the reference format ----------------------------------------------------------------


def _is_reference(text: str) -> bool:
    first, _, rest = text.partition("\n")
    return first.startswith("# ") and bool(_HTML_START.match(rest))


def _reference_article(text: str) -> RawItem:
    first, _, rest = text.partition("\n")
    title = first[2:].strip()
    if not title:
        raise _Skip("no title (first line must be '# Title')")
    # The title line is plain text: escape it so "AT&T" or "<b>" read as written.
    return RawItem(title=html.escape(title, quote=False), content=rest.strip())


# --- HTML documents ----------------------------------------------------------------------


def _html_article(text: str) -> RawItem:
    try:
        doc = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError) as e:
        raise _Skip(f"not readable as HTML ({e})") from e
    title = _html_title(doc)
    if not title:
        raise _Skip("no title (<title> or <h1>)")
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


def _markdown_article(text: str, notes: list[str]) -> RawItem:
    import frontmatter  # see _markdown

    try:
        post = frontmatter.loads(text)
    except Exception as e:  # PyYAML raises many types; any is "bad front matter"
        raise _Skip(f"bad front matter ({collapse_spaces(str(e))[:120]})") from e
    fm: Mapping[str, Any] = post.metadata
    md = _markdown()
    tokens = md.parse(post.content)
    title = _fm_str(fm, "title")
    heading = _take_h1(tokens, md, title)
    if not title and not heading:
        raise _Skip("no title (first line must be '# Title', or front matter 'title')")
    summary = _fm_str(fm, "summary") or _fm_str(fm, "description")
    return RawItem(
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
