"""Commit the store writes of sources that finish close together in one transaction.

Ingest writes each source's entries and state as soon as the source is done. A commit costs
SQLite more than a feed's rows (the search index writes a new segment at every commit, and
merges them as they pile up), so the writes that arrive within BATCH_DELAY of each other, up
to BATCH_SIZE, share one: ``StoreType.batch()``. Each write stays all or nothing on its own:
when one raises (or the commit fails), the batch is rolled back and its writes are made
again one at a time, each in its own transaction, so that only a failing one fails. (Not
with savepoints: FTS5 writes a segment at each one, which is the cost saved here.)

What a crash loses is what a crash lost before: the writes not committed yet, whose
sources' states (validators, body hashes) were not saved either, so the next run fetches
them again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from feeds.store.protocols import StoreType

__all__ = ["BATCH_DELAY", "BATCH_SIZE", "WriteBatch"]

T = TypeVar("T")

#: Writes committed together at most, and how long the first of them waits for others.
BATCH_SIZE, BATCH_DELAY = 8, 0.05


class WriteBatch:
    """Runs ``write(work)`` calls of one event loop's coroutines in shared transactions."""

    def __init__(self, store: StoreType, *, size: int = BATCH_SIZE, delay: float = BATCH_DELAY):
        self.store = store
        self.size = size
        self.delay = delay
        #: Transactions committed so far.
        self.commits = 0
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def write(self, work: Callable[[], T]) -> T:
        """``work()`` (store writes), committed with others: its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((work, future))
        if len(self._pending) >= self.size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self.flush)
        return await future

    def flush(self) -> None:
        """Run and commit the pending writes now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            with self.store.batch():
                results = [work() for work, _ in pending]
        except Exception:  # rolled back: each alone, so that only a failing one fails
            self._one_by_one(pending)
            return
        self.commits += 1
        for (_, future), result in zip(pending, results, strict=True):
            if not future.done():  # else its caller was cancelled meanwhile
                future.set_result(result)

    def _one_by_one(self, pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]]) -> None:
        for work, future in pending:
            try:
                with self.store.batch():
                    result = work()
            except Exception as e:
                if not future.done():
                    future.set_exception(e)
            else:
                self.commits += 1
                if not future.done():
                    future.set_result(result)
