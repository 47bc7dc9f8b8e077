"""The store's part for full text: the last try of each entry's article page (its text, or
why it failed; the entry's hash as the feed gave it; the page's validators), by source and
entry id. Part of ``feeds.store.sqlite.store.Store``. Only SQL; when a page is fetched
again is ``feeds.decide.fulltext``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from feeds.decide.fulltext import ArticleText
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import parse_ts, ts

__all__ = ["FullTextStore"]

_COLUMNS = "source, id, feed_hash, content, failure, permanent, tries, tried, etag, last_modified"


class FullTextStore(Connection):
    """Methods of ``Store`` for article pages (see the module docstring)."""

    def article_texts(self, source: str, ids: Sequence[str]) -> dict[str, ArticleText]:
        """The stored tries of ``source``'s entries of ``ids``, by id."""
        found: dict[str, ArticleText] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                f"SELECT {_COLUMNS} FROM article_texts WHERE source = ? AND id IN ({marks})",
                [source, *chunk],
            )
            for r in rows:
                tried = parse_ts(r["tried"])
                assert tried is not None
                found[r["id"]] = ArticleText(
                    r["source"], r["id"], r["feed_hash"], r["content"], r["failure"],
                    bool(r["permanent"]), r["tries"], tried, r["etag"], r["last_modified"],
                )  # fmt: skip
        return found

    def save_article_texts(self, texts: Iterable[ArticleText]) -> None:
        rows = [
            (t.source, t.id, t.feed_hash, t.content, t.failure, int(t.permanent), t.tries,
             ts(t.tried), t.etag, t.last_modified)
            for t in texts
        ]  # fmt: skip
        if not rows:
            return
        with self._transaction() as db:
            db.executemany(
                f"INSERT OR REPLACE INTO article_texts ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
