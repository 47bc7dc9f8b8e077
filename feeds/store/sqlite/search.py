"""The store's search: a topic's newest matches, its matches in arrival order after a
position, how many match, and the store's mark (where it stands). Part of
``feeds.store.sqlite.store.Store``. Only SQL: FTS5 reads a selection's canonical text as its MATCH
expression (see feeds.topics.selection); it decides nothing. A selection with ``about``
reads its topic's semantic matches (feeds.store.sqlite.semantic) that the rest of it selects
(``hits``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from feeds.store.derived import DerivedSearch
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import (
    ENTRY_COLUMNS,
    MAX_ROWID,
    Mark,
    Match,
    Position,
    match_of_row,
)
from feeds.store.values import START
from feeds.topics.selection import EVERY, Selection


def hits(selection: Selection) -> tuple[str, tuple[object, ...]]:
    """What follows ``SELECT rowid FROM`` to select the rowids of ``selection`` (a table and
    a WHERE clause, to which ``AND …`` may be added), and its parameters."""
    if selection.about is None:
        return "entries_fts WHERE entries_fts MATCH ?", (selection.text,)
    # Through the topic's matches, each checked against the rest in FTS5 by its rowid
    # (so a retracted entry, no longer in entries_fts, is left out too).
    return (
        "semantic_matches m WHERE m.topic = ? AND EXISTS (SELECT 1 FROM entries_fts "
        "WHERE entries_fts MATCH ? AND entries_fts.rowid = m.rowid)",
        (selection.about.key, selection.boolean or EVERY),
    )


class SearchStore(Connection, DerivedSearch):
    """Topic matches (see the module docstring)."""

    def search_rows(self, selection: Selection, *, limit: int) -> list[Match]:
        """``search`` as matches (``entries_of`` makes them Entries): cheap to compare."""
        found = self._newest_by_rowid(selection, limit)
        if found is None:
            found = self._newest_sorted(selection, limit)
        return [match_of_row(r) for r in found]

    def _newest_sorted(self, selection: Selection, limit: int) -> list[sqlite3.Row]:
        """``search_rows``'s rows, every match sorted."""
        # Sorting rowids, then reading the rows kept, moves less than sorting whole rows.
        found, params = hits(selection)
        rowids = [
            r[0]
            for r in self._query(
                f"SELECT rowid FROM entries WHERE rowid IN (SELECT rowid FROM {found}) "
                "ORDER BY published DESC, id LIMIT ?",
                (*params, limit),
            )
        ]
        return self._newest_first(rowids, limit)

    def _newest_first(self, rowids: Sequence[int], limit: int) -> list[sqlite3.Row]:
        """The rows of ``rowids``, newest first (ties: smallest id), at most ``limit``."""
        marks = ", ".join("?" for _ in rowids)
        return self._query(
            f"SELECT rowid, {ENTRY_COLUMNS} FROM entries WHERE rowid IN ({marks}) "
            "ORDER BY published DESC, id LIMIT ?",
            (*rowids, limit),
        )

    def _newest_by_rowid(self, selection: Selection, limit: int) -> list[sqlite3.Row] | None:
        """``search_rows`` without sorting every match, when that gives the same rows.

        Entries mostly arrive newest last, so the newest matches are among the last to
        arrive: sort only the ``2 × limit`` matches of highest rowid, then check that no entry
        of a lower rowid (matching or not) sorts before the last one kept: the newest of them
        all (``newest_so_far``) answers in one lookup at any size. When it has the same date,
        an entry of that date and a smaller id would: each one was the newest so far when it
        arrived, and the ``entries_at_newest`` index holds those. If one might, None: the
        caller sorts every match.
        """
        if limit < 1:
            return None
        found, params = hits(selection)
        rowids = [
            r[0]
            for r in self._query(
                f"SELECT rowid FROM {found} ORDER BY rowid DESC LIMIT ?", (*params, 2 * limit)
            )
        ]
        rows = self._newest_first(rowids, limit)
        if len(rowids) < 2 * limit:  # every match is there
            return rows
        if len(rows) < limit:
            return None
        return None if self._may_sort_before(rows[-1], min(rowids)) else rows

    def _may_sort_before(self, last: sqlite3.Row, first: int) -> bool:
        """Whether an entry that arrived before rowid ``first`` might sort before ``last``.
        Not if the newest of them all is older than it (one lookup)."""
        before = self._query(
            "SELECT newest_so_far FROM entries WHERE rowid < ? ORDER BY rowid DESC LIMIT 1",
            (first,),
        )
        newest = before[0][0] if before else ""
        if newest is None or newest > last["published"]:
            return True
        if newest < last["published"]:
            return False
        tie = self._query(
            "SELECT 1 FROM entries WHERE published = newest_so_far AND published = ? "
            "AND id < ? AND rowid < ? LIMIT 1",
            (newest, last["id"], first),
        )
        return bool(tie)

    def count(
        self, selection: Selection, *, after: Position = START, upto: Position | None = None
    ) -> int:
        """How many entries match, of those after ``after`` up to ``upto`` (all: START, None)."""
        found, params = hits(selection)
        rows = self._query(
            f"SELECT count(*) FROM {found} AND rowid > ? AND rowid <= ?",
            (*params, after, MAX_ROWID if upto is None else upto),
        )
        return int(rows[0][0])

    def matches_after(self, selection: Selection, rowid: Position) -> bool:
        """Whether an entry that arrived after ``rowid`` matches."""
        found, params = hits(selection)
        rows = self._query(f"SELECT 1 FROM {found} AND rowid > ? LIMIT 1", (*params, rowid))
        return bool(rows)

    def mark(self) -> Mark:
        """Where the store stands now (read it before what it is to vouch for)."""
        row = self._query(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM entries), "
            "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'edits')"
        )[0]
        return Mark(Position(int(row[0])), int(row[1]))

    def search_after_rows(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[Match]:
        """``search_after`` as matches (``entries_of`` makes them Entries)."""
        # The rowid range and order go to FTS5, which then reads only ``limit`` matches.
        found, params = hits(selection)
        rows = self._query(
            f"SELECT e.rowid, {ENTRY_COLUMNS} FROM entries e JOIN "
            f"(SELECT rowid FROM {found} AND rowid > ? "
            "ORDER BY rowid LIMIT ?) f ON f.rowid = e.rowid ORDER BY e.rowid",
            (*params, after, limit),
        )
        return [match_of_row(r) for r in rows]
