"""Moving a store into another (``feeds store copy SRC DEST``, issue 17): every table of
one store, row by row, into an empty one of either backend, with ids, positions, dates,
source states and topic histories as they were, so that the feeds published from the copy
are byte-identical to those of the original.

Each backend reads and writes the tables in the neutral shapes named here
(``StoreTransfer``); the copy itself (``copy_store``) only moves rows between them. Only
the backends speak SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from feeds.errors import StoreError

#: The tables whose rows move as they are, with their columns (the same in both backends).
TABLES: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "sources": (
        "name", "configured_url", "url", "etag", "last_modified", "body_hash", "last_attempt",
        "last_success", "status", "message", "failures", "next_due", "retry_after",
    ),
    "topics": (
        "slug", "digest", "published_at", "entries", "state", "shown", "mark_rowid",
        "mark_edits", "basis", "pages",
    ),
    "pages": ("path", "hash"),
    "archive_pages": ("slug", "series", "page", "last_rowid"),
    "websub_pending": ("hub", "topic_url", "failures", "message"),
    "article_files": ("source", "path", "id", "key"),
    "notify_targets": (
        "topic", "target", "baseline", "since", "failures", "next_try", "last_error",
        "last_attempt", "last_success",
    ),
    "notify_seen": ("topic", "target", "entry"),
    "notify_outbox": (
        "id", "topic", "target", "kind", "created", "due", "entries", "watching", "frozen",
        "attempts", "sent",
    ),
    "article_texts": (
        "source", "id", "feed_hash", "content", "failure", "permanent", "tries", "tried",
        "etag", "last_modified",
    ),
}  # fmt: skip
#: Meta keys that are a backend's own, never copied (PostgreSQL's schema version).
OWN_META = frozenset({"schema"})
#: Entries move in batches of this many.
BATCH = 2000

Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as a store holds it: its position, its columns (``ENTRY_COLUMNS``), when it
    was first stored and retracted, and its plain text as the search holds it."""

    position: int
    columns: Row
    first_seen: str
    retracted: str | None
    body: str


class StoreTransfer(Protocol):
    """What a backend gives and takes to be copied."""

    def is_empty(self) -> bool: ...

    def table_rows(self, table: str) -> Iterator[Row]: ...

    def put_table_rows(self, table: str, rows: Iterable[Row]) -> None: ...

    def stored_entries(self, *, after: int, limit: int) -> list[StoredEntry]: ...

    def put_stored_entries(self, entries: Iterable[StoredEntry]) -> None: ...


@dataclass(frozen=True, slots=True)
class Copied:
    """How many rows moved: entries, and each other table's."""

    entries: int
    tables: dict[str, int]


def copy_store(source: StoreTransfer, dest: StoreTransfer) -> Copied:
    """Copy every row of ``source`` into ``dest``, which must be empty."""
    if not dest.is_empty():
        raise StoreError("the destination store is not empty: copy into a new, empty one")
    counts: dict[str, int] = {}
    for table in TABLES:
        rows = [r for r in source.table_rows(table) if table != "meta" or r[0] not in OWN_META]
        dest.put_table_rows(table, rows)
        counts[table] = len(rows)
    moved, after = 0, 0
    while batch := source.stored_entries(after=after, limit=BATCH):
        dest.put_stored_entries(batch)
        moved += len(batch)
        after = batch[-1].position
    return Copied(moved, counts)
