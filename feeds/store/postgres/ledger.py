"""The PostgreSQL store's publish ledger: each topic's record, the article pages written,
the frozen archive pages, and the WebSub pings that failed. Part of ``PostgresStore``.
Only SQL; decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from feeds.models import Entry
from feeds.store.postgres.connection import Connection
from feeds.store.postgres.values import ENTRY_COLUMNS, entry_of_stored, parse_ts, ts
from feeds.store.values import Mark, Position, TopicRecord

_TOPIC = "slug, digest, published_at, entries, state, shown, mark_rowid, mark_edits, basis, pages"


class LedgerStore(Connection):
    """Publishing bookkeeping (see the module docstring)."""

    def topic_record(self, slug: str) -> TopicRecord | None:
        rows = self._query(
            f"SELECT {_TOPIC} FROM topics WHERE site = %s AND slug = %s", (self.site, slug)
        )
        if not rows:
            return None
        slug, digest, published_at, entries, state, shown, rowid, edits, basis, pages = rows[0]
        mark = Mark(Position(rowid), edits) if rowid is not None and edits is not None else None
        return TopicRecord(
            slug, digest, parse_ts(published_at), entries, state, shown, mark, basis, pages
        )

    def save_topic_record(self, record: TopicRecord) -> None:
        """As SQLite's INSERT OR REPLACE: the other columns back to their defaults."""
        with self._transaction() as db:
            db.execute("DELETE FROM topics WHERE site = %s AND slug = %s", (self.site, record.slug))
            db.execute(
                "INSERT INTO topics (site, slug, digest, published_at, entries, state, shown) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (self.site, record.slug, record.digest, ts(record.published_at), record.entries,
                 record.state, record.shown),
            )  # fmt: skip

    def save_topic_state(
        self, slug: str, state: str, shown: int, *, mark: Mark, basis: str, pages: int
    ) -> None:
        """Record what a topic's files were rendered from (its record exists already)."""
        self._execute(
            "UPDATE topics SET state = %s, shown = %s, mark_rowid = %s, mark_edits = %s, "
            "basis = %s, pages = %s WHERE site = %s AND slug = %s",
            (state, shown, mark.rowid, mark.edits, basis, pages, self.site, slug),
        )

    def topic_slugs(self) -> list[str]:
        """Every topic published so far (configured or not any more)."""
        rows = self._query("SELECT slug FROM topics WHERE site = %s ORDER BY slug", (self.site,))
        return [r[0] for r in rows]

    def forget_topic(self, slug: str) -> None:
        self._execute("DELETE FROM topics WHERE site = %s AND slug = %s", (self.site, slug))

    def pages_written(self) -> list[str]:
        """The pages whose entry is unchanged since its page was last written."""
        rows = self._query(
            "SELECT e.page FROM entries e JOIN pages p ON p.path = e.page AND p.site = %s "
            "WHERE e.page IS NOT NULL AND p.hash = e.hash AND e.retracted IS NULL",
            (self.site,),
        )
        return [r[0] for r in rows]

    def page_entries_to_write(self, written: Iterable[str] = ()) -> list[Entry]:
        """Entries with a page never written, or written from another hash, or whose page
        is in ``written`` (pages whose file is gone)."""
        rows = self._query(
            f"SELECT {ENTRY_COLUMNS} FROM entries e WHERE page IS NOT NULL AND retracted IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.site = %s AND p.path = e.page "
            "AND p.hash = e.hash)",
            (self.site,),
        )
        missing = list(written)
        if missing:
            rows += self._query(
                f"SELECT {ENTRY_COLUMNS} FROM entries WHERE retracted IS NULL AND page = ANY(%s)",
                (missing,),
            )
        return [entry_of_stored(r) for r in rows]

    def save_page_hashes(self, pages: dict[str, str]) -> None:
        with self._transaction() as db, db.cursor() as cur:
            cur.executemany(
                "INSERT INTO pages (site, path, hash) VALUES (%s, %s, %s) "
                "ON CONFLICT (site, path) DO UPDATE SET hash = excluded.hash",
                [(self.site, path, hash_) for path, hash_ in pages.items()],
            )

    def archive_pages(self, slug: str, series: str) -> list[Position]:
        """The last position of each frozen archive page of a topic's series, page 0 first."""
        rows = self._query(
            "SELECT last_rowid FROM archive_pages WHERE slug = %s AND series = %s ORDER BY page",
            (slug, series),
        )
        return [Position(int(r[0])) for r in rows]

    def freeze_archive_page(self, slug: str, series: str, page: int, last_rowid: Position) -> None:
        self._execute(
            "INSERT INTO archive_pages (slug, series, page, last_rowid) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            (slug, series, page, last_rowid),
        )

    def pending_pings(self) -> list[tuple[str, str, int]]:
        """WebSub pings that failed: (hub, topic URL, failures so far)."""
        rows = self._query("SELECT hub, topic_url, failures FROM websub_pending ORDER BY 1, 2")
        return [(r[0], r[1], int(r[2])) for r in rows]

    def ping_failed(self, hub: str, topic_url: str, message: str) -> None:
        self._execute(
            "INSERT INTO websub_pending (hub, topic_url, failures, message) "
            "VALUES (%s, %s, 1, %s) ON CONFLICT (hub, topic_url) DO UPDATE SET "
            "failures = websub_pending.failures + 1, message = excluded.message",
            (hub, topic_url, message),
        )

    def ping_done(self, hub: str, topic_url: str) -> None:
        self._execute(
            "DELETE FROM websub_pending WHERE hub = %s AND topic_url = %s", (hub, topic_url)
        )
