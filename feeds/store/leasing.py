"""Sources leased to the nodes of a cluster (issue 17): the store's role when several
``feeds run`` share it (PostgreSQL: ``feeds.store.postgres.leases``). SQLite has one node
and no leases: ``leases_of`` says None.

A node claims a source before fetching it, in a transaction committed before any HTTP
request; the claim holds until ``until`` (the lease expires: a node that died loses its
sources) and carries a token that grows with every claim. Every write of the run is fenced:
made only while the lease is still the node's, with that token (``fenced``). A source is
not claimed while another node holds it, nor when a run of it ended less than
``fresh_for`` ago (one fetch per due period, whichever node's timer fires), nor when its
host already has ``host_limit`` leases out (the per-host limit, across nodes). Whether the
source is due at all is not the store's business (``feeds.decide``). Must not import a
backend.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Claim:
    """What a claim gave: the lease (``token``), or why not and until when."""

    source: str
    #: The lease's fencing token; None: not claimed.
    token: int | None
    #: Why not: "held" (by another node), "fresh" (run lately), "host" (its host is busy).
    refused: str = ""
    #: When to ask again (the other node's lease expires; the fresh run gets old).
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """A node as the store last heard of it."""

    name: str
    started: datetime
    heartbeat: datetime
    leader: bool
    leases: int


@runtime_checkable
class LeaseStorage(Protocol):
    """The store's leases, nodes and leader (see the module docstring)."""

    def claim(
        self, node: str, source: str, *, host: str | None, ttl: timedelta,
        fresh_for: timedelta, host_limit: int,
    ) -> Claim: ...  # fmt: skip

    def release(self, node: str, source: str, token: int) -> bool: ...

    def fenced(self, node: str, source: str, token: int) -> AbstractContextManager[None]: ...

    def heartbeat(self, node: str, *, started: datetime, leader: bool) -> None: ...

    def try_lead(self) -> bool: ...

    def nodes(self) -> list[NodeRecord]: ...

    def leave(self, node: str) -> None: ...


def leases_of(store: object) -> LeaseStorage | None:
    """The store's leases, if it has them (several nodes can share it)."""
    return store if isinstance(store, LeaseStorage) else None
