"""The PostgreSQL store's part for article folders: which file each article came from,
retractions, and the pages they leave behind. Part of ``PostgresStore``; only SQL,
decides nothing (``feeds.decide.articles`` decides).

A retracted entry keeps its row (``retracted`` is when): searches read only the rows where
it is null, tombstones (``tombstone_rows``) the others, with the very same selection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from feeds.decide.articles import KnownFile
from feeds.store.postgres.connection import Connection
from feeds.store.postgres.values import ts


class ArticleStore(Connection):
    """Methods of ``PostgresStore`` for article folders (see the module docstring)."""

    def known_files(self, source: str) -> list[KnownFile]:
        rows = self._query(
            "SELECT path, id, key FROM article_files WHERE source = %s ORDER BY path", (source,)
        )
        return [KnownFile(r[0], r[1], r[2]) for r in rows]

    def save_known_files(self, source: str, files: Iterable[KnownFile]) -> None:
        """Remember ``files`` as the whole of what ``source``'s folder holds."""
        rows = {f.path: (source, f.path, f.id, f.key) for f in files}  # the last of a path wins
        with self._transaction() as db:
            db.execute("DELETE FROM article_files WHERE source = %s", (source,))
            with db.cursor() as cur:
                cur.executemany(
                    "INSERT INTO article_files (source, path, id, key) VALUES (%s, %s, %s, %s)",
                    list(rows.values()),
                )

    def retract(self, ids: Sequence[str], *, when: datetime) -> list[str]:
        """Retract the stored, not yet retracted entries of ``ids``; return those retracted."""
        with self._transaction() as db:
            rows = db.execute(
                "UPDATE entries SET retracted = %s WHERE id = ANY(%s) AND retracted IS NULL "
                "RETURNING id",
                (ts(when), list(ids)),
            ).fetchall()
        done = {r[0] for r in rows}
        return [i for i in dict.fromkeys(ids) if i in done]

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
            "SELECT path FROM pages p WHERE site = %s AND NOT EXISTS (SELECT 1 FROM entries e "
            "WHERE e.page = p.path AND e.retracted IS NULL) ORDER BY path",
            (self.site,),
        )
        return [r[0] for r in rows]

    def forget_pages(self, paths: Sequence[str]) -> None:
        self._execute(
            "DELETE FROM pages WHERE site = %s AND path = ANY(%s)", (self.site, list(paths))
        )
