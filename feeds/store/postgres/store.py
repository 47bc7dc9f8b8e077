"""PostgreSQL storage: the cluster store, behind the same protocols as SQLite's
(``feeds.store.protocols``), with the same behaviour: one database shared by every node.

``PostgresStore`` is one database URL (``postgresql://user@host:port/dbname``), reached
through a psycopg 3 connection pool, its schema versioned in ``meta``
(``feeds.store.postgres.migrations``, run at start under an advisory lock); its methods
come by domain from the modules beside this one, as SQLite's do. It decides nothing about
feeds. psycopg errors leave as StoreError. Must not import publish, ingest's flow, run or
cli.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from feeds.store.postgres.articles import ArticleStore
from feeds.store.postgres.entries import EntryStore
from feeds.store.postgres.fulltext import FullTextStore
from feeds.store.postgres.leases import LeaseStore
from feeds.store.postgres.ledger import LedgerStore
from feeds.store.postgres.maintenance import MaintenanceStore
from feeds.store.postgres.notify import NotifyStore
from feeds.store.postgres.search import SearchStore
from feeds.store.postgres.sources import SourceStore
from feeds.store.postgres.transfer import TransferStore

if TYPE_CHECKING:
    from feeds.store.leasing import LeaseStorage
    from feeds.store.protocols import StoreType
    from feeds.store.transfer import StoreTransfer


class PostgresStore(
    EntryStore,
    SearchStore,
    SourceStore,
    LedgerStore,
    ArticleStore,
    FullTextStore,
    MaintenanceStore,
    NotifyStore,
    TransferStore,
    LeaseStore,
):
    """One PostgreSQL database. Use as a context manager, or call close()."""

    def opener(self) -> Callable[[], PostgresStore]:
        """Another store on this database (picklable: a worker process opens it)."""
        return functools.partial(PostgresStore, self.url, site=self.site)


if TYPE_CHECKING:
    _copied: type[StoreTransfer] = PostgresStore  # and can be copied
    _leased: type[LeaseStorage] = PostgresStore  # and leases sources to nodes
    _checked: type[StoreType] = PostgresStore  # the PostgreSQL store plays every role
