"""The searches every backend answers the same way, from its own two queries: the newest
matches (``search_rows``) and the matches in arrival order after a position
(``search_after_rows``). A backend's search class inherits ``DerivedSearch`` after its own
base and defines those two; this module holds no SQL and must not import a backend.
"""

from __future__ import annotations

from feeds.models import Entry
from feeds.store.values import Match, Position, entries_of
from feeds.topics.selection import Selection


class DerivedSearch:
    """``search``, ``search_after`` and ``search_from`` (see the module docstring)."""

    def search_rows(self, selection: Selection, *, limit: int) -> list[Match]:
        raise NotImplementedError  # the backend's

    def search_after_rows(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[Match]:
        raise NotImplementedError  # the backend's

    def search(self, selection: Selection, *, limit: int) -> list[Entry]:
        """The newest ``limit`` entries ``selection`` selects."""
        return entries_of(self.search_rows(selection, limit=limit))

    def search_after(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[tuple[Position, Entry]]:
        """Matches of ``selection`` that arrived after ``after``, in arrival order."""
        rows = self.search_after_rows(selection, after=after, limit=limit)
        return [(m.position, m.entry()) for m in rows]

    def search_from(self, selection: Selection, *, start: Position, limit: int) -> list[Match]:
        """``search_after_rows`` from ``start`` on (``start`` itself too)."""
        return self.search_after_rows(selection, after=Position(start - 1), limit=limit)
