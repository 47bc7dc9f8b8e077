"""feeds.batching and Store.batch: the writes of several sources share one commit, each
stays all or nothing on its own, and a failed commit stores none of them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from test_store import T0, entry

from feeds.batching import WriteBatch
from feeds.errors import StoreError
from feeds.store import Store


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store(tmp_path / "feeds.sqlite3") as s:
        yield s


def stored(path) -> set[str]:
    with Store(path) as other:  # another connection: sees only what was committed
        return {r["id"] for r in other._query("SELECT id FROM entries")}


def test_a_batch_commits_once_and_undoes_a_failed_write_alone(store):
    with store.batch():
        store.upsert([entry(1)], now=T0)
        with pytest.raises(RuntimeError), store.atomic():
            store.upsert([entry(2)], now=T0)
            raise RuntimeError("this write fails")
        store.upsert([entry(3)], now=T0)
        assert stored(store.path) == set()  # nothing committed yet
    assert stored(store.path) == {entry(1).id, entry(3).id}


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


class CommitFails(Store):
    """A store whose commit fails (a full disk, say), after the writes went through."""

    @contextmanager
    def batch(self) -> Iterator[None]:
        with super().batch():
            yield
            raise StoreError("store: database or disk is full")


def test_a_failed_commit_fails_every_write_of_the_batch_and_stores_none(tmp_path):
    with CommitFails(tmp_path / "feeds.sqlite3") as store:
        batch = WriteBatch(store)

        async def main() -> list[object]:
            writes = (batch.write(lambda n=n: store.upsert([entry(n)], now=T0)) for n in range(3))
            return await asyncio.gather(*writes, return_exceptions=True)

        outcomes = asyncio.run(main())
        assert all(isinstance(o, StoreError) for o in outcomes)
        assert batch.commits == 0
        assert stored(store.path) == set()
