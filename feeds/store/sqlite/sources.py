"""The store's source state: what each source's last fetch left (validators, status,
failures, when it is due). Part of ``feeds.store.sqlite.store.Store``. Only SQL; when a
source is due is ``feeds.decide.sources``'s.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING

from feeds.models import SourceState
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import state_of_row, ts


class SourceStore(Connection):
    """Per-source state (see the module docstring)."""

    if TYPE_CHECKING:

        def count_entries(self) -> dict[str, int]: ...  # feeds.store.sqlite.entries

    def source_state(self, name: str, *, configured_url: str | None = None) -> SourceState:
        """The stored state of a source; a fresh one if it is new or its URL was reconfigured.

        A redirect-updated URL is kept only while the configured URL stays the same.
        """
        rows = self._query("SELECT * FROM sources WHERE name = ?", (name,))
        if not rows or rows[0]["configured_url"] != configured_url:
            return SourceState(name=name, url=configured_url)
        return state_of_row(rows[0])

    def save_source_state(self, state: SourceState, *, configured_url: str | None) -> None:
        names = [f.name for f in fields(SourceState) if f.name != "entries"]
        values = [getattr(state, n) for n in names]
        values = [ts(v) if isinstance(v, datetime) else v for v in values]
        cols = ", ".join(names)
        marks = ", ".join("?" for _ in names)
        with self._transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO sources ({cols}, configured_url) VALUES ({marks}, ?)",
                (*values, configured_url),
            )

    def source_states(self) -> dict[str, SourceState]:
        """Every stored source state, with its entry count."""
        counts = self.count_entries()
        rows = self._query("SELECT * FROM sources ORDER BY name")
        return {r["name"]: replace(state_of_row(r), entries=counts.get(r["name"], 0)) for r in rows}
