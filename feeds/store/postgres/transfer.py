"""The PostgreSQL store's rows for ``feeds store copy`` (``feeds.store.transfer``): every
table read and written in the neutral shapes, entries with their positions and their
searchable text worked out again. Part of ``PostgresStore``. Only SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from feeds.store.postgres.connection import Connection
from feeds.store.postgres.entries import ARRIVALS_LOCK, indexed_columns
from feeds.store.postgres.values import ENTRY_COLUMNS, entry_of_stored
from feeds.store.transfer import TABLES, Row, StoredEntry

#: The tables kept per site (see feeds.store.postgres.migrations, schema 2).
SITE_TABLES = frozenset({"topics", "pages"})
_INSERT = (
    f"INSERT INTO entries (pos, {ENTRY_COLUMNS}, first_seen, retracted, body, words, f_title, "
    f"f_body, f_category, f_lang, f_source) VALUES ({', '.join(['%s'] * 23)})"
)


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
        if table in SITE_TABLES:  # this node's own
            yield from self._query(
                f"SELECT {columns} FROM {table} WHERE site = %s ORDER BY 1", (self.site,)
            )
            return
        yield from self._query(f"SELECT {columns} FROM {table} ORDER BY 1")

    def put_table_rows(self, table: str, rows: Iterable[Row]) -> None:
        columns = TABLES[table]
        if table in SITE_TABLES:
            columns, rows = ("site", *columns), [(self.site, *r) for r in rows]
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        if table == "meta":  # the empty store's own keys ('edits') take the original's values
            sql += " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        with self._transaction() as db, db.cursor() as cur:
            cur.executemany(sql.encode(), list(rows))

    def stored_entries(self, *, after: int, limit: int) -> list[StoredEntry]:
        rows = self._query(
            f"SELECT pos, {ENTRY_COLUMNS}, first_seen, retracted, body FROM entries "
            "WHERE pos > %s ORDER BY pos LIMIT %s",
            (after, limit),
        )
        return [StoredEntry(int(r[0]), tuple(r[1:14]), r[14], r[15], r[16]) for r in rows]

    def put_stored_entries(self, entries: Iterable[StoredEntry]) -> None:
        rows = [
            (e.position, *e.columns, e.first_seen, e.retracted,
             *indexed_columns(entry_of_stored(e.columns), e.body))
            for e in entries
        ]  # fmt: skip
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (ARRIVALS_LOCK,))
            with db.cursor() as cur:
                cur.executemany(_INSERT.encode(), rows)
