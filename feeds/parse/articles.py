"""A folder of article files → raw items, one per file.

Three formats: the reference format (a first line ``# Title``, then HTML sections), full HTML
documents, and Markdown with optional YAML front matter, each recognized by what the file
holds, whatever its name (``feeds.parse.sniff``). Reading files is this module's job; it must
not sanitize (normalize does, once), make ids or links, or default dates: a missing date
stays None and normalize supplies it. One bad file never stops the others: it becomes a
message in ``ParsedFeed.problems``, and, when it could not be read at all, one of
``ArticleScan.failed`` (a failure the user sees, not a silent loss).
"""

from __future__ import annotations

import codecs
import hashlib
import html
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feeds.errors import ParseError
from feeds.models import ParsedFeed, RawItem
from feeds.parse.article_formats import Unreadable, html_article, markdown_article
from feeds.parse.sniff import article_format, recognizable, strip_leading_blank_lines

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "ArticleScan",
    "read_article",
    "read_articles",
    "scan_articles",
]

#: Names that are candidates, with no extension too (``""``): the text decides the format.
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ""})
#: Larger files are skipped: an article is not a data dump.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024

_LANG_HINT = re.compile(r"[a-z]{2,3}(?:[-_][a-z]{2}|[-_][0-9]{3})?", re.IGNORECASE)


class _Empty(Unreadable):
    failure = False


class _NotAnArticle(Exception):
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


def read_articles(folder: Path) -> ParsedFeed:
    """Read every article file under ``folder`` (recursively, sorted by relative path).

    Hidden files and folders and names starting with "_" are skipped (drafts, partials).
    Raises ParseError if the folder is missing or unreadable; a bad file is a problem.
    """
    return scan_articles(folder)


def scan_articles(folder: Path) -> ArticleScan:
    """``read_articles``, and which files were found and which could not be read at all."""
    if not folder.is_dir():
        raise ParseError(f"{folder}: not a folder (missing or not a directory)")
    try:
        os.listdir(folder)
    except OSError as e:
        raise ParseError(f"{folder}: cannot read the folder ({e.strerror})") from e
    problems: list[str] = []
    failed: list[str] = []
    items: list[RawItem] = []
    files: list[str] = []
    pages: dict[str, str] = {}  # story.md and story.html would share story.html
    unlisted: list[str] = []  # folders that could not be listed
    for rel in sorted(_article_paths(folder, unlisted)):
        try:
            item, notes = _read(folder / rel, rel)
        except _NotAnArticle:
            continue
        except Unreadable as e:
            files.append(rel)
            (failed if e.failure else problems).append(f"{rel}: {e}")
            continue
        files.append(rel)
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
        items=tuple(items), title=folder.name, problems=tuple(problems), files=tuple(files),
        failed=tuple(failed), complete=not unlisted,
    )  # fmt: skip


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
        item, _ = _read(path, rel, named=True)
    except Unreadable as e:
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


def _read(path: Path, rel: str, *, named: bool = False) -> tuple[RawItem, list[str]]:
    """One file (``named``: asked for by name, so read even if it does not look like one)."""
    notes: list[str] = []
    try:
        data, mtime = _read_bytes(path)
    except OSError as e:
        raise Unreadable(f"cannot read ({e.strerror})") from e
    text = _decode(data, notes)
    if not text.strip():
        raise _Empty("empty file")
    if not named and not Path(rel).suffix and not recognizable(text):
        raise _NotAnArticle(rel)
    # The text decides, never the name (#15 item 1): a reference file named .html was
    # read as HTML, found no <title>, and was skipped while the run said all was well.
    form = article_format(text)
    if form == "reference":
        item = _reference_article(text)
    elif form == "html":
        item = html_article(text)
    else:
        item = markdown_article(text, notes)
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
            raise Unreadable("not a regular file")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise Unreadable(f"too large ({info.st_size} bytes, limit {MAX_ARTICLE_BYTES})")
        data = f.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:  # it grew while being read
        raise Unreadable(f"too large (more than {MAX_ARTICLE_BYTES} bytes)")
    return data, info.st_mtime


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


def _reference_article(text: str) -> RawItem:
    first, _, rest = strip_leading_blank_lines(text).partition("\n")
    title = first[2:].strip()
    if not title:
        raise Unreadable("no title (first line must be '# Title')")
    # The title line is plain text: escape it so "AT&T" or "<b>" read as written.
    return RawItem(title=html.escape(title, quote=False), content=rest.strip())
