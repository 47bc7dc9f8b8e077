"""The bytes of a folder's article files → raw items, one per file: pure, no I/O.

Three formats: the reference format (a first line ``# Title``, then HTML sections), full HTML
documents, and Markdown with optional YAML front matter, each recognized by what the file
holds, whatever its name (``feeds.parse.sniff``). Walking the folder and reading the files is
``feeds.sources.articles``'s job, which hands over each file as an ``ArticleFile``; this module
must not open files, sanitize (normalize does, once), make ids or links, or default dates: a
missing date stays None and normalize supplies it. One bad file never stops the others: it
becomes a message in ``ParsedFeed.problems``, and, when it could not be read at all, one of
``ArticleScan.failed`` (a failure the user sees, not a silent loss).
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import PurePosixPath

from feeds.models import ParsedFeed, RawItem
from feeds.parse.article_formats import Unreadable, html_article, markdown_article
from feeds.parse.sniff import article_format, recognizable, strip_leading_blank_lines

__all__ = ["ArticleFile", "ArticleScan", "NotAnArticle", "Unreadable", "parse_article", "scan"]

_LANG_HINT = re.compile(r"[a-z]{2,3}(?:[-_][a-z]{2}|[-_][0-9]{3})?", re.IGNORECASE)


class _Empty(Unreadable):
    failure = False


class NotAnArticle(Exception):
    """A file without an extension whose text does not say it is an article (a README)."""


@dataclass(frozen=True, slots=True)
class ArticleScan(ParsedFeed):
    """A folder's articles (a ParsedFeed), and which files it holds."""

    #: Every article file found, read or not (relative POSIX paths, sorted): a stored
    #: article whose file is not among them was deleted or renamed.
    files: tuple[str, ...] = ()
    #: "<path>: <reason>" of each file that could not be read at all (also in problems).
    failed: tuple[str, ...] = ()
    #: Whether every folder could be listed (if not, ``files`` may miss some that exist).
    complete: bool = True


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """One article file as read by ``feeds.sources.articles``: its bytes, or why there are none."""

    #: Relative POSIX path in the source folder.
    path: str
    #: Its bytes; None when it could not be read (``error`` says why).
    data: bytes | None
    #: Its modification time (seconds since the epoch).
    mtime: float = 0.0
    #: Why it could not be read ("cannot read (Permission denied)", "not a regular file").
    error: str | None = None


def scan(title: str, files: Iterable[ArticleFile], unlisted: Iterable[str] = ()) -> ArticleScan:
    """The articles of a folder named ``title`` from its files (in path order), and which
    could not be read; ``unlisted``: "<folder>: <reason>" of each folder not listed."""
    unlisted = list(unlisted)
    problems: list[str] = []
    failed: list[str] = []
    items: list[RawItem] = []
    paths: list[str] = []
    pages: dict[str, str] = {}  # story.md and story.html would share story.html
    for file in files:
        rel = file.path
        try:
            item, notes = parse_article(file)
        except NotAnArticle:
            continue
        except Unreadable as e:
            paths.append(rel)
            (failed if e.failure else problems).append(f"{rel}: {e}")
            continue
        paths.append(rel)
        stem = rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1][1:] else rel
        if stem in pages:
            failed.append(f"{rel}: skipped, it would share its page with {pages[stem]}; rename one")
            continue
        pages[stem] = rel
        items.append(item)
        problems.extend(f"{rel}: {note}" for note in notes)
    failed = sorted(failed + unlisted)
    problems = sorted(problems + failed)  # by path, as the files are read
    return ArticleScan(
        items=tuple(items), title=title, problems=tuple(problems), files=tuple(paths),
        failed=tuple(failed), complete=not unlisted,
    )  # fmt: skip


def parse_article(file: ArticleFile, *, named: bool = False) -> tuple[RawItem, list[str]]:
    """One file's item and notes (``named``: asked for by name, so read even if it does not
    look like one). Raises Unreadable, or NotAnArticle (a README without an extension)."""
    if file.data is None:
        raise Unreadable(file.error or "cannot read")
    notes: list[str] = []
    text = _decode(file.data, notes)
    if not text.strip():
        raise _Empty("empty file")
    rel = file.path
    if not named and not PurePosixPath(rel).suffix and not recognizable(text):
        raise NotAnArticle(rel)
    # The text decides, never the name (#15 item 1): a reference file named .html was
    # read as HTML, found no <title>, and was skipped while the run said all was well.
    form = article_format(text)
    if form == "reference":
        item = _reference_article(text)
    elif form == "html":
        item = html_article(text)
    else:
        item = markdown_article(text, notes)
    return _finish(item, rel, file.mtime), notes


def _decode(data: bytes, notes: list[str]) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252 (latin-1 for its 5 holes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise Unreadable("invalid UTF-16") from e
    if b"\x00" in data:
        raise Unreadable("binary file (NUL bytes), not an article")
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


def _finish(item: RawItem, rel: str, mtime: float) -> RawItem:
    """Add what the file itself says: its path, time and a language hint in its name."""
    language = item.language or _name_language(PurePosixPath(rel).name)
    file_time = datetime.fromtimestamp(mtime, UTC)
    return replace(item, path=rel, file_time=file_time, language=language)


def _name_language(name: str) -> str | None:
    """ "story.fr.txt" → "fr"; "story.txt" → None."""
    parts = name.split(".")
    if len(parts) >= 3 and _LANG_HINT.fullmatch(parts[-2]):
        return parts[-2].replace("_", "-")
    return None


# --- the reference format ----------------------------------------------------------------


def _reference_article(text: str) -> RawItem:
    first, _, rest = strip_leading_blank_lines(text).partition("\n")
    title = first[2:].strip()
    if not title:
        raise Unreadable("no title (first line must be '# Title')")
    # The title line is plain text: escape it so "AT&T" or "<b>" read as written.
    return RawItem(title=html.escape(title, quote=False), content=rest.strip())
