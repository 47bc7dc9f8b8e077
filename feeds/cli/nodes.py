"""The nodes of a cluster in ``feeds status`` (issue 17): each node sharing the store, its
last heartbeat, the leases it holds and whether it leads; ``--json`` gives them as a
``nodes`` array. A store without leases (SQLite: one node) shows none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from feeds.cli.terminal import table, when
from feeds.clock import ts
from feeds.store.leasing import NodeRecord, leases_of
from feeds.store.protocols import StoreType


def cluster_nodes(store: StoreType) -> list[NodeRecord] | None:
    """The nodes the store knows, or None when it has no leases."""
    leases = leases_of(store)
    return None if leases is None else leases.nodes()


def nodes_document(nodes: list[NodeRecord]) -> list[dict[str, Any]]:
    return [
        {"name": n.name, "started": ts(n.started), "heartbeat": ts(n.heartbeat),
         "leases": n.leases, "leader": n.leader}
        for n in nodes
    ]  # fmt: skip


def render_nodes(nodes: list[NodeRecord]) -> Iterator[str]:
    yield ""
    yield table(
        ("node", "last heartbeat", "leases", "leader"),
        [(n.name, when(n.heartbeat), str(n.leases), "yes" if n.leader else "") for n in nodes],
    )
