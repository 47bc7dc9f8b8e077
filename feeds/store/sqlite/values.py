"""The SQLite store's row codec: the time text it keeps, and the conversions between an
``Entry``, a ``SourceState`` or a ``Match`` (``feeds.store.values``) and its row. No SQL
runs here; must not import the rest of the store.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from feeds.clock import parse_ts, ts
from feeds.models import Entry, SourceState
from feeds.store.values import Mark, Match, Position, TopicRecord, UpsertResult, entries_of

__all__ = [
    "ENTRY_COLUMNS",
    "MAX_ROWID",
    "Mark",
    "Match",
    "Position",
    "TopicRecord",
    "UpsertResult",
    "entries_of",
    "entry_of_row",
    "entry_of_stored",
    "entry_row",
    "json_strings",
    "match_of_row",
    "parse_ts",
    "state_of_row",
    "ts",
]

#: The largest rowid SQLite gives.
MAX_ROWID = 2**63 - 1

ENTRY_COLUMNS = (
    "id, source, title, link, summary, content, authors, published, updated, language, "
    "categories, page, hash"
)


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


def match_of_row(r: sqlite3.Row) -> Match:
    """A match from a row of ``rowid, {ENTRY_COLUMNS}``."""
    stored = tuple(r)[1:]
    return Match(Position(int(r[0])), str(r["id"]), stored, entry_of_stored)


def entry_of_row(r: sqlite3.Row) -> Entry:
    """An entry from a row of ``ENTRY_COLUMNS``."""
    return entry_of_stored(tuple(r))


def entry_of_stored(stored: tuple[Any, ...]) -> Entry:
    """An entry from the values of ``ENTRY_COLUMNS``, in their order."""
    id_, source, title, link, summary, content, authors, published, updated = stored[:9]
    language, categories, page, hash_ = stored[9:]
    first, last = parse_ts(published), parse_ts(updated)
    assert first is not None and last is not None
    return Entry(
        id=id_,
        source=source,
        title=title,
        link=link,
        summary=summary,
        content=content,
        authors=tuple(json.loads(authors)),
        published=first,
        updated=last,
        language=language,
        categories=tuple(json.loads(categories)),
        page=page,
        hash=hash_,
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
