"""robots.txt (RFC 9309) for the pages feeds fetches besides feeds (full text, page sources).

Each host's ``/robots.txt`` is fetched with the process's Fetcher (so with its limits,
timeouts and user agent), parsed with ``urllib.robotparser``, and kept a day per host
(``KEEP``): one fetch per host however many of its pages are asked about at once. The rules
of the group naming our product token (``feeds``) apply, else those of ``*``. As RFC 9309
says: a robots.txt that is missing (any 4xx) allows everything; one that cannot be had
(5xx, network, timeout) disallows everything, and is asked again after ``RETRY``. Feeds
themselves are not checked: a feed is a document its site asks readers to fetch.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from feeds.errors import FetchError
from feeds.sources.http import Fetcher

__all__ = ["AGENT_TOKEN", "KEEP", "RETRY", "Refusal", "Robots", "robots_of"]

#: The product token robots.txt groups name us by.
AGENT_TOKEN = "feeds"
#: Seconds a host's robots.txt is kept (RFC 9309: no more than 24 hours).
KEEP = 24 * 3600.0
#: Seconds before a robots.txt that could not be had is asked again.
RETRY = 600.0


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a page may not be fetched now."""

    reason: str
    #: The rules disallow it (else robots.txt could not be had: it may pass).
    permanent: bool


@dataclass(frozen=True, slots=True)
class _Rules:
    parser: RobotFileParser
    #: ``time.monotonic()`` after which it is fetched again.
    until: float
    #: Why everything is disallowed (robots.txt unreachable), else None.
    unreachable: str | None = None


class Robots:
    """The robots.txt rules of each host, fetched with ``fetcher`` when first asked."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._rules: dict[str, _Rules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str) -> Refusal | None:
        """None when ``url`` may be fetched; else why not."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        rules = await self._of(origin)
        if rules.unreachable is not None:
            reason = f"{origin}/robots.txt could not be read ({rules.unreachable})"
            return Refusal(reason, permanent=False)
        if not rules.parser.can_fetch(AGENT_TOKEN, url):
            return Refusal(f"{origin}/robots.txt disallows it for {AGENT_TOKEN}", permanent=True)
        return None

    async def _of(self, origin: str) -> _Rules:
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:  # the pages of one host wait for one fetch of its robots.txt
            rules = self._rules.get(origin)
            if rules is None or time.monotonic() >= rules.until:
                rules = self._rules[origin] = await self._fetch(origin)
            return rules

    async def _fetch(self, origin: str) -> _Rules:
        parser = RobotFileParser(f"{origin}/robots.txt")
        try:
            result = await self._fetcher.fetch(f"{origin}/robots.txt", discover=False)
        except FetchError as e:
            status = e.status_code or 0
            if 400 <= status < 500 and status != 429:
                parser.parse([])  # no robots.txt: everything is allowed
                return _Rules(parser, time.monotonic() + KEEP)
            parser.parse(["User-agent: *", "Disallow: /"])
            return _Rules(parser, time.monotonic() + RETRY, unreachable=e.message)
        text = (result.body or b"").decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        return _Rules(parser, time.monotonic() + KEEP)


#: One Robots per Fetcher: a daemon's fetcher lives as long as it runs, and so do the rules.
_BY_FETCHER: weakref.WeakKeyDictionary[Fetcher, Robots] = weakref.WeakKeyDictionary()


def robots_of(fetcher: Fetcher) -> Robots:
    """The robots.txt cache that goes with ``fetcher``."""
    robots = _BY_FETCHER.get(fetcher)
    if robots is None:
        robots = _BY_FETCHER[fetcher] = Robots(fetcher)
    return robots
