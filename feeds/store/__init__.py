"""The store: entries with their search index, source state, the publish ledger.

Only this package speaks SQL. ``feeds.store.protocols`` names its roles for any backend,
``feeds.store.values`` the values it gives out; ``open_store`` opens the configured one:
SQLite in the data folder (``feeds.store.sqlite``) unless ``[settings] store`` names
another, PostgreSQL (``feeds.store.postgres``) or a SQLite file by URL. May import: models,
errors, words, normalize (text helpers), topics (the query AST it compiles to its own
dialect).
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from feeds.errors import StoreError

if TYPE_CHECKING:
    from feeds.models import Settings
    from feeds.store.protocols import StoreType

#: The store's file in the data folder.
STORE_FILE = "feeds.sqlite3"
#: This node's name in a cluster (default: the host's name): whose public/ the ledger of a
#: shared store describes, and who holds leases.
NODE_ENV = "FEEDS_NODE"
#: How a store URL starts, by backend.
SQLITE_URL, POSTGRES_URLS = "sqlite://", ("postgresql://", "postgres://")


def open_store(settings: Settings) -> StoreType:
    """The store of ``settings`` (its URL, else the data folder's SQLite file), opened
    (close it, or use it as a context manager)."""
    if settings.store:
        return open_url(settings.store)
    from feeds.store.sqlite.store import Store  # the backend, loaded when first opened

    return Store(settings.data_dir / STORE_FILE)


def open_readonly(settings: Settings, *, budget: int, seconds: float = 2.0) -> StoreType:
    """The store of ``settings.data_dir``, read-only, each query within ``budget`` steps of
    SQLite's virtual machine and about ``seconds`` (``feeds.store.sqlite.readonly``);
    StoreError if it does not exist yet."""
    from feeds.store.sqlite.readonly import ReadOnlyStore

    return ReadOnlyStore(settings.data_dir / STORE_FILE, budget=budget, seconds=seconds)


def open_url(url: str) -> StoreType:
    """The store a URL names: ``sqlite:///path/feeds.sqlite3`` or ``postgresql://…``."""
    if url.startswith(SQLITE_URL):
        from feeds.store.sqlite.store import Store

        return Store(url.removeprefix(SQLITE_URL))
    if url.startswith(POSTGRES_URLS):
        try:
            from feeds.store.postgres.store import PostgresStore
        except ImportError as e:
            raise StoreError(
                f"a PostgreSQL store needs psycopg: pip install 'feeds[postgresql]' ({e})"
            ) from None
        return PostgresStore(url, site=node_name())
    raise StoreError(f"not a store URL: {url} (sqlite:///path or postgresql://…)")


def node_name() -> str:
    """``$FEEDS_NODE``, else this host's name."""
    return os.environ.get(NODE_ENV) or socket.gethostname()
