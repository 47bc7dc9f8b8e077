"""The PostgreSQL store's upkeep: the planner's statistics refreshed, and the record of when
that was last done. Part of ``PostgresStore``. Only SQL; when it is due is
``feeds.decide.entries.maintenance_due``'s (the server vacuums on its own).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from feeds.decide.entries import maintenance_due
from feeds.store.postgres.connection import Connection
from feeds.store.postgres.values import parse_ts, ts


class MaintenanceStore(Connection):
    """Upkeep (see the module docstring)."""

    if TYPE_CHECKING:

        def entry_count(self) -> int: ...  # feeds.store.postgres.entries

    def maintenance_due(self, now: datetime) -> bool:
        """Whether entries arrived since the last ``maintain`` and it was a day ago or more."""
        rows = self._query("SELECT value FROM meta WHERE key = 'maintained'")
        entries = self.entry_count()
        if not rows:
            return maintenance_due(now, entries=entries, last=None, upto=None)
        when, upto = str(rows[0][0]).split(" ")
        return maintenance_due(now, entries=entries, last=parse_ts(when), upto=int(upto))

    def maintain(self, now: datetime) -> None:
        """Refresh the planner's statistics of the entries (and their search index)."""
        upto = self.entry_count()
        with self._transaction() as db:
            db.execute("ANALYZE entries")
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('maintained', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"{ts(now)} {upto}",),
            )
