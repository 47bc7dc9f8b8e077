"""Several `feeds run` nodes on one PostgreSQL store (issue 17): real processes, a real
server (tests/pgserver.py) and a loopback feed server that logs every request.

Each source is fetched once per due period whichever node's timer fires; every node serves
the same bytes; a node killed with SIGKILL mid-fetch loses its lease when it expires and
its source is fetched by another node; the leader moves to a node still alive. Every wait
polls a condition until a generous deadline; no assertion depends on timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from loopback import Loopback, feed, sequence, slow
from test_daemon import RSS, free_port

from feeds.store.postgres.store import PostgresStore

DEADLINE = 40.0
SOURCES = 5


def rss(title: str) -> bytes:
    """A feed of one item, its guid its own (``title``)."""
    slug = title.lower().replace(" ", "-")
    item = (f"<item><guid>http://example.org/{slug}</guid><title>{title}</title>"
            f"<link>http://example.org/{slug}</link><description>{title}.</description>"
            "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>")  # fmt: skip
    return RSS.format(items=item).encode()


def write_config(root: Path, store: str, loopback: Loopback) -> Path:
    sources = "".join(
        f'\n[[sources]]\nname = "s{n}"\nurl = "{loopback.url(f"/s{n}.xml")}"\nlanguage = "en"\n'
        for n in range(SOURCES)
    )
    config = root / "feeds.toml"
    config.write_text(
        f"""
[settings]
store = "{store}"
base_url = "http://feeds.example/"
languages = ["en"]
interval = "120s"
{sources}
[[sources]]
name = "hang"
url = "{loopback.url("/hang.xml")}"
language = "en"

[[topics]]
slug = "zebras"
title = "Zebras"
query = "zebra*"
"""
    )
    return config


class Nodes:
    """The running nodes of one test, by name; killed at the end."""

    def __init__(self, root: Path, config: Path) -> None:
        self.root, self.config = root, config
        self.procs: dict[str, subprocess.Popen[str]] = {}
        self.ports: dict[str, int] = {}
        self.logs: dict[str, str] = {}

    def start(self, name: str) -> None:
        env = {
            **os.environ, "FEEDS_NODE": name, "FEEDS_DATA_DIR": str(self.root / name / "data"),
            "FEEDS_PUBLIC_DIR": str(self.public(name)), "FEEDS_PUBLISH_DELAY": "0.2",
            "FEEDS_HEARTBEAT": "0.3", "FEEDS_LEASE_SECONDS": "3",
        }  # fmt: skip
        self.ports[name] = free_port()
        args = ["--config", str(self.config), "run", "--port", str(self.ports[name])]
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "feeds", *args], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip

    def public(self, name: str) -> Path:
        return self.root / name / "public"

    def feed(self, name: str) -> bytes:
        path = self.public(name) / "zebras.atom"
        return path.read_bytes() if path.exists() else b""

    def wait(self, what: str, check: Callable[[], bool]) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            for name, proc in self.procs.items():
                if proc.poll() is not None and proc.returncode != -signal.SIGKILL:
                    _, err = proc.communicate()
                    pytest.fail(
                        f"node {name} exited ({proc.returncode}) waiting for {what}:\n{err}"
                    )
            if check():
                return
            time.sleep(0.1)
        self.stop()
        logs = "\n".join(f"--- node {n}:\n{err}" for n, err in self.logs.items())
        pytest.fail(f"gave up waiting for {what}\n{logs}")

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait()

    def stop(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is None:
                proc.kill()
            if name not in self.logs:
                self.logs[name] = proc.communicate()[1]


@pytest.fixture
def nodes(tmp_path: Path, pg_url: str, loopback: Loopback) -> Iterator[tuple[Nodes, str]]:
    for n in range(SOURCES):
        loopback.route(f"/s{n}.xml", feed(rss(f"Zebra story {n}")))
    running = Nodes(tmp_path, write_config(tmp_path, pg_url, loopback))
    try:
        yield running, pg_url
    finally:
        running.stop()


def _status(nodes: Nodes) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(nodes.config), "status", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return dict(json.loads(result.stdout))


def _leader(url: str) -> str | None:
    with PostgresStore(url) as store:
        alive = [n for n in store.nodes() if n.leader]
    return alive[0].name if alive else None


def _names(url: str) -> set[str]:
    with PostgresStore(url) as store:
        return {n.name for n in store.nodes()}


def _fetched(loopback: Loopback) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in loopback.requests:
        counts[r.path] = counts.get(r.path, 0) + 1
    return counts


def test_two_nodes_fetch_each_source_once_and_serve_the_same_bytes(nodes, loopback) -> None:
    running, url = nodes
    loopback.route("/hang.xml", feed(rss("Zebra hangs on")))
    running.start("a")
    running.start("b")
    every = [f"/s{n}.xml" for n in range(SOURCES)] + ["/hang.xml"]
    titles = [f"Zebra story {n}".encode() for n in range(SOURCES)] + [b"Zebra hangs on"]
    running.wait("every source fetched", lambda: set(every) <= set(_fetched(loopback)))
    for name in ("a", "b"):
        running.wait(
            f"node {name}'s feed", lambda n=name: all(t in running.feed(n) for t in titles)
        )
    # Both have published every entry: the same bytes (the later one within a heartbeat).
    running.wait("the same bytes", lambda: running.feed("a") == running.feed("b"))
    assert _fetched(loopback) == dict.fromkeys(every, 1)
    with PostgresStore(url) as store:
        assert store.entry_count() == SOURCES + 1  # nothing stored twice
    running.wait("a leader", lambda: _leader(url) is not None)
    shown = _status(running)["nodes"]
    assert isinstance(shown, list)
    assert sorted(n["name"] for n in shown) == ["a", "b"]
    assert sum(1 for n in shown if n["leader"]) == 1
    metrics = {n: httpx.get(f"http://127.0.0.1:{running.ports[n]}/metrics").text for n in "ab"}
    assert sorted(m.count("feeds_leader 1.0") for m in metrics.values()) == [0, 1]
    assert all("feeds_lease_claims_total{outcome=" in m for m in metrics.values())
    assert any('feeds_lease_claims_total{outcome="claimed"}' in m for m in metrics.values())
    assert all("feeds_leases_held " in m for m in metrics.values())


def test_a_killed_node_s_source_continues_elsewhere_and_the_leader_moves(nodes, loopback) -> None:
    running, url = nodes
    loopback.route("/hang.xml", sequence(slow(60, feed(b"")), feed(rss("Zebra hangs on"))))
    running.start("a")
    running.wait("a to lead and fetch", lambda: _leader(url) == "a" and bool(
        loopback.requests_to("/hang.xml")))  # fmt: skip
    running.start("b")
    running.wait("b's heartbeat", lambda: "b" in _names(url))
    running.kill("a")
    running.wait("b to lead", lambda: _leader(url) == "b")
    running.wait("the source continued on b", lambda: b"Zebra hangs on" in running.feed("b"))
    fetched = _fetched(loopback)
    assert fetched["/hang.xml"] == 2  # a's, which never finished, then b's
    assert all(fetched[f"/s{n}.xml"] == 1 for n in range(SOURCES))
