"""The store's values and its row codec: the time text it keeps, the records it gives back
(``UpsertResult``, ``Mark``, ``TopicRecord``), and the conversions between an ``Entry`` or a
``SourceState`` and its row. No SQL runs here; must not import the rest of the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feeds.models import Entry, SourceState

#: The largest rowid SQLite gives.
MAX_ROWID = 2**63 - 1

ENTRY_COLUMNS = (
    "id, source, title, link, summary, content, authors, published, updated, language, "
    "categories, page, hash"
)


def ts(value: datetime | None) -> str | None:
    """A UTC datetime as the sortable text the store keeps (always six digits of seconds'
    fractions, and four digits of year, so that the text sorts as the time does)."""
    if value is None:
        return None
    # Not strftime("%Y…"): it writes the year 999 as "999", which sorts after "2024" and
    # which fromisoformat cannot read back.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    # The store's own text (``ts``, or whole seconds before schema 4): fromisoformat reads
    # both, with the "Z", much faster than strptime.
    return datetime.fromisoformat(value).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the store stands: its last entry's rowid, and how many times a stored entry
    was edited (updated or deleted). Entries arrive with rowids above the mark."""

    rowid: int
    edits: int


@dataclass(frozen=True, slots=True)
class TopicRecord:
    slug: str
    digest: str | None
    published_at: datetime | None
    #: How many entries match the topic (up to ``mark``, once it has one).
    entries: int
    #: What the topic's published files were rendered from (see feeds.publish.flow).
    state: str | None = None
    #: How many stories the current feed shows.
    shown: int = 0
    #: The store's mark when ``state`` and ``entries`` were worked out.
    mark: Mark | None = None
    #: The basis of ``state``: all it depends on but the matches (see feeds.publish.key).
    basis: str | None = None
    #: How many archive pages the topic has (the frozen ones: only those are published).
    pages: int = 0


def json_strings(values: tuple[str, ...]) -> str:
    """``json.dumps(list(values), ensure_ascii=False)``: strings JSON writes as they are
    (printable, no quote, no backslash) are joined directly, faster than the encoder."""
    if all(v.isprintable() and '"' not in v and "\\" not in v for v in values):
        return '["' + '", "'.join(values) + '"]' if values else "[]"
    return json.dumps(list(values), ensure_ascii=False)


def entry_row(e: Entry) -> tuple[Any, ...]:
    return (
        e.id,
        e.source,
        e.title,
        e.link,
        e.summary,
        e.content,
        json_strings(e.authors),
        ts(e.published),
        ts(e.updated),
        e.language,
        json_strings(e.categories),
        e.page,
        e.hash,
    )


def entries_of(rows: Iterable[sqlite3.Row]) -> list[Entry]:
    """Entries from rows of ``Store.search_rows`` or ``Store.search_after_rows``."""
    return [entry_of_row(r) for r in rows]


def entry_of_row(r: sqlite3.Row) -> Entry:
    published, updated = parse_ts(r["published"]), parse_ts(r["updated"])
    assert published is not None and updated is not None
    return Entry(
        id=r["id"],
        source=r["source"],
        title=r["title"],
        link=r["link"],
        summary=r["summary"],
        content=r["content"],
        authors=tuple(json.loads(r["authors"])),
        published=published,
        updated=updated,
        language=r["language"],
        categories=tuple(json.loads(r["categories"])),
        page=r["page"],
        hash=r["hash"],
    )


def state_of_row(r: sqlite3.Row) -> SourceState:
    return SourceState(
        name=r["name"],
        url=r["url"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        body_hash=r["body_hash"],
        last_attempt=parse_ts(r["last_attempt"]),
        last_success=parse_ts(r["last_success"]),
        status=r["status"],
        message=r["message"],
        failures=r["failures"],
        next_due=parse_ts(r["next_due"]),
        retry_after=parse_ts(r["retry_after"]),
    )
