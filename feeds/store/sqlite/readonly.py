"""The store opened read-only, with a budget: for the daemon's public search page.

``ReadOnlyStore`` is a ``Store`` whose connection SQLite opened with ``mode=ro`` and
``PRAGMA query_only``: nothing through it can write, and it neither creates the file nor
migrates its schema (a store of another schema is a StoreError). A progress handler counts
the virtual machine steps of each query and interrupts one past ``budget`` steps, or any
once ``seconds`` have passed since the store was opened (a StoreError, ``QueryTooCostly``),
so one search cannot hold a core for long whatever its query. (The full-text index's own
work inside a step, such as expanding a prefix, is not counted as steps; the clock sees
it at the next step.)
Only SQL; decides nothing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from feeds.errors import QueryTooCostly, StoreError
from feeds.store.sqlite.connection import busy_timeout, explain
from feeds.store.sqlite.migrations import SCHEMA_VERSION
from feeds.store.sqlite.store import Store

#: The progress handler runs every this many virtual machine steps.
_STEP = 1000


class ReadOnlyStore(Store):
    """One SQLite file, read-only, each query within ``budget`` steps."""

    def __init__(self, path: Path | str, *, budget: int, seconds: float = 2.0) -> None:
        self.path = str(path)
        self._batched = False
        # The steps are counted per query, the time from the opening: a search opens it.
        self._steps, self._deadline = 0, time.monotonic() + seconds
        # Checked every ``step`` steps: finer for a small budget.
        step = max(1, min(_STEP, budget // 10))
        self._budget = max(budget // step, 1)
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        try:
            self._db = sqlite3.connect(uri, uri=True, timeout=busy_timeout(), isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA query_only = ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the store {self.path}: {explain(e)}") from e
        if version != SCHEMA_VERSION:
            self._db.close()
            raise StoreError(f"the store {self.path} has schema {version}, not {SCHEMA_VERSION}")
        self._db.set_progress_handler(self._progress, step)

    def _progress(self) -> int:
        self._steps += 1
        return 1 if self._steps > self._budget or time.monotonic() > self._deadline else 0

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        self._steps = 0
        try:
            return super()._query(sql, params)
        except StoreError as e:
            if isinstance(e.__cause__, sqlite3.OperationalError) and "interrupt" in str(
                e.__cause__
            ):
                raise QueryTooCostly(f"store {self.path}: interrupted past its budget") from e
            raise
