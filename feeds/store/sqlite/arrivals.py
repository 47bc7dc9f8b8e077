"""The store's answers about when a topic's matches arrived (#15 item 14): part of
:class:`feeds.store.sqlite.store.Store`, which inherits them, kept apart so that store.py does not
grow.

Arrival is the rowid order (entries are appended, each with the time it was first stored,
``first_seen``), never an entry's own date. SQL only; it decides nothing (``feeds.publish.window``
does).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


class ArrivalQueries:
    """Mixed into Store, whose ``_query`` runs the SQL."""

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError  # Store's own

    def arrivals(self, expression: str, *, limit: int) -> list[tuple[int, datetime]]:
        """The ``limit`` matches of an FTS5 expression stored last, the last first: their
        rowids and the times they were first stored."""
        # The order and limit go to FTS5 (rowid order), then one lookup per match kept.
        rows = self._query(
            "SELECT e.rowid, e.first_seen FROM entries e JOIN "
            "(SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid DESC "
            "LIMIT ?) f ON f.rowid = e.rowid ORDER BY e.rowid DESC",
            (expression, limit),
        )
        return [(int(r[0]), datetime.fromisoformat(r[1]).astimezone(UTC)) for r in rows]
