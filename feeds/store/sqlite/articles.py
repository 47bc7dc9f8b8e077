"""The store's part for article folders: which file each article came from, retractions,
and the pages they leave behind. Part of ``feeds.store.sqlite.store.Store``;
like it, it only speaks SQL and decides nothing (``feeds.decide.articles`` decides).

A retracted entry keeps its row (``entries.retracted`` is the time it was retracted), so
its id, ``published`` and place are kept should its file come back: it is never new
again. Its search-index row moves from ``entries_fts`` to ``retracted_fts`` (the same
columns): every topic query stops finding it at once, and a topic finds its tombstones
(RFC 6721) with the very same selection. All in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from feeds.decide.articles import KnownFile
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import parse_ts, ts
from feeds.topics.selection import EVERY, Selection

__all__ = ["ArticleStore", "Tombstone"]

_FTS_COLUMNS = "rowid, title, body, lang, source, category, every"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A retracted entry, as a feed announces it (RFC 6721 ``at:deleted-entry``)."""

    #: The entry's id.
    ref: str
    #: When it was retracted.
    when: datetime


class ArticleStore(Connection):
    """Methods of ``Store`` for article folders (see the module docstring)."""

    def known_files(self, source: str) -> list[KnownFile]:
        rows = self._query(
            "SELECT path, id, key FROM article_files WHERE source = ? ORDER BY path", (source,)
        )
        return [KnownFile(r[0], r[1], r[2]) for r in rows]

    def save_known_files(self, source: str, files: Iterable[KnownFile]) -> None:
        """Remember ``files`` as the whole of what ``source``'s folder holds."""
        with self._transaction() as db:
            db.execute("DELETE FROM article_files WHERE source = ?", (source,))
            db.executemany(
                "INSERT OR REPLACE INTO article_files (source, path, id, key) VALUES (?, ?, ?, ?)",
                [(source, f.path, f.id, f.key) for f in files],
            )

    def retract(self, ids: Sequence[str], *, when: datetime) -> list[str]:
        """Retract the stored, not yet retracted entries of ``ids`` (``when``: the store's
        time text); return the ids retracted."""
        done: list[str] = []
        with self._transaction() as db:
            for entry_id in ids:
                row = db.execute(
                    "SELECT rowid FROM entries WHERE id = ? AND retracted IS NULL", (entry_id,)
                ).fetchone()
                if row is None:
                    continue
                db.execute(
                    f"INSERT INTO retracted_fts ({_FTS_COLUMNS}) "
                    f"SELECT {_FTS_COLUMNS} FROM entries_fts WHERE rowid = ?",
                    (row[0],),
                )
                db.execute("DELETE FROM entries_fts WHERE rowid = ?", (row[0],))
                db.execute("UPDATE entries SET retracted = ? WHERE rowid = ?", (ts(when), row[0]))
                done.append(entry_id)
        return done

    def tombstone_rows(self, selection: Selection, *, limit: int) -> list[tuple[str, datetime]]:
        """The newest ``limit`` retractions of entries ``selection`` selects: (id, when)."""
        found = "SELECT rowid FROM retracted_fts WHERE retracted_fts MATCH ?"
        params: tuple[object, ...] = (selection.text,)
        if selection.about is not None:  # and among the topic's semantic matches
            found += " AND rowid IN (SELECT rowid FROM semantic_matches WHERE topic = ?)"
            params = (selection.boolean or EVERY, selection.about.key)
        rows = self._query(
            f"SELECT e.id, e.retracted FROM entries e JOIN ({found}) f "
            "ON f.rowid = e.rowid WHERE e.retracted IS NOT NULL "
            "ORDER BY e.retracted DESC, e.id LIMIT ?",
            (*params, limit),
        )
        return [(str(r[0]), when) for r in rows if (when := parse_ts(r[1])) is not None]

    def gone_pages(self) -> list[str]:
        """Pages of retracted entries that no other entry has (they answer 410 Gone)."""
        rows = self._query(
            "SELECT DISTINCT page FROM entries r WHERE retracted IS NOT NULL AND page IS NOT "
            "NULL AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.page = r.page AND "
            "e.retracted IS NULL) ORDER BY page"
        )
        return [r[0] for r in rows]

    def orphan_pages(self) -> list[str]:
        """Pages written for an entry that has it no more (retracted, or renamed)."""
        rows = self._query(
            "SELECT path FROM pages p WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE "
            "e.page = p.path AND e.retracted IS NULL) ORDER BY path"
        )
        return [r[0] for r in rows]

    def forget_pages(self, paths: Sequence[str]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM pages WHERE path = ?", [(p,) for p in paths])
