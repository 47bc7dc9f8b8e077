"""Helpers of the fetcher tests (test_fetch.py, test_fetch_transport.py): one Fetcher per
call, against the loopback servers of tests/loopback.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from feeds.errors import FetchError
from feeds.sources.http import Fetcher, FetchResult, FetchSettings, user_agent

UA = user_agent("https://operator.example/about")
SETTINGS = FetchSettings(user_agent=UA, connect_timeout=5, read_timeout=5, total_timeout=10)
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 06 May 2024 10:00:00 GMT"
MB = 1024 * 1024


def fetch(url: str, settings: FetchSettings = SETTINGS, **validators: Any) -> FetchResult:
    """One fetch with a Fetcher of its own."""

    async def once() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **validators)

    return asyncio.run(once())


def fetch_error(url: str, settings: FetchSettings = SETTINGS, **validators: Any) -> FetchError:
    """The FetchError of one fetch; its message is one line."""
    with pytest.raises(FetchError) as info:
        fetch(url, settings, **validators)
    assert "\n" not in info.value.message
    return info.value
