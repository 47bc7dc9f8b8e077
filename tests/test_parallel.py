"""feeds.ingest.parallel: bodies parsed and normalized in worker processes come back as they would
in-process, and no worker outlives the process that made the pool (kill -9 included)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.ingest.parallel import NormalizeArgs, ParsePool, parse_and_normalize
from feeds.models import Source

ROOT = Path(__file__).resolve().parent.parent
FEEDS = sorted((ROOT / "config" / "feeds").iterdir())
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def args_for(path: Path) -> NormalizeArgs:
    source = Source(name=path.stem, kind="feed", path=path)
    return NormalizeArgs(source, NOW, "127.0.0.1", ("en", "fr"), "http://127.0.0.1:8080/")


def test_workers_give_what_parsing_in_process_gives() -> None:
    async def in_workers() -> list[object]:
        pool = ParsePool(2)
        pool.start()
        assert pool.started(timeout=60)
        try:
            return list(
                await asyncio.gather(
                    *(pool.parse(p.read_bytes(), None, None, args_for(p)) for p in FEEDS)
                )
            )
        finally:
            pool.close()

    expected = [parse_and_normalize(p.read_bytes(), None, None, args_for(p)) for p in FEEDS]
    assert asyncio.run(in_workers()) == expected
    assert all(entries for _, (entries, _) in expected)  # something was compared


def test_workers_extract_article_pages_as_this_process_does() -> None:
    """``ParsePool.call`` (full text's extraction) gives what calling here gives."""
    from feeds.sources.article import page_content

    pages = sorted((Path(__file__).parent / "data" / "fulltext").glob("*.html"))[:4]
    bodies = [(p.read_bytes(), f"https://courier.test/{p.stem}", None) for p in pages]

    async def in_workers() -> list[str]:
        pool = ParsePool(1)
        pool.start()
        assert pool.started(timeout=60)
        try:
            return list(await asyncio.gather(*(pool.call(page_content, *b) for b in bodies)))
        finally:
            pool.close()

    assert asyncio.run(in_workers()) == [page_content(*b) for b in bodies]


def test_the_main_process_parses_its_share_when_every_worker_is_busy(monkeypatch) -> None:
    """With one body allowed per worker, the others are parsed here: same results."""
    import feeds.ingest.parallel as parallel

    monkeypatch.setattr(parallel, "QUEUED", 1)

    async def shared() -> tuple[list[object], int]:
        pool = ParsePool(1)
        pool.start()
        assert pool.started(timeout=60)
        try:
            found = await asyncio.gather(
                *(pool.parse(p.read_bytes(), None, None, args_for(p)) for p in FEEDS)
            )
            return list(found), pool.here
        finally:
            pool.close()

    expected = [parse_and_normalize(p.read_bytes(), None, None, args_for(p)) for p in FEEDS]
    found, here = asyncio.run(shared())
    assert found == expected
    assert here == len(FEEDS) - 1  # the first went to the worker, the rest were parsed here


def test_bodies_given_before_the_workers_are_up_are_parsed_here(monkeypatch) -> None:
    """The workers start in a thread at the first body; until they are up, this process
    parses (the event loop is not blocked while the forkserver starts)."""
    import threading

    import feeds.ingest.parallel as parallel

    slow, real = threading.Event(), parallel.process_pool
    # Bounded, so that a pool started in the event loop (as it once was) fails the test
    # after the wait rather than hanging it: the bodies would then go to the worker.
    monkeypatch.setattr(parallel, "process_pool", lambda *a: (slow.wait(30), real(*a))[1])

    async def early() -> tuple[list[object], int]:
        pool = ParsePool(1)
        try:
            found = await asyncio.gather(
                *(pool.parse(p.read_bytes(), None, None, args_for(p)) for p in FEEDS)
            )
            return list(found), pool.here
        finally:
            slow.set()  # the workers come up now; close() waits for them
            pool.close()

    expected = [parse_and_normalize(p.read_bytes(), None, None, args_for(p)) for p in FEEDS]
    found, here = asyncio.run(early())
    assert found == expected
    assert here == len(FEEDS)  # gathered at once: all before the workers were up


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_GETPIPE_SZ"), reason="Linux only")
def test_the_pipes_to_the_workers_hold_a_whole_result() -> None:
    """A result bigger than the default 64 KB pipe would wait in its worker until this
    process's pool thread got the GIL to read it."""
    import fcntl

    from feeds.pool import PIPE_BYTES, process_pool

    with process_pool(1) as pool:
        for queue in (pool._result_queue, pool._call_queue):  # type: ignore[attr-defined]
            size = fcntl.fcntl(queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
            assert size >= PIPE_BYTES
        assert pool.submit(len, b"x" * 300_000).result() == 300_000


WARM = """
import gc
from feeds.ingest.parallel import ENV_WARM, PRELOAD
from feeds.pool import process_pool

def inherited():
    from feeds.normalize.language import _detector
    return _detector.cache_info().currsize, gc.get_freeze_count() > 0

if __name__ == "__main__":
    with process_pool(1, preload=PRELOAD, environment={ENV_WARM: "en,fr"}) as pool:
        print(*pool.submit(inherited).result())
"""


def test_workers_inherit_the_language_detector_from_the_forkserver(tmp_path: Path) -> None:
    """The forkserver loads the configured languages' detector before forking: a worker has
    it before detecting anything (and the collector leaves what it inherited alone)."""
    script = tmp_path / "warm.py"
    script.write_text(WARM)
    answer = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert answer.stdout.split() == ["1", "True"]


OWNER = """
import os, sys, time
from feeds.pool import process_pool
pool = process_pool(2)
list(pool.map(time.sleep, [0.2, 0.2]))  # both workers started
print(" ".join(str(pid) for pid in pool._processes), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone too (waiting to be reaped)
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_exit_when_the_owner_is_killed() -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(pid) for pid in workers)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        deadline = time.monotonic() + 30  # a bound on waiting, not a timed assertion
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(pid) for pid in workers)
    finally:
        if owner.poll() is None:
            owner.kill()


def test_the_forkserver_is_known_to_be_up_once_a_pool_started_it():
    """feeds.publish.flow shares many topics due with a worker only then (it starts fast)."""
    from feeds.pool import forkserver_up, process_pool

    with process_pool(1) as pool:
        assert pool.submit(int, "7").result() == 7
    assert forkserver_up()
