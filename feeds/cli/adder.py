"""``feeds add``: find the feed behind a URL (or take a feed file or a folder) and add it to
the config.

Fetches the URL with the project's fetcher (which follows an HTML page to the feed it links
to; a page advertising several is the user's to choose from), or reads the local feed file,
parses it to show its title and newest entries, picks a unique source name, and appends
a ``[[sources]]`` table to the config with tomlkit, so the file keeps its comments and
layout. The new text is checked like ``feeds check`` before it replaces the file (atomically).
This module does not touch the store or public/, and decides nothing about scheduling.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Comment, Table, Whitespace

from feeds.config.loader import parse_config
from feeds.errors import ConfigError, ParseError
from feeds.models import Config, RawItem
from feeds.normalize.text import html_to_text
from feeds.parse import parse_feed
from feeds.publish.files import write_atomic
from feeds.sources.http import Fetcher, FetchSettings
from feeds.words import count

#: Entry titles shown before adding.
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Found:
    """What a URL turned out to be."""

    #: The feed's URL (after autodiscovery and permanent redirects).
    url: str
    #: The page the feed was discovered from, if the URL was a page.
    page: str | None
    title: str | None
    #: Newest entry titles first, at most SHOWN.
    entries: tuple[str, ...]
    #: The feed's declared language, if any.
    language: str | None
    #: Every feed the page advertises, in its order, when it advertises more than one.
    choices: tuple[str, ...] = ()


async def discover(url: str, settings: FetchSettings) -> Found:
    """Fetch ``url`` (following autodiscovery) and read its title and newest entries.

    Raises FetchError (network, status, a page without a feed link) or ParseError.
    """
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(url)
    assert result.body is not None
    parsed = parse_feed(result.body, url=result.final_url, content_type=result.content_type)
    return Found(
        url=result.permanent_url or url,
        page=result.discovered_from,
        title=html_to_text(parsed.title).strip() or None if parsed.title else None,
        entries=_newest_titles(parsed.items),
        language=parsed.language,
        choices=result.feed_links if len(result.feed_links) > 1 else (),
    )


def read_feed_file(path: Path) -> Found:
    """Read the local feed file ``path`` as the ingest will (feeds.ingest.flow: the same
    parse_feed, no Content-Type). Raises ParseError if it cannot be read or is not a feed."""
    try:
        body = path.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read {path}: {e.strerror}; nothing added") from e
    try:
        parsed = parse_feed(body, url=path.resolve().as_uri())
    except ParseError as e:
        raise ParseError(f"{path}: {e}; nothing added") from e
    return Found(
        url=str(path),
        page=None,
        title=html_to_text(parsed.title).strip() or None if parsed.title else None,
        entries=_newest_titles(parsed.items),
        language=parsed.language,
    )


def _newest_titles(items: Sequence[RawItem]) -> tuple[str, ...]:
    epoch = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(items, key=lambda i: i.published or i.updated or epoch, reverse=True)
    if not any(i.published or i.updated for i in items):
        ordered = list(items)  # no dates: feeds list the newest first
    titles = (html_to_text(i.title or "").strip() or "(no title)" for i in ordered)
    return tuple(titles)[:SHOWN]


def slugify(text: str) -> str:
    """``"Le Monde – Afrique"`` -> ``"le-monde-afrique"`` (a valid source name)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].rstrip("-") or "source"


def unique_name(wanted: str, config: Config) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… whichever no source uses yet."""
    taken = {s.name for s in config.sources}
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}-{n}", n + 1
    return name


def check_new_url(config: Config, *urls: str | None) -> None:
    """ConfigError (naming the source's key) if a source already reads one of ``urls``."""
    wanted = {_same(u) for u in urls if u}
    for i, source in enumerate(config.sources):
        if source.url and _same(source.url) in wanted:
            raise ConfigError(
                f"source {source.name!r} already reads {source.url}; nothing added",
                file=str(config.file),
                key=f"sources[{i}].url",
            )


def check_new_folder(config: Config, folder: Path) -> None:
    """ConfigError (naming the source's key) if a source already reads ``folder`` (an
    articles folder or a feed file)."""
    for i, source in enumerate(config.sources):
        if source.path and source.path == folder.resolve():
            raise ConfigError(
                f"source {source.name!r} already reads {folder}; nothing added",
                file=str(config.file),
                key=f"sources[{i}].path",
            )


def _same(url: str) -> str:
    return url.rstrip("/").lower()


def feed_table(name: str, found: Found, *, language: str | None = None) -> dict[str, Any]:
    """The keys of a new feed source."""
    table: dict[str, Any] = {"name": name, "kind": "feed", "url": found.url}
    if language:
        table["language"] = language
    return table


def articles_table(name: str, folder: Path, config_path: Path) -> dict[str, Any]:
    """The keys of a new articles source; the path relative to the config's folder."""
    return {"name": name, "kind": "articles", "path": _relative(folder, config_path)}


def feed_file_table(
    name: str, file: Path, config_path: Path, *, language: str | None = None
) -> dict[str, Any]:
    """The keys of a new local feed source; the path relative to the config's folder."""
    table: dict[str, Any] = {"name": name, "kind": "feed", "path": _relative(file, config_path)}
    if language:
        table["language"] = language
    return table


def _relative(path: Path, config_path: Path) -> str:
    """As the config reads paths: relative to its folder, with forward slashes."""
    return Path(os.path.relpath(path.resolve(), config_path.resolve().parent)).as_posix()


def append_source(config_path: Path, keys: dict[str, Any], note: str | None = None) -> str:
    """The config text with a ``[[sources]]`` table appended after the last source.

    Comments, blank lines and key order elsewhere are kept byte for byte. The result is
    checked as ``feeds check`` would; ConfigError if it does not pass.
    """
    text = config_path.read_text(encoding="utf-8")
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as e:
        raise ConfigError(f"not valid TOML: {e}", file=str(config_path)) from None
    table = tomlkit.table()
    if note:
        table.add(tomlkit.comment(note))
    for key, value in keys.items():
        table.add(key, value)
    sources = doc.get("sources")
    if isinstance(sources, AoT) and len(sources):
        _move_trailing_comments(sources[-1], table)
        sources.append(table)
    else:
        doc.append("sources", tomlkit.aot())
        doc["sources"].append(table)
    new_text = tomlkit.dumps(doc)
    parse_config(tomllib.loads(new_text), path=config_path.resolve())
    return new_text


def _move_trailing_comments(last: Table, new: Table) -> None:
    """Comments after the last source's keys introduce what follows (``# --- Topics``):
    keep them after the new table, so it lands among the sources."""
    body = last.value.body
    start = len(body)
    while start > 0 and body[start - 1][0] is None:
        start -= 1
    first = next((i for i in range(start, len(body)) if isinstance(body[i][1], Comment)), None)
    new.add(tomlkit.nl())
    if first is None:
        return
    moved = [item for _, item in body[first:] if isinstance(item, Comment | Whitespace)]
    del body[first:]
    for item in moved:
        new.add(item)


def write_config(config_path: Path, text: str) -> None:
    write_atomic(config_path, text.encode("utf-8"))


def describe(found: Found) -> list[str]:
    """What ``feeds add`` shows before adding: title, where the feed is, newest entries."""
    lines = [f"found: {found.title or '(untitled feed)'}", f"  feed  {found.url}"]
    if found.page:
        lines.append(f"  (discovered on the page {found.page})")
    if found.choices:
        lines.append(f"  the page advertises {len(found.choices)} feeds:")
        lines.extend(f"    {url}" for url in found.choices)
    if found.language:
        lines.append(f"  language {found.language}")
    if found.entries:
        lines.append(f"  latest {count(len(found.entries), 'entry')}:")
        lines.extend(f"    - {title}" for title in found.entries)
    else:
        lines.append("  no entries yet")
    return lines
