"""`feeds run` under load on 127.0.0.1: every request answered right, publishing not stalled.

A real daemon subprocess; 10,000 requests, 50 at a time (feed GETs, HEADs, If-None-Match
revalidations, the index, 404s, traversal attempts, other methods), while an article is
added and must appear in the served feed; then 100 idle, half-sent connections must not
keep a normal request from being answered. Deadlines only catch a hang.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

REQUESTS = 10_000
CONCURRENCY = 50
DEADLINE = 300.0  # only catches a hang: a loaded CI machine may be several times slower
NEW_TITLE = "Zebra foal born under load"
#: (method, path, extra headers, statuses allowed); "ETAG" is replaced by the feed's ETag.
MIX = [
    ("GET", "/zebras.atom", {}, {200}),
    ("GET", "/zebras.atom", {"Accept-Encoding": "gzip"}, {200}),
    ("HEAD", "/zebras.atom", {}, {200}),
    ("GET", "/zebras.atom", {"If-None-Match": "ETAG"}, {200, 304}),
    ("GET", "/zebras.atom", {"If-None-Match": "ETAG"}, {200, 304}),
    ("GET", "/", {}, {200}),
    ("GET", "/feeds.opml", {}, {200}),
    ("GET", "/no-such-feed.atom", {}, {404}),
    ("GET", "/%2e%2e/%2e%2e/etc/passwd", {}, {400, 404}),
    ("GET", "/articles/..%2f..%2fdata/feeds.sqlite3", {}, {400, 404}),
    ("GET", "/.zebras.atom.tmp-x", {}, {404}),
    ("POST", "/zebras.atom", {}, {405}),
    ("GET", "/healthz", {}, {200}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    (tmp_path / "articles").mkdir()
    for n in range(20):
        (tmp_path / "articles" / f"zebra-{n}.txt").write_text(
            f"# Zebra herd {n}\n<p>{'The zebras crossed the river. ' * 20}</p>\n"
        )
    port = free_port()
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[settings]\nbase_url = "http://127.0.0.1:{port}/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\ninterval = "1s"\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n'
        '[[topics]]\nslug = "zebras"\ntitle = "Zebras"\nquery = "zebra OR zebras"\n'
    )
    log = (tmp_path / "daemon.log").open("w")  # a file: a full pipe would block the daemon
    proc = subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(config), "run", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "FEEDS_PUBLISH_DELAY": "0.2"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_feed(base, proc, tmp_path / "daemon.log")
        yield base, tmp_path / "articles"
        assert proc.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_for_feed(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if b"Zebra herd" in httpx.get(base + "/zebras.atom").content:
                return  # served, and the first ingest published
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail("the daemon never served its feed")


async def _one(client: httpx.AsyncClient, n: int, etag: str) -> tuple[int, int, bool]:
    method, path, headers, allowed = MIX[n % len(MIX)]
    headers = {k: etag if v == "ETAG" else v for k, v in headers.items()}
    response = await client.request(method, path, headers=headers)
    return n % len(MIX), response.status_code, response.status_code in allowed


async def _load(base: str, articles: Path) -> tuple[Counter[tuple[int, int]], list, bool]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        etag = (await client.get("/zebras.atom")).headers["etag"]
        queue = iter(range(REQUESTS))
        seen: Counter[tuple[int, int]] = Counter()
        wrong: list[tuple[int, int]] = []

        async def worker() -> None:
            for n in queue:
                if n == REQUESTS // 5:  # a change arrives while the load goes on
                    (articles / "zebra-new.txt").write_text(f"# {NEW_TITLE}\n<p>zebra</p>\n")
                kind, status, ok = await _one(client, n, etag)
                seen[(kind, status)] += 1
                if not ok:
                    wrong.append((kind, status))

        watcher = asyncio.create_task(_published(client))
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CONCURRENCY))), DEADLINE)
        published = await asyncio.wait_for(watcher, DEADLINE)
    return seen, wrong, published


async def _published(client: httpx.AsyncClient) -> bool:
    """Poll the feed (as one more client) until the new article is in it."""
    while True:
        if NEW_TITLE in (await client.get("/zebras.atom")).text:
            return True
        await asyncio.sleep(0.2)


def test_ten_thousand_requests_fifty_at_a_time(daemon) -> None:
    base, articles = daemon
    seen, wrong, published = asyncio.run(_load(base, articles))
    assert sum(seen.values()) == REQUESTS
    assert wrong == [], Counter(wrong)
    assert published
    revalidated = sum(n for (kind, status), n in seen.items() if status == 304)
    assert revalidated > 0


def test_idle_and_half_sent_connections_do_not_stall_a_request(daemon) -> None:
    base, _ = daemon
    port = int(base.rsplit(":", 1)[1])
    idle: list[socket.socket] = []
    try:
        for n in range(100):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if n % 2:  # half of them start a request and never finish it
                s.sendall(b"GET /zebras.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            idle.append(s)
        response = httpx.get(base + "/zebras.atom", timeout=DEADLINE)
        assert response.status_code == 200
        assert b"Zebra herd" in response.content
    finally:
        for s in idle:
            s.close()
