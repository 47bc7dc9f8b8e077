"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import Loopback


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    """A scripted HTTP server on 127.0.0.1 (see tests/loopback.py), stopped after the test."""
    with Loopback() as server:
        yield server


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server for the session (tests/pgserver.py); skips (fails under $CI)
    where none can be started."""
    from pgserver import cluster

    with cluster() as running:
        yield running


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """A fresh database of the session's server, with the store's schema."""
    return pg_cluster.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request) -> str | None:
    """Each backend in turn: None (SQLite in the data folder), then a fresh PostgreSQL
    database's URL (for ``scratch_site(..., store=)``)."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url"))
