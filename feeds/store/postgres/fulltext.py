"""The PostgreSQL store's part for full text (#19; schema 3): the last try of each entry's
article page (its text, or why it failed; the entry's hash as the feed gave it; the page's
validators), by source and entry id, as SQLite keeps it (``feeds.store.sqlite.fulltext``).
Part of ``PostgresStore``. Only SQL; when a page is fetched again is
``feeds.decide.fulltext``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from feeds.decide.fulltext import ArticleText
from feeds.store.postgres.connection import Connection
from feeds.store.postgres.values import parse_ts, ts

__all__ = ["FullTextStore"]

_COLUMNS = "source, id, feed_hash, content, failure, permanent, tries, tried, etag, last_modified"
_UPSERT = (
    f"INSERT INTO article_texts ({_COLUMNS}) VALUES ({', '.join(['%s'] * 10)}) "
    "ON CONFLICT (source, id) DO UPDATE SET feed_hash = excluded.feed_hash, "
    "content = excluded.content, failure = excluded.failure, permanent = excluded.permanent, "
    "tries = excluded.tries, tried = excluded.tried, etag = excluded.etag, "
    "last_modified = excluded.last_modified"
)


class FullTextStore(Connection):
    """Methods of ``PostgresStore`` for article pages (see the module docstring)."""

    def article_texts(self, source: str, ids: Sequence[str]) -> dict[str, ArticleText]:
        """The stored tries of ``source``'s entries of ``ids``, by id."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM article_texts WHERE source = %s AND id = ANY(%s)",
            (source, list(ids)),
        )
        found: dict[str, ArticleText] = {}
        for source_, id_, feed_hash, content, failure, permanent, tries, tried, etag, lm in rows:
            when = parse_ts(tried)
            assert when is not None
            found[id_] = ArticleText(
                source_, id_, feed_hash, content, failure, bool(permanent), tries, when, etag, lm
            )
        return found

    def save_article_texts(self, texts: Iterable[ArticleText]) -> None:
        rows = [
            (t.source, t.id, t.feed_hash, t.content, t.failure, int(t.permanent), t.tries,
             ts(t.tried), t.etag, t.last_modified)
            for t in texts
        ]  # fmt: skip
        if not rows:
            return
        with self._transaction() as db, db.cursor() as cur:
            cur.executemany(_UPSERT.encode(), rows)
