"""WebSub publisher pings: tell the configured hubs that a feed changed.

After a publish, each hub gets one form-encoded POST per changed feed URL
(``hub.mode=publish``, ``hub.url=<feed URL>``); a 2xx answer is success. A hub that fails
(connection refused, timeout, any other status) is logged, and the ping is kept in the store
to be tried again after the next publish. Timeouts are short, and once a hub has failed in a
round its other pings wait for the next round, so a dead hub costs one timeout per publish.
Nothing here raises: publishing never fails because of a hub.

This module does not decide which feeds changed (regenerate does) and renders nothing. Must
not import sources, ingest, run or cli: its user agent comes in as an argument.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import httpx

from feeds.errors import StoreError
from feeds.store.protocols import StoreType

log = logging.getLogger("feeds")

#: Seconds to connect, and to wait for the answer.
TIMEOUT = httpx.Timeout(3.0, connect=2.0)
#: A ping that failed this many times is dropped (the next change pings again).
MAX_FAILURES = 20


@dataclass(frozen=True, slots=True)
class PingResult:
    hub: str
    url: str
    #: None on success, else what went wrong.
    error: str | None = None


def _post(client: httpx.Client, hub: str, url: str) -> str | None:
    try:
        response = client.post(hub, data={"hub.mode": "publish", "hub.url": url})
    except httpx.HTTPError as e:
        return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


def ping(
    pings: Iterable[tuple[str, str]], *, user_agent: str, client: httpx.Client | None = None
) -> list[PingResult]:
    """POST each (hub, feed URL); a hub that failed once is not tried again this round."""
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, headers={"User-Agent": user_agent})
    results: list[PingResult] = []
    dead: dict[str, str] = {}
    try:
        for hub, url in dict.fromkeys(pings):
            error = dead.get(hub) or _post(client, hub, url)
            if error is not None:
                dead[hub] = error
            results.append(PingResult(hub, url, error))
    finally:
        if own:
            client.close()
    return results


def notify(
    store: StoreType, hubs: Sequence[str], urls: Sequence[str], *, user_agent: str
) -> list[PingResult]:
    """Ping ``hubs`` about ``urls`` (the feeds that changed), and retry earlier failures."""
    failures = {(h, u): n for h, u, n in _pending(store) if h in hubs}
    todo = [*failures, *((h, u) for u in urls for h in hubs)]
    if not todo:
        return []
    results = ping(todo, user_agent=user_agent)
    for r in results:
        _record(store, r, failures.get((r.hub, r.url), 0))
    return results


def _pending(store: StoreType) -> list[tuple[str, str, int]]:
    try:
        return store.pending_pings()
    except StoreError as e:
        log.error("websub: cannot read pending pings: %s", e)
        return []


def _record(store: StoreType, result: PingResult, failures: int) -> None:
    try:
        if result.error is None:
            log.info("websub: pinged %s about %s", result.hub, result.url)
            store.ping_done(result.hub, result.url)
        elif failures + 1 >= MAX_FAILURES:
            log.error("websub: %s failed %d times; giving up on %s until it changes again: %s",
                      result.hub, failures + 1, result.url, result.error)  # fmt: skip
            store.ping_done(result.hub, result.url)
        else:
            log.warning("websub: %s: %s (will retry after the next publish) for %s",
                        result.hub, result.error, result.url)  # fmt: skip
            store.ping_failed(result.hub, result.url, result.error)
    except StoreError as e:
        log.error("websub: cannot record the ping to %s: %s", result.hub, e)
