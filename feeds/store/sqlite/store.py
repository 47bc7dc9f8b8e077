"""SQLite storage: entries with an FTS5 index, per-source state, publish bookkeeping.

``Store`` is one SQLite file in WAL mode, its schema versioned with ``PRAGMA user_version``
(``feeds.store.sqlite.migrations``); its methods come by domain from the modules beside
this one: the connection and transactions (``connection``), entries written and read
(``entries``), topic search (``search``, ``arrivals``), source state (``sources``), the
publish ledger (``ledger``), article folders (``articles``), article pages' texts
(``fulltext``), the topics some entries touch (``touched``), upkeep (``maintenance``),
alerts (``notify``), and entry vectors and semantic matches (``semantic``).
It decides nothing about feeds: it stores what the pipeline gives it and answers the
queries the pipeline asks. ``sqlite3`` errors leave as StoreError. Must not import
publish, ingest's flow, run or cli.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from feeds.decide.entries import MAINTENANCE_EVERY
from feeds.store.sqlite.arrivals import ArrivalQueries
from feeds.store.sqlite.articles import ArticleStore
from feeds.store.sqlite.connection import AUTOCHECKPOINT, TIMEOUT_ENV, busy_timeout
from feeds.store.sqlite.entries import EntryStore
from feeds.store.sqlite.fulltext import FullTextStore
from feeds.store.sqlite.ledger import LedgerStore
from feeds.store.sqlite.maintenance import MERGE_PAGES, MaintenanceStore
from feeds.store.sqlite.migrations import SCHEMA_VERSION
from feeds.store.sqlite.notify import NotifyStore
from feeds.store.sqlite.search import SearchStore
from feeds.store.sqlite.semantic import SemanticStore
from feeds.store.sqlite.sources import SourceStore
from feeds.store.sqlite.touched import TouchedQueries
from feeds.store.sqlite.transfer import TransferStore
from feeds.store.sqlite.values import Mark, TopicRecord, UpsertResult, entries_of, parse_ts, ts
from feeds.store.sqlite.values import json_strings as _json_strings

if TYPE_CHECKING:
    from feeds.store.protocols import SemanticStoreType
    from feeds.store.transfer import StoreTransfer

__all__ = [
    "AUTOCHECKPOINT",
    "MAINTENANCE_EVERY",
    "MERGE_PAGES",
    "SCHEMA_VERSION",
    "TIMEOUT_ENV",
    "Mark",
    "Store",
    "TopicRecord",
    "UpsertResult",
    "_json_strings",
    "busy_timeout",
    "entries_of",
    "parse_ts",
    "ts",
]


class Store(
    EntryStore,
    SearchStore,
    ArrivalQueries,
    SourceStore,
    LedgerStore,
    ArticleStore,
    MaintenanceStore,
    NotifyStore,
    FullTextStore,
    TransferStore,
    SemanticStore,
    TouchedQueries,
):
    """One SQLite file (or ``":memory:"``). Use as a context manager, or call close()."""

    def opener(self) -> Callable[[], Store] | None:
        """Another connection to this file (picklable: a worker process opens it), or None
        for an in-memory store."""
        return None if self.path == ":memory:" else functools.partial(Store, self.path)


if TYPE_CHECKING:
    _copied: type[StoreTransfer] = Store  # and can be copied
    _checked: type[SemanticStoreType] = Store  # the SQLite store plays every role
