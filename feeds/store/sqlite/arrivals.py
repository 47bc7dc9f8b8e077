"""The store's answers about when a topic's matches arrived (#15 item 14): part of
:class:`feeds.store.sqlite.store.Store`.

Arrival is the rowid order (entries are appended, each with the time it was first stored,
``first_seen``), never an entry's own date. SQL only; it decides nothing (``feeds.publish.window``
does).
"""

from __future__ import annotations

from datetime import UTC, datetime

from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.search import hits
from feeds.store.values import Position
from feeds.topics.selection import Selection


class ArrivalQueries(Connection):
    """Part of Store (see the module docstring)."""

    def arrivals(self, selection: Selection, *, limit: int) -> list[tuple[Position, datetime]]:
        """The ``limit`` matches of ``selection`` stored last, the last first: their
        positions and the times they were first stored."""
        # The order and limit go to FTS5 (rowid order), then one lookup per match kept.
        found, params = hits(selection)
        rows = self._query(
            "SELECT e.rowid, e.first_seen FROM entries e JOIN "
            f"(SELECT rowid FROM {found} ORDER BY rowid DESC "
            "LIMIT ?) f ON f.rowid = e.rowid ORDER BY e.rowid DESC",
            (*params, limit),
        )
        return [(Position(int(r[0])), datetime.fromisoformat(r[1]).astimezone(UTC)) for r in rows]
