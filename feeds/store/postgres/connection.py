"""The PostgreSQL store's connection: a psycopg 3 connection pool for one database URL, the
schema brought up to date at start (``feeds.store.postgres.migrations``, under an advisory
lock), transactions and batches, queries whose psycopg errors leave as StoreError (one
line: a bad URL, a server down or a refused login is ``StoreUnreachable``, a newer schema
``StoreSchemaError``), and the ``meta`` table. Every part of
``feeds.store.postgres.store.PostgresStore`` builds on it. Only SQL; decides nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, Self

import psycopg
from psycopg import conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from feeds.errors import LeaseLost, StoreError, StoreSchemaError, StoreUnreachable
from feeds.store.postgres.migrations import MIGRATION_LOCK, SCHEMA_VERSION, STEPS

#: Connections each store keeps open at most (``$FEEDS_PG_POOL``, default 4).
POOL_ENV = "FEEDS_PG_POOL"
#: Seconds to wait for the server when connecting.
CONNECT_TIMEOUT = 10

Row = tuple[Any, ...]


class Fence:
    """The lease a run's writes are fenced by, while ``active`` (a callback scheduled from
    inside the run inherits its context: it finds the fence inactive once the run is over)."""

    def __init__(self, node: str, source: str, token: int) -> None:
        self.node, self.source, self.token, self.active = node, source, token, True


#: The fence of this context's writes, if any (set by
#: ``feeds.store.postgres.leases.LeaseStore.fenced``; a context is one source's run).
FENCE: ContextVar[Fence | None] = ContextVar("feeds_fence", default=None)


def safe_url(url: str) -> str:
    """``url`` without its password (for messages)."""
    try:
        parts = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return url.split("@")[-1] if "@" in url else url
    if "password" not in parts:
        return url
    user, _, rest = url.partition("://")[2].rpartition("@")
    return f"postgresql://{user.split(':')[0]}:***@{rest}"


def url_problem(url: str) -> str | None:
    """What is wrong with a PostgreSQL store URL, or None."""
    if not url.startswith(("postgresql://", "postgres://")):
        return "must start with postgresql://"
    try:
        parts = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as e:
        return f"is not a PostgreSQL URL ({one_line(e)})"
    if not parts.get("dbname"):
        return "must name a database (postgresql://user@host:port/dbname)"
    return None


def one_line(error: BaseException) -> str:
    """An error's message on one line (libpq's span several)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return "; ".join(lines) or type(error).__name__


class Connection:
    """One PostgreSQL database, by URL, as the node ``site`` sees it (the ledger of its own
    public/). Use as a context manager, or call close()."""

    def __init__(self, url: str, *, site: str = "") -> None:
        self.url = url
        #: Whose public/ the ledger's topic records and pages are (a node's name).
        self.site = site
        self._batch: psycopg.Connection[Row] | None = None
        problem = url_problem(url)
        if problem is not None:
            raise StoreUnreachable(f"the store URL {safe_url(url)} {problem}")
        self._migrate()
        size = max(1, int(os.environ.get(POOL_ENV, "4") or 4))
        self._pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            # Autocommit: a read is one round trip; writes open their transaction themselves.
            kwargs={"connect_timeout": CONNECT_TIMEOUT, "autocommit": True},
            open=True,
            name="feeds",
        )

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def checkpoints_elsewhere(self) -> nullcontext[None]:
        """Nothing to do: the server writes its own checkpoints."""
        return nullcontext()

    def _connect(self) -> psycopg.Connection[Row]:
        try:
            return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.Error as e:
            raise StoreUnreachable(
                f"cannot reach the store {safe_url(self.url)}: {one_line(e)}"
            ) from None

    def _migrate(self) -> None:
        """Bring the schema up to date; only one node at a time (an advisory lock)."""
        with self._connect() as conn:
            conn.autocommit = True
            try:
                self._check_server(conn)
                if self._version(conn) == SCHEMA_VERSION:
                    return
                conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
                try:
                    start = self._version(conn)  # another node may have migrated meanwhile
                    for number, step in enumerate(STEPS[start:], start=start + 1):
                        with conn.transaction():
                            conn.execute(step.encode())
                            conn.execute(
                                "INSERT INTO meta (key, value) VALUES ('schema', %s) ON CONFLICT "
                                "(key) DO UPDATE SET value = excluded.value",
                                (str(number),),
                            )
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
            except psycopg.Error as e:
                raise StoreError(f"store {safe_url(self.url)}: {one_line(e)}") from e

    def _check_server(self, conn: psycopg.Connection[Row]) -> None:
        encoding = conn.execute("SHOW server_encoding").fetchone()
        if encoding is None or encoding[0] != "UTF8":
            raise StoreError(
                f"the store {safe_url(self.url)} has encoding {encoding and encoding[0]}: "
                "create its database with ENCODING 'UTF8'"
            )

    def _version(self, conn: psycopg.Connection[Row]) -> int:
        """The schema the database is at (0: empty); a newer one than ours is refused."""
        row = conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
        version = 0
        if row and row[0]:
            found = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            version = int(found[0]) if found else 0
        if version > SCHEMA_VERSION:
            raise StoreSchemaError(
                f"the store {safe_url(self.url)} has schema {version}, newer than this feeds "
                f"({SCHEMA_VERSION}): upgrade feeds"
            )
        return version

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Row]]:
        if self._batch is not None:  # part of the batch's transaction
            yield self._batch
            return
        try:
            with self._pool.connection() as conn, conn.transaction():
                self._check_fence(conn)
                yield conn
        except psycopg.Error as e:
            raise StoreError(f"store {safe_url(self.url)}: {one_line(e)}") from e
        except PoolTimeout as e:
            raise StoreUnreachable(f"cannot reach the store {safe_url(self.url)}: {e}") from e

    @staticmethod
    def _check_fence(conn: psycopg.Connection[Row]) -> None:
        """Inside a fenced run: the lease is still the node's, and stays so (a share lock
        on it) until this transaction ends."""
        fence = FENCE.get()
        if fence is None or not fence.active:
            return
        node, source, token = fence.node, fence.source, fence.token
        held = conn.execute(
            "SELECT 1 FROM leases WHERE source = %s AND node = %s AND token = %s "
            "AND until > now() FOR SHARE",
            (source, node, token),
        ).fetchone()
        if held is None:
            raise LeaseLost(f"source {source}: the lease of node {node} is lost; not written")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around the writes made inside (the store's own join it),
        committed at the end: all or none."""
        if self._batch is not None:
            yield
            return
        with self._transaction() as conn:
            self._batch = conn
            try:
                yield
            finally:
                self._batch = None

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """One statement's rows: in the batch or the fenced run's transaction, else alone."""
        fence = FENCE.get()
        if self._batch is not None or (fence is not None and fence.active):
            with self._transaction() as conn:
                return conn.execute(sql.encode(), params).fetchall()
        try:
            with self._pool.connection() as conn:
                return conn.execute(sql.encode(), params).fetchall()
        except psycopg.Error as e:
            raise StoreError(f"store {safe_url(self.url)}: {one_line(e)}") from e
        except PoolTimeout as e:
            raise StoreUnreachable(f"cannot reach the store {safe_url(self.url)}: {e}") from e

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._transaction() as conn:
            conn.execute(sql.encode(), params)

    # -- meta --------------------------------------------------------------------------

    def meta(self, key: str, default: Callable[[], str]) -> str:
        """The value under ``key``; set it from ``default()`` the first time."""
        rows = self._query("SELECT value FROM meta WHERE key = %s", (key,))
        if rows:
            return str(rows[0][0])
        self._execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (key, default()),
        )
        return str(self._query("SELECT value FROM meta WHERE key = %s", (key,))[0][0])
