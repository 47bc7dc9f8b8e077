"""The store's upkeep: merging the search index's segments and refreshing the planner's
statistics, and the record of when that was last done. Part of
``feeds.store.sqlite.store.Store``. Only SQL; when it is due is
``feeds.decide.entries.maintenance_due``'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from feeds.decide.entries import maintenance_due
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import parse_ts, ts

#: Index pages ``Store.maintain`` merges per transaction (4 KB each).
MERGE_PAGES = 2000


class MaintenanceStore(Connection):
    """Index upkeep (see the module docstring)."""

    if TYPE_CHECKING:

        def entry_count(self) -> int: ...  # feeds.store.sqlite.entries

    def maintenance_due(self, now: datetime) -> bool:
        """Whether entries arrived since the last ``maintain`` and it was a day ago or more
        (or never)."""
        rows = self._query("SELECT value FROM meta WHERE key = 'maintained'")
        entries = self.entry_count()
        if not rows:
            return maintenance_due(now, entries=entries, last=None, upto=None)
        when, upto = str(rows[0][0]).split(" ")
        return maintenance_due(now, entries=entries, last=parse_ts(when), upto=int(upto))

    def maintain(self, now: datetime) -> None:
        """Merge the full-text index into one segment and refresh the planner's statistics.

        Each ingest adds small index segments that FTS5 merges only partly, and every
        search reads all of them: on a long history, topic queries get slower until the
        index is merged again. It merges in steps of MERGE_PAGES pages, each its own short
        transaction: other writers (the daemon's ingests) wait for a step, never for the
        whole merge. The daemon runs it daily,
        ``feeds update`` when it is due.
        """
        upto = self.entry_count()
        while True:  # FTS5: a step that changes fewer than 2 rows had nothing left to merge
            before = self._db.total_changes
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', ?)",
                    (-MERGE_PAGES,),  # negative: segments of every level, as optimize does
                )
            if self._db.total_changes - before < 2:
                break
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('maintained', ?)",
                (f"{ts(now)} {upto}",),
            )
        self._query("PRAGMA optimize")
