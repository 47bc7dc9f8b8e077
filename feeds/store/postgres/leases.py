"""The PostgreSQL store's leases, nodes and leader (``feeds.store.leasing``): claims with
``SELECT … FOR UPDATE SKIP LOCKED``, each committed before the node fetches anything;
fenced writes (``FENCE``, checked by every transaction of the run); heartbeats; and the
leader, whoever holds an advisory lock on a connection of its own (it is let go when that
node dies: the server sees its connection close). Part of ``PostgresStore``. Only SQL;
times are the server's (one clock for every node).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import psycopg

from feeds.store.leasing import Claim, NodeRecord
from feeds.store.postgres.connection import CONNECT_TIMEOUT, FENCE, Connection, Fence, Row
from feeds.store.postgres.migrations import LEADER_LOCK

#: When to ask again for a source whose host has its limit of leases out (a fetch is short).
HOST_RETRY = timedelta(seconds=0.25)


class LeaseStore(Connection):
    """Leases and nodes (see the module docstring)."""

    _leading: psycopg.Connection[Row] | None = None

    def claim(
        self, node: str, source: str, *, host: str | None, ttl: timedelta,
        fresh_for: timedelta, host_limit: int,
    ) -> Claim:  # fmt: skip
        """The lease of ``source`` for ``node``, or why not (see feeds.store.leasing)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO leases (source, host) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (source, host),
            )
            row = db.execute(
                "SELECT node IS NOT NULL AND until > now(), until, done_at > now() - %s, "
                "done_at + %s, now() FROM leases WHERE source = %s FOR UPDATE SKIP LOCKED",
                (fresh_for, fresh_for, source),
            ).fetchone()
            if row is None:  # another node is claiming it right now
                return Claim(source, None, "held")
            held, until, fresh, stale_at, now = row
            if held:
                return Claim(source, None, "held", until)
            if fresh:
                return Claim(source, None, "fresh", stale_at)
            if host is not None and self._host_busy(db, host, host_limit):
                return Claim(source, None, "host", now + HOST_RETRY)
            token = db.execute(
                "UPDATE leases SET node = %s, host = %s, until = now() + %s, token = token + 1 "
                "WHERE source = %s RETURNING token",
                (node, host, ttl, source),
            ).fetchone()
        assert token is not None
        return Claim(source, int(token[0]))

    @staticmethod
    def _host_busy(db: psycopg.Connection[Row], host: str, limit: int) -> bool:
        """Whether ``host`` has ``limit`` leases out (claims of one host, one at a time)."""
        db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (host,))
        row = db.execute(
            "SELECT count(*) FROM leases WHERE host = %s AND node IS NOT NULL AND until > now()",
            (host,),
        ).fetchone()
        return row is not None and int(row[0]) >= limit

    def release(self, node: str, source: str, token: int) -> bool:
        """The run is over: the lease is let go, and the source is fresh from now."""
        rows = self._query(
            "UPDATE leases SET node = NULL, until = NULL, done_at = now() "
            "WHERE source = %s AND node = %s AND token = %s RETURNING 1",
            (source, node, token),
        )
        return bool(rows)

    @contextmanager
    def fenced(self, node: str, source: str, token: int) -> Iterator[None]:
        """Inside, every write (in this context: this task, its threads) checks the lease."""
        fence = Fence(node, source, token)
        reset = FENCE.set(fence)
        try:
            yield
        finally:
            fence.active = False
            FENCE.reset(reset)

    def heartbeat(self, node: str, *, started: datetime, leader: bool) -> None:
        self._execute(
            "INSERT INTO nodes (name, started, heartbeat, leader) VALUES (%s, %s, "
            "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), %s) "
            "ON CONFLICT (name) DO UPDATE SET heartbeat = excluded.heartbeat, "
            "leader = excluded.leader, started = excluded.started",
            (node, started.isoformat(), leader),
        )
        if leader:
            self._execute("UPDATE nodes SET leader = false WHERE name <> %s", (node,))

    def try_lead(self) -> bool:
        """Whether this store's node leads: it holds the leader lock, or takes it now."""
        try:
            if self._leading is not None and not self._leading.closed:
                self._leading.execute("SELECT 1")
                return True
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,)).fetchone()
            if got and got[0]:
                self._leading = conn
                return True
            conn.close()
        except psycopg.Error:
            self._let_go()
        return False

    def _let_go(self) -> None:
        if self._leading is not None:
            self._leading.close()
            self._leading = None

    def nodes(self) -> list[NodeRecord]:
        """Every node heard of, with the leases it holds now."""
        rows = self._query(
            "SELECT n.name, n.started, n.heartbeat, n.leader, (SELECT count(*) FROM leases l "
            "WHERE l.node = n.name AND l.until > now()) FROM nodes n ORDER BY n.name"
        )
        return [
            NodeRecord(r[0], datetime.fromisoformat(r[1]), datetime.fromisoformat(r[2]),
                       bool(r[3]), int(r[4]))
            for r in rows
        ]  # fmt: skip

    def leave(self, node: str) -> None:
        """A node that stops: its leases let go, its leadership too, its record kept."""
        self._execute("UPDATE leases SET node = NULL, until = NULL WHERE node = %s", (node,))
        self._execute("UPDATE nodes SET leader = false WHERE name = %s", (node,))
        self._let_go()

    def close(self) -> None:
        self._let_go()
        super().close()
