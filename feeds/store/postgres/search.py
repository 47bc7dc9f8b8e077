"""The PostgreSQL store's search: a topic's newest matches, its matches in arrival order
after a position, how many match, when they arrived, its tombstones, and the store's mark.
Part of ``PostgresStore``. Only SQL: the selection is compiled by
``feeds.store.postgres.query``; it decides nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from feeds.store.derived import DerivedSearch
from feeds.store.postgres.connection import Connection, Row
from feeds.store.postgres.query import selection_sql
from feeds.store.postgres.values import ENTRY_COLUMNS, match_of_row, parse_ts
from feeds.store.values import START, Mark, Match, Position
from feeds.topics.selection import Selection

#: The largest position (as SQLite's largest rowid).
MAX_POSITION = 2**63 - 1


class SearchStore(Connection, DerivedSearch):
    """Topic matches (see the module docstring)."""

    def _select(
        self, selection: Selection, columns: str, tail: str, params: tuple[object, ...],
        *, retracted: bool = False,
    ) -> list[Row]:  # fmt: skip
        where = selection_sql(selection)
        state = "IS NOT NULL" if retracted else "IS NULL"
        sql = f"SELECT {columns} FROM entries WHERE retracted {state} AND {where.sql} {tail}"
        return self._query(sql, (*where.params, *params))

    def search_rows(self, selection: Selection, *, limit: int) -> list[Match]:
        """``search`` as matches (``entries_of`` makes them Entries): cheap to compare."""
        rows = self._select(
            selection, f"pos, {ENTRY_COLUMNS}", "ORDER BY published DESC, id LIMIT %s", (limit,)
        )
        return [match_of_row(r) for r in rows]

    def count(
        self, selection: Selection, *, after: Position = START, upto: Position | None = None
    ) -> int:
        """How many entries match, of those after ``after`` up to ``upto`` (all: START, None)."""
        bounds = (after, MAX_POSITION if upto is None else upto)
        rows = self._select(selection, "count(*)", "AND pos > %s AND pos <= %s", bounds)
        return int(rows[0][0])

    def touched(self, selections: Mapping[str, Selection], ids: Sequence[str]) -> set[str]:
        """The keys of ``selections`` that select at least one of the entries ``ids`` (a
        retracted one: as it was): each asked among those entries only."""
        unique = list(dict.fromkeys(ids))
        found: set[str] = set()
        for slug, selection in selections.items():
            for retracted in (False, True):
                if slug not in found and self._select(
                    selection, "1", "AND id = ANY(%s) LIMIT 1", (unique,), retracted=retracted
                ):
                    found.add(slug)
        return found

    def matches_after(self, selection: Selection, rowid: Position) -> bool:
        """Whether an entry that arrived after ``rowid`` matches."""
        return bool(self._select(selection, "1", "AND pos > %s LIMIT 1", (rowid,)))

    def mark(self) -> Mark:
        """Where the store stands now (read it before what it is to vouch for)."""
        row = self._query(
            "SELECT (SELECT coalesce(max(pos), 0) FROM entries), "
            "(SELECT value::bigint FROM meta WHERE key = 'edits')"
        )[0]
        return Mark(Position(int(row[0])), int(row[1]))

    def search_after_rows(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[Match]:
        """``search_after`` as matches (``entries_of`` makes them Entries)."""
        rows = self._select(
            selection, f"pos, {ENTRY_COLUMNS}", "AND pos > %s ORDER BY pos LIMIT %s",
            (after, limit),
        )  # fmt: skip
        return [match_of_row(r) for r in rows]

    def arrivals(self, selection: Selection, *, limit: int) -> list[tuple[Position, datetime]]:
        """The ``limit`` matches of ``selection`` stored last, the last first: their
        positions and the times they were first stored."""
        rows = self._select(selection, "pos, first_seen", "ORDER BY pos DESC LIMIT %s", (limit,))
        return [
            (Position(int(r[0])), datetime.fromisoformat(str(r[1])).astimezone(UTC)) for r in rows
        ]

    def tombstone_rows(self, selection: Selection, *, limit: int) -> list[tuple[str, datetime]]:
        """The newest ``limit`` retractions of entries ``selection`` selects: (id, when)."""
        rows = self._select(
            selection, "id, retracted", "ORDER BY retracted DESC, id LIMIT %s", (limit,),
            retracted=True,
        )  # fmt: skip
        return [(str(r[0]), when) for r in rows if (when := parse_ts(str(r[1]))) is not None]
