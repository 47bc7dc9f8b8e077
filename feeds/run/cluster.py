"""The daemon as one node of several on a shared store (issue 17): its leases on the
sources it runs, its heartbeat, and whether it leads.

- ``Claims.lease(source)``: around one run of a source, the store's claim (committed
  before any HTTP request), the run's writes fenced by it, and its release. Refused (held
  by another node, run lately, its host busy): the run is skipped, and retried when the
  store says (``retry``). A store without leases (SQLite, one node) grants every run.
- ``Node.beat()``: a job every ``HEARTBEAT`` seconds: the node's record, the leader lock
  taken if free, and a republish when another node stored entries (each node's public/ is
  made from the shared store: the same bytes everywhere).

When a source is due stays the scheduler's (``feeds.run.jobs``) and ``feeds.decide``'s;
this module only asks the store who runs it. Every method runs in the event loop's thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from feeds.clock import utcnow
from feeds.decide.leases import fresh_for, lease_ttl
from feeds.errors import FeedsError
from feeds.models import Source
from feeds.store.leasing import LeaseStorage
from feeds.store.values import Mark

log = logging.getLogger("feeds.daemon")

#: Seconds between heartbeats (``$FEEDS_HEARTBEAT``, default 5).
HEARTBEAT_ENV, LEASE_ENV = "FEEDS_HEARTBEAT", "FEEDS_LEASE_SECONDS"

#: A refused claim is asked again this long after the store's time to (clocks differ a little).
RETRY_MARGIN = timedelta(seconds=0.1)
#: What a refused claim calls: run the source again at that time.
Retry = Callable[[str, datetime], None]
#: What each claim reports: its outcome, and the leases held now (feeds.run.metrics).
Counted = Callable[[str, int], None]


def _seconds(name: str, default: float | None) -> float | None:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def heartbeat_every() -> float:
    return _seconds(HEARTBEAT_ENV, 5.0) or 5.0


class Claims:
    """A node's leases (see the module docstring); ``leases`` None: one node, no leases."""

    def __init__(
        self, leases: LeaseStorage | None, node: str, *, fetch_timeout: float, host_limit: int,
        retry: Retry | None = None, counted: Counted | None = None,
    ) -> None:  # fmt: skip
        self.leases, self.node, self.host_limit, self.retry = leases, node, host_limit, retry
        self.counted = counted
        self.ttl = lease_ttl(fetch_timeout, override=_seconds(LEASE_ENV, None))
        #: Leases this node holds now.
        self.held = 0

    @asynccontextmanager
    async def lease(self, source: Source) -> AsyncIterator[bool]:
        """Whether this node runs ``source`` now; inside, its writes are fenced."""
        if self.leases is None:
            yield True
            return
        host = urlsplit(source.url).hostname if source.url else None
        claim = self.leases.claim(
            self.node, source.name, host=host, ttl=self.ttl,
            fresh_for=fresh_for(source.interval), host_limit=self.host_limit,
        )  # fmt: skip
        self.held += claim.token is not None
        if self.counted is not None:
            self.counted(claim.refused or "claimed", self.held)
        if claim.token is None:
            log.debug("source %s: not run here (%s)", source.name, claim.refused)
            if self.retry and claim.retry_at is not None and claim.refused != "fresh":
                self.retry(source.name, claim.retry_at + RETRY_MARGIN)
            yield False
            return
        try:
            with self.leases.fenced(self.node, source.name, claim.token):
                yield True
        finally:
            self.held -= 1
            try:
                self.leases.release(self.node, source.name, claim.token)
            except FeedsError as e:
                log.error("source %s: lease not released: %s", source.name, e)


class Node:
    """This node's heartbeat and leadership (see the module docstring)."""

    def __init__(
        self, leases: LeaseStorage, name: str, *, mark: Callable[[], Mark],
        republish: Callable[[], None], leads: Callable[[bool], None] | None = None,
    ) -> None:  # fmt: skip
        self.leases, self.name, self.mark, self.republish = leases, name, mark, republish
        self.leads = leads
        self.started = utcnow()
        self.leading = False
        self.seen: Mark | None = None

    async def beat(self) -> None:
        """One heartbeat (an APScheduler job)."""
        try:
            leading = self.leases.try_lead()
            if leading != self.leading:
                log.info("node %s: %s", self.name, "leads" if leading else "no longer leads")
            self.leading = leading
            if self.leads is not None:
                self.leads(leading)
            self.leases.heartbeat(self.name, started=self.started, leader=leading)
            mark = self.mark()
            if mark != self.seen:  # another node stored entries (or this node just started)
                self.republish()  # render them here too
            self.seen = mark
        except FeedsError as e:
            log.error("node %s: heartbeat failed: %s", self.name, e)

    def leave(self) -> None:
        try:
            self.leases.leave(self.name)
        except FeedsError as e:
            log.error("node %s: could not leave: %s", self.name, e)
