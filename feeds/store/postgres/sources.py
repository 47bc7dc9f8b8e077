"""The PostgreSQL store's source state: what each source's last fetch left. Part of
``PostgresStore``. Only SQL; when a source is due is ``feeds.decide.sources``'s.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING

from feeds.models import SourceState
from feeds.store.postgres.connection import Connection
from feeds.store.postgres.values import SOURCE_COLUMNS, state_of_row, ts

_NAMES = [f.name for f in fields(SourceState) if f.name != "entries"]
_SAVE = (
    f"INSERT INTO sources ({', '.join(_NAMES)}, configured_url) "
    f"VALUES ({', '.join(['%s'] * (len(_NAMES) + 1))}) ON CONFLICT (name) DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n in [*_NAMES[1:], "configured_url"])
)


class SourceStore(Connection):
    """Per-source state (see the module docstring)."""

    if TYPE_CHECKING:

        def count_entries(self) -> dict[str, int]: ...  # feeds.store.postgres.entries

    def source_state(self, name: str, *, configured_url: str | None = None) -> SourceState:
        """The stored state of a source; a fresh one if it is new or its URL was reconfigured."""
        rows = self._query(
            f"SELECT {SOURCE_COLUMNS}, configured_url FROM sources WHERE name = %s", (name,)
        )
        if not rows or rows[0][-1] != configured_url:
            return SourceState(name=name, url=configured_url)
        return state_of_row(rows[0][:-1])

    def save_source_state(self, state: SourceState, *, configured_url: str | None) -> None:
        values = [getattr(state, n) for n in _NAMES]
        values = [ts(v) if isinstance(v, datetime) else v for v in values]
        self._execute(_SAVE, (*values, configured_url))

    def source_states(self) -> dict[str, SourceState]:
        """Every stored source state, with its entry count."""
        counts = self.count_entries()
        rows = self._query(f"SELECT {SOURCE_COLUMNS} FROM sources ORDER BY name")
        return {r[0]: replace(state_of_row(r), entries=counts.get(r[0], 0)) for r in rows}
