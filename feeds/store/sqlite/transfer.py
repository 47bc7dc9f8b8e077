"""The SQLite store's rows for ``feeds store copy`` (``feeds.store.transfer``): every table
read and written in the neutral shapes, entries with their rowids, their search-index rows
(in ``entries_fts``, or ``retracted_fts`` when retracted) and ``newest_so_far``. Part of
``feeds.store.sqlite.store.Store``. Only SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.entries import _fts_row
from feeds.store.sqlite.values import ENTRY_COLUMNS, entry_of_stored
from feeds.store.transfer import TABLES, Row, StoredEntry

_QUALIFIED = ", ".join(f"e.{c.strip()}" for c in ENTRY_COLUMNS.split(","))
_FTS = "(rowid, title, body, lang, source, category, every) VALUES (?, ?, ?, ?, ?, ?, 'all')"


class TransferStore(Connection):
    """Rows in and out for a copy (see the module docstring)."""

    def is_empty(self) -> bool:
        rows = self._query(
            "SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM sources) "
            "+ (SELECT count(*) FROM topics)"
        )
        return int(rows[0][0]) == 0

    def table_rows(self, table: str) -> Iterator[Row]:
        columns = ", ".join(TABLES[table])
        for row in self._query(f"SELECT {columns} FROM {table} ORDER BY 1"):
            yield tuple(row)

    def put_table_rows(self, table: str, rows: Iterable[Row]) -> None:
        columns = TABLES[table]
        marks = ", ".join("?" for _ in columns)
        verb = "INSERT OR REPLACE" if table == "meta" else "INSERT"  # meta: 'edits' is there
        with self._transaction() as db:
            db.executemany(f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def stored_entries(self, *, after: int, limit: int) -> list[StoredEntry]:
        rows = self._query(
            f"SELECT e.rowid, {_QUALIFIED}, e.first_seen, e.retracted, "
            "coalesce(f.body, r.body, '') FROM entries e "
            "LEFT JOIN entries_fts f ON f.rowid = e.rowid "
            "LEFT JOIN retracted_fts r ON r.rowid = e.rowid "
            "WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?",
            (after, limit),
        )
        return [StoredEntry(int(r[0]), tuple(r)[1:14], r[14], r[15], r[16]) for r in rows]

    def put_stored_entries(self, entries: Iterable[StoredEntry]) -> None:
        with self._transaction() as db:
            last = db.execute(
                "SELECT newest_so_far FROM entries ORDER BY rowid DESC LIMIT 1"
            ).fetchone()
            newest = (last[0] or "") if last else ""
            for e in entries:
                newest = max(newest, str(e.columns[7]))  # published
                db.execute(
                    f"INSERT INTO entries (rowid, {ENTRY_COLUMNS}, first_seen, retracted, "
                    f"newest_so_far) VALUES ({', '.join('?' * 17)})",
                    (e.position, *e.columns, e.first_seen, e.retracted, newest),
                )
                table = "retracted_fts" if e.retracted else "entries_fts"
                row = _fts_row(e.position, entry_of_stored(e.columns), e.body)
                db.execute(f"INSERT INTO {table} {_FTS}", row)
