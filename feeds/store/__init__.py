"""The store: entries with their search index, source state, the publish ledger.

Only this package speaks SQL. ``feeds.store.protocols`` names its roles for any backend,
``feeds.store.values`` the values it gives out; ``open_store`` opens the configured one
(SQLite today: ``feeds.store.sqlite``). May import: models, errors, words, normalize (text
helpers), topics (the query AST it compiles to its own dialect).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feeds.models import Settings
    from feeds.store.protocols import StoreType

#: The store's file in the data folder.
STORE_FILE = "feeds.sqlite3"


def open_store(settings: Settings) -> StoreType:
    """The store of ``settings.data_dir``, opened (close it, or use it as a context manager)."""
    from feeds.store.sqlite.store import Store  # the backend, loaded when first opened

    return Store(settings.data_dir / STORE_FILE)


def open_readonly(settings: Settings, *, budget: int, seconds: float = 2.0) -> StoreType:
    """The store of ``settings.data_dir``, read-only, each query within ``budget`` steps of
    SQLite's virtual machine and about ``seconds`` (``feeds.store.sqlite.readonly``);
    StoreError if it does not exist yet."""
    from feeds.store.sqlite.readonly import ReadOnlyStore

    return ReadOnlyStore(settings.data_dir / STORE_FILE, budget=budget, seconds=seconds)
