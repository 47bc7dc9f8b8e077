"""The store's connection: opening one SQLite file (WAL mode), its schema brought up to
date (``feeds.store.sqlite.migrations``), transactions and batches, queries whose
``sqlite3`` errors leave as StoreError, WAL checkpoints on a thread of their own, and the
``meta`` table. Every part of ``feeds.store.sqlite.store.Store`` builds on it. Only SQL;
decides nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from feeds.errors import StoreError
from feeds.store.sqlite.migrations import SCHEMA_VERSION, steps_after

#: SQLite's own WAL checkpoint threshold (pages), and how often ``checkpoints_elsewhere``
#: checkpoints (seconds).
AUTOCHECKPOINT, CHECKPOINT_EVERY = 1000, 0.1
#: Seconds to wait for another connection's lock before failing (default 30).
TIMEOUT_ENV = "FEEDS_DB_TIMEOUT"


def busy_timeout() -> float:
    """``$FEEDS_DB_TIMEOUT`` seconds (a positive number), else 30."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return 30.0
    return value if value > 0 else 30.0


def explain(error: sqlite3.Error) -> str:
    """SQLite's message, and what to do about the errors an operator can fix."""
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"{error}: another program holds a lock on it (waited; ${TIMEOUT_ENV} sets how long)"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return f"{error}: the file is damaged; restore a backup, or move it away to start afresh"
    return str(error)


class Connection:
    """One SQLite file (or ``":memory:"``). Use as a context manager, or call close()."""

    def __init__(self, path: Path | str, *, timeout: float | None = None) -> None:
        self.path = str(path)
        #: Inside ``batch()``: writes are part of its transaction.
        self._batched = False
        timeout = busy_timeout() if timeout is None else timeout
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot open the store {self.path}: {explain(e)}") from e
        except OSError as e:
            raise StoreError(f"cannot create the store folder for {self.path}: {e}") from e

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def checkpoints_elsewhere(self) -> Iterator[None]:
        """While inside, WAL checkpoints are made by a thread with its own connection
        instead of by the commit that crosses SQLite's threshold (``AUTOCHECKPOINT``): that
        commit waited for the copy into the database and its fsyncs, a large part of the
        commits' time in a bulk ingest, on the caller's thread (ingest's event loop). A
        checkpoint left unfinished when the block ends is made by a later commit, as
        before."""
        if self.path == ":memory:":
            yield
            return
        done = threading.Event()

        def checkpoint() -> None:
            db = sqlite3.connect(self.path, timeout=busy_timeout(), isolation_level=None)
            try:
                while not done.wait(CHECKPOINT_EVERY):
                    try:
                        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    except sqlite3.Error:  # busy, or the file went away: the next time
                        pass
            finally:
                db.close()

        thread = threading.Thread(target=checkpoint, name="feeds-checkpoint", daemon=True)
        self._db.execute("PRAGMA wal_autocheckpoint = 0")
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            self._db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self.path} has schema {version}, newer than this feeds "
                f"({SCHEMA_VERSION}): upgrade feeds"
            )
        for step in steps_after(version):
            with self._transaction() as db:
                step(db)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._batched:  # part of the batch's transaction
            yield self._db
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as e:
            raise StoreError(f"store {self.path}: {explain(e)}") from e

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around the writes made inside (the store's own join it),
        committed at the end: all or none (an exception rolls all of it back). Committing
        costs SQLite more than a feed's rows (the search index writes a segment at each
        commit, and at each savepoint, so there is none inside): ingest commits the writes
        of several sources at once (feeds.ingest.batching)."""
        if self._batched:  # already in one
            yield
            return
        with self._transaction():
            self._batched = True
            try:
                yield
            finally:
                self._batched = False

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"store {self.path}: {explain(e)}") from e

    # -- meta --------------------------------------------------------------------------

    def meta(self, key: str, default: Callable[[], str]) -> str:
        """The value under ``key``; set it from ``default()`` the first time."""
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        if rows:
            return str(rows[0][0])
        value = default()
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return str(self._query("SELECT value FROM meta WHERE key = ?", (key,))[0][0])
