"""Which topics some entries touch: for a publish in proportion to what changed.

Part of ``feeds.store.sqlite.store.Store``. The entries are looked up by id, their rowids
gathered into a few ranges, and each topic's selection (its FTS5 text) is asked only within them
(FTS5 seeks its doclists to a rowid range), so the cost is in proportion to the entries
and the topics, not to how many entries each topic matches. Retracted entries are asked of
the retractions' index (their tombstones are in the feeds). Only SQL; decides nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feeds.store.sqlite.connection import Connection
from feeds.topics.selection import Selection

#: Ids looked up per query; ranges of rowids asked per topic at most (more are merged).
CHUNK, MAX_RANGES = 500, 16


def ranges(rowids: Sequence[int], most: int = MAX_RANGES) -> list[tuple[int, int]]:
    """``rowids`` as runs ``(first, last)`` of consecutive numbers, the closest runs merged
    until at most ``most`` are left (a wider range only asks about more entries)."""
    runs: list[list[int]] = []
    for rowid in sorted(set(rowids)):
        if runs and rowid == runs[-1][1] + 1:
            runs[-1][1] = rowid
        else:
            runs.append([rowid, rowid])
    while len(runs) > max(1, most):
        gaps = [(runs[i + 1][0] - runs[i][1], i) for i in range(len(runs) - 1)]
        _, i = min(gaps)
        runs[i : i + 2] = [[runs[i][0], runs[i + 1][1]]]
    return [(a, b) for a, b in runs]


class TouchedQueries(Connection):
    """``touched`` (see the module docstring)."""

    def touched(self, selections: Mapping[str, Selection], ids: Sequence[str]) -> set[str]:
        """The keys of ``selections`` (topic slugs → selections without ``about``) that
        match at least one of the entries ``ids`` (a retracted one: as it was)."""
        live: list[int] = []
        gone: list[int] = []
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                f"SELECT rowid, retracted IS NOT NULL FROM entries WHERE id IN ({marks})", chunk
            )
            for rowid, retracted in rows:
                (gone if retracted else live).append(int(rowid))
        found: set[str] = set()
        for table, rowids in (("entries_fts", live), ("retracted_fts", gone)):
            spans = ranges(rowids)
            for slug, selection in selections.items():
                if slug not in found and any(
                    self._query(
                        f"SELECT 1 FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ? "
                        "LIMIT 1",
                        (selection.text, a, b),
                    )
                    for a, b in spans
                ):
                    found.add(slug)
        return found
