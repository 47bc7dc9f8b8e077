"""The store's publish ledger: each topic's record (what it last published, from which
state and mark), the article pages written, the frozen archive pages, and the WebSub pings
that failed. Part of ``feeds.store.sqlite.store.Store``. Only SQL; decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from feeds.models import Entry
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import (
    ENTRY_COLUMNS,
    Mark,
    Position,
    TopicRecord,
    entry_of_row,
    parse_ts,
    ts,
)


class LedgerStore(Connection):
    """Publishing bookkeeping (see the module docstring)."""

    def topic_record(self, slug: str) -> TopicRecord | None:
        rows = self._query("SELECT * FROM topics WHERE slug = ?", (slug,))
        if not rows:
            return None
        r = rows[0]
        published_at = parse_ts(r["published_at"])
        known = r["mark_rowid"] is not None and r["mark_edits"] is not None
        mark = Mark(Position(r["mark_rowid"]), r["mark_edits"]) if known else None
        return TopicRecord(
            slug, r["digest"], published_at, r["entries"], r["state"], r["shown"],
            mark, r["basis"], r["pages"],
        )  # fmt: skip

    def save_topic_record(self, record: TopicRecord) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO topics (slug, digest, published_at, entries, state, "
                "shown) VALUES (?, ?, ?, ?, ?, ?)",
                (record.slug, record.digest, ts(record.published_at), record.entries,
                 record.state, record.shown),
            )  # fmt: skip

    def save_topic_state(
        self, slug: str, state: str, shown: int, *, mark: Mark, basis: str, pages: int
    ) -> None:
        """Record what a topic's files were rendered from (its record exists already), and
        the store's mark its state and match count stand for (read before either)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE topics SET state = ?, shown = ?, mark_rowid = ?, mark_edits = ?, "
                "basis = ?, pages = ? WHERE slug = ?",
                (state, shown, mark.rowid, mark.edits, basis, pages, slug),
            )

    def topic_slugs(self) -> list[str]:
        """Every topic published so far (configured or not any more)."""
        return [r[0] for r in self._query("SELECT slug FROM topics ORDER BY slug")]

    def forget_topic(self, slug: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM topics WHERE slug = ?", (slug,))

    def pages_written(self) -> list[str]:
        """The pages whose entry is unchanged since its page was last written."""
        rows = self._query(
            "SELECT e.page FROM entries e JOIN pages p ON p.path = e.page "
            "WHERE e.page IS NOT NULL AND p.hash = e.hash AND e.retracted IS NULL"
        )
        return [r[0] for r in rows]

    def page_entries_to_write(self, written: Iterable[str] = ()) -> list[Entry]:
        """Entries with a page that was never written, or written from another hash, or
        whose page is in ``written`` (pages whose file is gone)."""
        rows = self._query(
            f"SELECT {ENTRY_COLUMNS} FROM entries e WHERE page IS NOT NULL AND retracted IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.path = e.page AND p.hash = e.hash)"
        )
        missing = list(written)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows += self._query(
                f"SELECT {ENTRY_COLUMNS} FROM entries WHERE retracted IS NULL "
                f"AND page IN ({marks})",
                chunk,
            )
        return [entry_of_row(r) for r in rows]

    def save_page_hashes(self, pages: dict[str, str]) -> None:
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO pages (path, hash) VALUES (?, ?)", pages.items())

    def archive_pages(self, slug: str, series: str) -> list[Position]:
        """The last position of each frozen archive page of a topic's series, page 0 first."""
        rows = self._query(
            "SELECT last_rowid FROM archive_pages WHERE slug = ? AND series = ? ORDER BY page",
            (slug, series),
        )
        return [Position(int(r[0])) for r in rows]

    def freeze_archive_page(self, slug: str, series: str, page: int, last_rowid: Position) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO archive_pages (slug, series, page, last_rowid) "
                "VALUES (?, ?, ?, ?)",
                (slug, series, page, last_rowid),
            )

    def pending_pings(self) -> list[tuple[str, str, int]]:
        """WebSub pings that failed: (hub, topic URL, failures so far)."""
        rows = self._query("SELECT hub, topic_url, failures FROM websub_pending ORDER BY 1, 2")
        return [(r[0], r[1], int(r[2])) for r in rows]

    def ping_failed(self, hub: str, topic_url: str, message: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO websub_pending (hub, topic_url, failures, message) "
                "VALUES (?, ?, 1, ?) ON CONFLICT (hub, topic_url) DO UPDATE SET "
                "failures = failures + 1, message = excluded.message",
                (hub, topic_url, message),
            )

    def ping_done(self, hub: str, topic_url: str) -> None:
        with self._transaction() as db:
            db.execute(
                "DELETE FROM websub_pending WHERE hub = ? AND topic_url = ?", (hub, topic_url)
            )
