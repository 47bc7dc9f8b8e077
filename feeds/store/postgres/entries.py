"""The PostgreSQL store's entries: writing them (new, changed, or back after a retraction)
with their searchable text (``feeds.store.postgres.query.indexed``), and reading them back
by id, by source, or in arrival order. Part of ``PostgresStore``. Only SQL; what a changed
entry's dates become and which of a repeated guid is kept are ``feeds.decide.entries``'s.

Positions are given in commit order: a writer holds ``ARRIVALS_LOCK`` (an advisory lock
of its transaction) from reading the last position to its commit, so no entry ever commits
behind a position a reader has already seen (a topic's mark stays a true "up to here").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import astuple
from datetime import datetime
from typing import Any

import psycopg

from feeds.decide.entries import changed_entry, first_of_each
from feeds.models import Entry
from feeds.normalize.text import body_text
from feeds.store.postgres.connection import Connection, Row
from feeds.store.postgres.query import indexed
from feeds.store.postgres.values import ENTRY_COLUMNS, entry_of_stored, entry_row, parse_ts, ts
from feeds.store.values import UpsertResult

#: The advisory lock held while positions are given (see the module docstring).
ARRIVALS_LOCK = 0x6665_6564_7302
_INDEXED = "body, words, f_title, f_body, f_category, f_lang, f_source"
_INSERT = (
    f"INSERT INTO entries (pos, {ENTRY_COLUMNS}, first_seen, {_INDEXED}) VALUES "
    f"({', '.join(['%s'] * 22)})"
)


def indexed_columns(e: Entry, text: str | None) -> tuple[Any, ...]:
    """The values of ``_INDEXED`` for ``e`` (``text``: its plain text, if known)."""
    return astuple(indexed(e, body_text(e.summary, e.content) if text is None else text))


class EntryStore(Connection):
    """Entries in and out (see the module docstring)."""

    def upsert(
        self, entries: Iterable[Entry], *, now: datetime, texts: Sequence[str] | None = None
    ) -> UpsertResult:
        """Add new entries, update changed ones (same id, new hash); one transaction (see
        ``feeds.store.sqlite.entries.EntryStore.upsert``: the same rules)."""
        batch = first_of_each(entries, texts)
        changed: list[str] = []
        with self._transaction() as db:
            known = self._known(db, [e.id for e, _ in batch])
            fresh = [(e, t) for e, t in batch if e.id not in known]
            for entry, text in batch:
                row = known.get(entry.id)
                if row is not None and (row[2] != entry.hash or row[5]):
                    self._update(db, row, entry, text, now)
                    changed.append(entry.id)
            self._insert(db, fresh, now)
        new = tuple(e.id for e, _ in fresh)
        return UpsertResult(new, tuple(changed), len(batch) - len(new) - len(changed))

    @staticmethod
    def _known(db: psycopg.Connection[Row], ids: list[str]) -> dict[str, Row]:
        """The stored rows (pos, id, hash, published, updated, retracted) of ``ids``, by id."""
        rows = db.execute(
            "SELECT pos, id, hash, published, updated, retracted FROM entries WHERE id = ANY(%s)",
            (ids,),
        ).fetchall()
        return {r[1]: r for r in rows}

    @staticmethod
    def _insert(
        db: psycopg.Connection[Row], batch: list[tuple[Entry, str | None]], now: datetime
    ) -> None:
        if not batch:
            return
        db.execute("SELECT pg_advisory_xact_lock(%s)", (ARRIVALS_LOCK,))
        last = db.execute("SELECT coalesce(max(pos), 0) FROM entries").fetchone()
        first = int(last[0]) + 1 if last else 1
        seen = ts(now)
        with db.cursor() as cur:
            cur.executemany(
                _INSERT.encode(),
                [
                    (first + k, *entry_row(e), seen, *indexed_columns(e, text))
                    for k, (e, text) in enumerate(batch)
                ],
            )

    @staticmethod
    def _update(
        db: psycopg.Connection[Row], row: Row, e: Entry, text: str | None, now: datetime
    ) -> None:
        old_updated = parse_ts(row[4])
        assert old_updated is not None
        e = changed_entry(e, published=parse_ts(row[3]), updated=old_updated, now=now)
        db.execute(
            "UPDATE entries SET source = %s, title = %s, link = %s, summary = %s, content = %s, "
            "authors = %s, published = %s, updated = %s, language = %s, categories = %s, "
            "page = %s, hash = %s, retracted = NULL, body = %s, words = %s, f_title = %s, "
            "f_body = %s, f_category = %s, f_lang = %s, f_source = %s WHERE pos = %s",
            (*entry_row(e)[1:], *indexed_columns(e, text), row[0]),
        )

    def holders(self, ids: Sequence[str]) -> dict[str, str]:
        """The source of each of ``ids`` that is stored, by id (feeds.normalize.claims)."""
        rows = self._query("SELECT id, source FROM entries WHERE id = ANY(%s)", (list(ids),))
        return {r[0]: r[1] for r in rows}

    def entry(self, entry_id: str) -> Entry | None:
        rows = self._query(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = %s", (entry_id,))
        return entry_of_stored(rows[0]) if rows else None

    def entries(self, *, source: str | None = None, limit: int | None = None) -> list[Entry]:
        """Entries (not retracted), newest first; all of them, or one source's."""
        params: list[object] = [source] if source else []
        where = "WHERE retracted IS NULL" + (" AND source = %s" if source else "")
        sql = f"SELECT {ENTRY_COLUMNS} FROM entries {where} ORDER BY published DESC, id"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return [entry_of_stored(r) for r in self._query(sql, params)]

    def entry_count(self) -> int:
        """How many entries are stored (entries are never deleted: the last position)."""
        return int(self._query("SELECT coalesce(max(pos), 0) FROM entries")[0][0])

    def count_entries(self) -> dict[str, int]:
        rows = self._query(
            "SELECT source, count(*) FROM entries WHERE retracted IS NULL GROUP BY source"
        )
        return {r[0]: int(r[1]) for r in rows}

    def texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The plain text of the stored entries of ``ids`` as the search holds it, by id."""
        rows = self._query(
            "SELECT id, body FROM entries WHERE id = ANY(%s) AND retracted IS NULL", (list(ids),)
        )
        return {r[0]: r[1] for r in rows}

    def arrival_order(self, ids: Sequence[str]) -> dict[str, int]:
        """The order the stored entries of ``ids`` arrived in (their positions), by id."""
        rows = self._query("SELECT id, pos FROM entries WHERE id = ANY(%s)", (list(ids),))
        return {r[0]: int(r[1]) for r in rows}
