"""Article folders: walk a source's folder, read each article file's bytes, fingerprint it.

The edge of article sources: which files are candidates (hidden files and folders and names
starting with "_" are not: drafts, partials), each file's bytes and mtime
(``feeds.parse.articles.ArticleFile``), and a digest of the folder that says whether anything
changed. What the bytes hold is ``feeds.parse.articles``'s business (``scan_articles`` and
``read_article`` hand them over); this module must not interpret a file's text, touch the store
or decide whether to read again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from feeds.errors import ParseError
from feeds.models import RawItem
from feeds.parse.articles import ArticleFile, ArticleScan, Unreadable, parse_article, scan

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "folder_digest",
    "folder_fingerprint",
    "read_article",
    "read_articles",
    "read_folder",
    "scan_articles",
]

#: Names that are candidates, with no extension too (``""``): the text decides the format.
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ""})
#: Larger files are skipped: an article is not a data dump.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024


def read_articles(folder: Path) -> ArticleScan:
    """Read every article file under ``folder`` (recursively, sorted by relative path).

    Hidden files and folders and names starting with "_" are skipped (drafts, partials).
    Raises ParseError if the folder is missing or unreadable; a bad file is a problem.
    """
    return scan_articles(folder)


def scan_articles(folder: Path) -> ArticleScan:
    """``read_articles``, and which files were found and which could not be read at all."""
    files, unlisted = read_folder(folder)
    return scan(folder.name, files, unlisted)


def read_folder(folder: Path) -> tuple[Iterator[ArticleFile], tuple[str, ...]]:
    """The article files under ``folder`` in path order (read one at a time, as the iterator
    is consumed), and "<folder>: <reason>" of each folder that could not be listed. Raises
    ParseError if ``folder`` itself is missing or unreadable."""
    if not folder.is_dir():
        raise ParseError(f"{folder}: not a folder (missing or not a directory)")
    try:
        os.listdir(folder)
    except OSError as e:
        raise ParseError(f"{folder}: cannot read the folder ({e.strerror})") from e
    unlisted: list[str] = []
    paths = sorted(_article_paths(folder, unlisted))
    return (_file(folder / rel, rel) for rel in paths), tuple(unlisted)


def read_article(path: Path, *, root: Path) -> RawItem:
    """Read one article file; ``root`` is the source folder (``RawItem.path`` is relative
    to it). Raises ParseError with a "<relative path>: <reason>" message if unreadable."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    try:
        item, _ = parse_article(_file(path, rel), named=True)
    except Unreadable as e:
        raise ParseError(f"{rel}: {e}") from e
    return item


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


def folder_digest(folder: Path, settings_key: str) -> str:
    """``folder_fingerprint`` with what else makes its entries (``settings_key``): kept where
    a feed keeps its body's hash, so that an equal digest means nothing to read."""
    return hashlib.sha256(f"{folder_fingerprint(folder)} {settings_key}".encode()).hexdigest()


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


def _file(path: Path, rel: str) -> ArticleFile:
    """One file's bytes, or why it could not be read."""
    try:
        data, mtime = _read_bytes(path)
    except OSError as e:
        return ArticleFile(rel, None, error=f"cannot read ({e.strerror})")
    except _Refused as e:
        return ArticleFile(rel, None, error=str(e))
    return ArticleFile(rel, data, mtime)


class _Refused(Exception):
    """A file not read: not a regular file, or too large."""


def _read_bytes(path: Path) -> tuple[bytes, float]:
    """A regular file's bytes (never more than the limit, even if it grows) and its mtime.

    Opened non-blocking and checked with fstat, so a FIFO or device named like an article is
    skipped instead of blocking the run for ever.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("not a regular file")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise _Refused(f"too large ({info.st_size} bytes, limit {MAX_ARTICLE_BYTES})")
        data = f.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:  # it grew while being read
        raise _Refused(f"too large (more than {MAX_ARTICLE_BYTES} bytes)")
    return data, info.st_mtime
