"""feeds.ingest.batching and Store.batch: the writes of several sources share one commit, and each
stays all or nothing on its own (a batch that fails is made again one write at a time)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from test_store import T0, entry

from feeds.errors import StoreError
from feeds.ingest.batching import WriteBatch
from feeds.store.sqlite.store import Store


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store(tmp_path / "feeds.sqlite3") as s:
        yield s


def stored(path) -> set[str]:
    with Store(path) as other:  # another connection: sees only what was committed
        return {r["id"] for r in other._query("SELECT id FROM entries")}


def test_a_batch_commits_once_at_the_end_all_or_nothing(store):
    with store.batch():
        store.upsert([entry(1)], now=T0)
        with store.batch():  # part of the outer one
            store.upsert([entry(2)], now=T0)
        assert stored(store.path) == set()  # nothing committed yet
    assert stored(store.path) == {entry(1).id, entry(2).id}
    with pytest.raises(RuntimeError), store.batch():
        store.upsert([entry(3)], now=T0)
        raise RuntimeError("a write fails")
    assert stored(store.path) == {entry(1).id, entry(2).id}


def test_writes_close_together_share_a_commit(store):
    batch = WriteBatch(store, size=10, delay=0.05)

    async def main() -> list[object]:
        return list(
            await asyncio.gather(
                *(batch.write(lambda n=n: store.upsert([entry(n)], now=T0).new) for n in range(3))
            )
        )

    assert asyncio.run(main()) == [(entry(0).id,), (entry(1).id,), (entry(2).id,)]
    assert batch.commits == 1
    assert stored(store.path) == {entry(n).id for n in range(3)}


def test_a_full_batch_is_committed_without_waiting(store):
    batch = WriteBatch(store, size=2, delay=3600)  # the timer would never fire in time

    async def main() -> None:
        await asyncio.wait_for(
            asyncio.gather(
                *(batch.write(lambda n=n: store.upsert([entry(n)], now=T0)) for n in range(4))
            ),
            timeout=30,
        )

    asyncio.run(main())
    assert batch.commits == 2


def test_a_failing_write_gets_its_error_and_the_others_are_stored(store):
    batch = WriteBatch(store)

    def failing() -> None:
        store.upsert([entry(9)], now=T0)
        raise StoreError("disk says no")

    async def main() -> list[object]:
        return await asyncio.gather(
            batch.write(lambda: store.upsert([entry(1)], now=T0 + timedelta(hours=1))),
            batch.write(failing),
            return_exceptions=True,
        )

    ok, failed = asyncio.run(main())
    assert isinstance(failed, StoreError) and not isinstance(ok, BaseException)
    assert stored(store.path) == {entry(1).id}  # entry 9 was undone with its write
    assert batch.commits == 1  # the batch was rolled back, entry 1 written alone


class CommitFails(Store):
    """A store whose first commit fails (a full disk, say) after the writes went through."""

    failures = 1

    @contextmanager
    def batch(self) -> Iterator[None]:
        with super().batch():
            yield
            if self.failures:
                self.failures -= 1
                raise StoreError("store: database or disk is full")


def test_a_failed_commit_makes_the_writes_one_at_a_time(tmp_path):
    with CommitFails(tmp_path / "feeds.sqlite3") as store:
        batch = WriteBatch(store)

        async def main() -> list[object]:
            writes = (
                batch.write(lambda n=n: store.upsert([entry(n)], now=T0).new) for n in range(3)
            )
            return await asyncio.gather(*writes, return_exceptions=True)

        assert asyncio.run(main()) == [(entry(n).id,) for n in range(3)]
        assert batch.commits == 3
        assert stored(store.path) == {entry(n).id for n in range(3)}
