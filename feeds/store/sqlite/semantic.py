"""Topics by meaning, stored: each entry's vector per encoder, each ``about`` topic's
matches and how far its matching has gone (schema 10). Part of
``feeds.store.sqlite.store.Store``; the ``feeds.store.protocols.SemanticStorage`` role.
Only SQL: vectors are bytes to it, and which entries match is decided outside
(feeds.topics.about); search reads the matches with the rest of a selection
(feeds.store.sqlite.search).
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.store.sqlite.connection import Connection
from feeds.store.values import Mark, Position

#: Texts are read this long at most (title, then body): the encoder reads their start.
TEXT_CHARS = 2000


class SemanticStore(Connection):
    """Entry vectors and semantic matches (see the module docstring)."""

    def to_embed(
        self, embedder: str, *, after: Position, limit: int
    ) -> list[tuple[Position, str, str]]:
        """Entries after ``after`` (arrival order, at most ``limit``; retracted ones aside)
        that have no vector from ``embedder`` for their current hash: (position, hash,
        text), the text being the title and the plain text of the body."""
        rows = self._query(
            "SELECT e.rowid, e.hash, f.title, substr(f.body, 1, ?) FROM entries e "
            "JOIN entries_fts f ON f.rowid = e.rowid "
            "LEFT JOIN entry_vectors v ON v.embedder = ? AND v.rowid = e.rowid "
            "WHERE e.rowid > ? AND (v.hash IS NULL OR v.hash != e.hash) "
            "ORDER BY e.rowid LIMIT ?",
            (TEXT_CHARS, embedder, after, limit),
        )
        return [(Position(int(r[0])), str(r[1]), f"{r[2]}\n{r[3]}".strip()) for r in rows]

    def save_vectors(self, embedder: str, vectors: Sequence[tuple[Position, str, bytes]]) -> None:
        """Store each entry's vector (position, the entry's hash it was made from, bytes)."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO entry_vectors (rowid, embedder, hash, vector) "
                "VALUES (?, ?, ?, ?)",
                [(p, embedder, h, v) for p, h, v in vectors],
            )

    def vectors(
        self, embedder: str, *, after: Position, limit: int
    ) -> list[tuple[Position, str, bytes]]:
        """Stored vectors of ``embedder`` after ``after``, in arrival order, ``limit`` at
        most (entries retracted since aside): (position, entry id, vector)."""
        rows = self._query(
            "SELECT v.rowid, e.id, v.vector FROM entry_vectors v JOIN entries e "
            "ON e.rowid = v.rowid WHERE v.embedder = ? AND v.rowid > ? "
            "AND e.retracted IS NULL ORDER BY v.rowid LIMIT ?",
            (embedder, after, limit),
        )
        return [(Position(int(r[0])), str(r[1]), bytes(r[2])) for r in rows]

    def vectors_of(self, embedder: str, ids: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors of the entries of ``ids`` (current ones only), by id."""
        found: dict[str, bytes] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                "SELECT e.id, v.vector FROM entries e JOIN entry_vectors v "
                "ON v.embedder = ? AND v.rowid = e.rowid AND v.hash = e.hash "
                f"WHERE e.id IN ({marks})",
                (embedder, *chunk),
            )
            found.update((str(r[0]), bytes(r[1])) for r in rows)
        return found

    def embedded_mark(self, embedder: str) -> Mark | None:
        """The store's mark when every entry last had a vector of ``embedder``."""
        rows = self._query(
            "SELECT mark_rowid, mark_edits FROM embedded WHERE embedder = ?", (embedder,)
        )
        return Mark(Position(int(rows[0][0])), int(rows[0][1])) if rows else None

    def save_embedded_mark(self, embedder: str, mark: Mark) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO embedded (embedder, mark_rowid, mark_edits) "
                "VALUES (?, ?, ?)",
                (embedder, mark.rowid, mark.edits),
            )

    def semantic_progress(self, topic: str) -> tuple[str, Position] | None:
        """How far the matching of the topic of key ``topic`` has gone: (its encoder, the
        last position decided), or None before it starts."""
        rows = self._query("SELECT embedder, upto FROM semantic_topics WHERE topic = ?", (topic,))
        return (str(rows[0][0]), Position(int(rows[0][1]))) if rows else None

    def save_semantic(
        self,
        topic: str,
        embedder: str,
        decided: Sequence[tuple[Position, bool]],
        *,
        upto: Position | None = None,
    ) -> None:
        """Record which entries match the topic of key ``topic`` (True) or no longer do
        (False), and, with ``upto``, that it was decided up to there. A match recorded or
        removed counts as an edit of the store (its ``Mark``): publishing then works the
        topic's state out again instead of trusting its record."""
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO semantic_matches (topic, rowid) VALUES (?, ?)",
                [(topic, p) for p, match in decided if match],
            )
            db.executemany(
                "DELETE FROM semantic_matches WHERE topic = ? AND rowid = ?",
                [(topic, p) for p, match in decided if not match],
            )
            if db.total_changes != before:
                db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'edits'")
            if upto is not None:
                db.execute(
                    "INSERT OR REPLACE INTO semantic_topics (topic, embedder, upto) "
                    "VALUES (?, ?, ?)",
                    (topic, embedder, upto),
                )

    def forget_semantic(self, topic: str) -> None:
        """Drop the matches and progress of the topic of key ``topic`` (its encoder
        changed: it is matched again from the start)."""
        with self._transaction() as db:
            db.execute("DELETE FROM semantic_matches WHERE topic = ?", (topic,))
            db.execute("DELETE FROM semantic_topics WHERE topic = ?", (topic,))
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'edits'")
