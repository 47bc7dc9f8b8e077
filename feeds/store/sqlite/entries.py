"""The store's entries: writing them (new, changed, or back after a retraction) with their
search-index rows, and reading them back by id, by source, or in arrival order. Part of
``feeds.store.sqlite.store.Store``. Only SQL; what a changed entry's dates become and
which of a repeated guid is kept are ``feeds.decide.entries``'s.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from feeds.decide.entries import changed_entry, first_of_each
from feeds.models import Entry
from feeds.normalize.text import body_text
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import (
    ENTRY_COLUMNS,
    UpsertResult,
    entry_of_row,
    entry_row,
    parse_ts,
    ts,
)
from feeds.topics.query import source_column


class EntryStore(Connection):
    """Entries in and out (see the module docstring)."""

    def upsert(
        self, entries: Iterable[Entry], *, now: datetime, texts: Sequence[str] | None = None
    ) -> UpsertResult:
        """Add new entries, update changed ones (same id, new hash); one transaction.

        A changed entry keeps its first ``published`` and gets ``updated`` = its own newer
        date, else ``now``. An unchanged entry is not written at all. ``texts``, when given,
        are ``feeds.text.body_text`` of each entry (normalize works them out anyway).
        """
        batch = first_of_each(entries, texts)
        changed: list[str] = []
        with self._transaction() as db:
            known = self._known(db, [e.id for e, _ in batch])
            fresh = [(e, t) for e, t in batch if e.id not in known]
            for entry, text in batch:
                row = known.get(entry.id)
                # A retracted entry whose file is back comes back as it was, never as new.
                if row is not None and (row["hash"] != entry.hash or row["retracted"]):
                    self._update(db, row, entry, text, now)
                    changed.append(entry.id)
            self._insert(db, fresh, now)
        new = tuple(e.id for e, _ in fresh)
        return UpsertResult(new, tuple(changed), len(batch) - len(new) - len(changed))

    @staticmethod
    def _known(db: sqlite3.Connection, ids: list[str]) -> dict[str, sqlite3.Row]:
        """The stored rows of those of ``ids`` that are stored, by id."""
        known: dict[str, sqlite3.Row] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in db.execute(
                f"SELECT rowid, id, hash, published, updated, retracted FROM entries "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                known[row["id"]] = row
        return known

    def _insert(
        self, db: sqlite3.Connection, batch: list[tuple[Entry, str | None]], now: datetime
    ) -> None:
        """Insert new entries, with the rowids SQLite would give them one by one (max + 1)."""
        if not batch:
            return
        last = db.execute(
            "SELECT rowid, newest_so_far FROM entries ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        first, newest = (last[0] + 1, last[1] or "") if last else (1, "")
        seen = ts(now)
        rows = []
        for k, (e, _) in enumerate(batch):
            row = entry_row(e)
            newest = max(newest, row[7])  # published
            rows.append((first + k, *row, seen, newest))
        db.executemany(
            f"INSERT INTO entries (rowid, {ENTRY_COLUMNS}, first_seen, newest_so_far) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO entries_fts (rowid, title, body, lang, source, category, every) "
            "VALUES (?, ?, ?, ?, ?, ?, 'all')",
            [_fts_row(first + k, e, text) for k, (e, text) in enumerate(batch)],
        )

    def _update(
        self, db: sqlite3.Connection, row: sqlite3.Row, e: Entry, text: str | None, now: datetime
    ) -> None:
        old_updated = parse_ts(row["updated"])
        assert old_updated is not None
        e = changed_entry(e, published=parse_ts(row["published"]), updated=old_updated, now=now)
        db.execute(
            "UPDATE entries SET source = ?, title = ?, link = ?, summary = ?, content = ?, "
            "authors = ?, published = ?, updated = ?, language = ?, categories = ?, page = ?, "
            "hash = ?, retracted = NULL WHERE rowid = ?",
            (*entry_row(e)[1:], row["rowid"]),
        )
        db.execute("DELETE FROM entries_fts WHERE rowid = ?", (row["rowid"],))
        if row["retracted"]:
            db.execute("DELETE FROM retracted_fts WHERE rowid = ?", (row["rowid"],))
        db.execute(
            "INSERT INTO entries_fts (rowid, title, body, lang, source, category, every) "
            "VALUES (?, ?, ?, ?, ?, ?, 'all')",
            _fts_row(row["rowid"], e, text),
        )

    def holders(self, ids: Sequence[str]) -> dict[str, str]:
        """The source of each of ``ids`` that is stored, by id (feeds.normalize.claims)."""
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT id, source FROM entries WHERE id IN ({marks})"
            out.update((r[0], r[1]) for r in self._query(sql, chunk))
        return out

    def entry(self, entry_id: str) -> Entry | None:
        rows = self._query(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        return entry_of_row(rows[0]) if rows else None

    def entries(self, *, source: str | None = None, limit: int | None = None) -> list[Entry]:
        """Entries (not retracted), newest first; all of them, or one source's."""
        params: list[object] = [source] if source else []
        where = "WHERE retracted IS NULL" + (" AND source = ?" if source else "")
        sql = f"SELECT {ENTRY_COLUMNS} FROM entries {where} ORDER BY published DESC, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [entry_of_row(r) for r in self._query(sql, params)]

    def entry_count(self) -> int:
        """How many entries are stored (one index lookup: entries are never deleted, so the
        largest rowid is their number)."""
        return int(self._query("SELECT coalesce(max(rowid), 0) FROM entries")[0][0])

    def count_entries(self) -> dict[str, int]:
        rows = self._query(
            "SELECT source, count(*) FROM entries WHERE retracted IS NULL GROUP BY source"
        )
        return {r[0]: r[1] for r in rows}

    def texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The plain text of the stored entries of ``ids`` as the search index holds it
        (``feeds.text.body_text`` of summary and content), by id."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                "SELECT e.id, f.body FROM entries e JOIN entries_fts f ON f.rowid = e.rowid "
                f"WHERE e.id IN ({marks})",
                chunk,
            )
            found.update((r[0], r[1]) for r in rows)
        return found

    def arrival_order(self, ids: Sequence[str]) -> dict[str, int]:
        """The order the stored entries of ``ids`` arrived in (their rowids), by id: story
        grouping keeps the first to arrive as the story's entry (#15 item 16)."""
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(f"SELECT id, rowid FROM entries WHERE id IN ({marks})", chunk)
            found.update((r[0], r[1]) for r in rows)
        return found


def _fts_row(rowid: int, e: Entry, text: str | None) -> tuple[Any, ...]:
    body = body_text(e.summary, e.content) if text is None else text
    return (rowid, e.title, body, e.language, source_column(e.source), " ; ".join(e.categories))
