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
