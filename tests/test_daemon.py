"""`feeds run` as operators run it: a real subprocess, a real HTTP server, real signals.

Every wait polls a condition until a generous deadline; no assertion depends on timing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from loopback import Loopback, feed, slow

DEADLINE = 20.0

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>http://example.org/</link>
<description>wire</description>{items}</channel></rss>"""
ITEM = """<item><guid>http://example.org/{n}</guid><title>{title}</title>
<link>http://example.org/{n}</link><description>{title}, a story about zebras.</description>
<pubDate>Mon, 0{n} Jan 2024 10:00:00 GMT</pubDate></item>"""

TOPIC = """
[[topics]]
slug = "{slug}"
title = "{title}"
query = "{query}"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss(*titles: str) -> bytes:
    items = "".join(ITEM.format(n=i + 1, title=t) for i, t in enumerate(titles))
    return RSS.format(items=items).encode()


def write_config(root: Path, port: int, feed_url: str) -> Path:
    (root / "articles").mkdir()
    (root / "articles" / "zebra-one.en.txt").write_text(
        "# Zebra herd crosses the river\n<p>The zebras crossed at dawn.</p>\n"
    )
    config = root / "feeds.toml"
    config.write_text(
        f"""
[settings]
base_url = "http://127.0.0.1:{port}/"
public_dir = "public"
data_dir = "data"
languages = ["en"]
interval = "1s"

[[sources]]
name = "desk"
kind = "articles"
path = "articles"
language = "en"

[[sources]]
name = "wire"
url = "{feed_url}"
language = "en"
"""
        + TOPIC.format(slug="zebras", title="Zebras", query="zebra OR zebras")
    )
    return config


def start(config: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "FEEDS_PUBLISH_DELAY": "0.2"}
    return subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(config), "run", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(what: str, check: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"feeds run exited ({proc.returncode}) while waiting for {what}:\n{err}")
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


@pytest.fixture
def daemon(tmp_path: Path, loopback: Loopback) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    loopback.route("/wire.xml", feed(rss("Zebra census begins")))
    port = free_port()
    config = write_config(tmp_path, port, loopback.url("/wire.xml"))
    proc = start(config, port)
    try:
        yield config, f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_run_schedules_publishes_serves_reloads_and_stops(daemon, loopback: Loopback) -> None:
    config, base, proc = daemon
    client = httpx.Client(base_url=base, timeout=5)

    def topic_has(*titles: str) -> Callable[[], bool]:
        def check() -> bool:
            r = client.get("/zebras.atom")
            return r.status_code == 200 and all(t in r.text for t in titles)

        return check

    wait_for("the first entries", topic_has("Zebra herd crosses", "Zebra census"), proc)
    first = client.get("/zebras.atom")
    assert first.headers["content-type"].startswith("application/atom+xml")
    assert (
        client.get("/zebras.atom", headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )

    # A new article file and a new item at the source both reach the served feed.
    (config.parent / "articles" / "zebra-two.en.txt").write_text(
        "# Zebra foal born at the reserve\n<p>A zebra foal.</p>\n"
    )
    loopback.route("/wire.xml", feed(rss("Zebra census begins", "Zebra census ends")))
    wait_for("the new entries", topic_has("Zebra foal born", "Zebra census ends"), proc)

    health = client.get("/healthz")
    assert health.status_code == 200, health.text
    metrics = client.get("/metrics").text
    assert 'feeds_fetches_total{outcome="ok",source="wire"}' in metrics
    assert "feeds_publish_duration_seconds_count" in metrics
    assert 'feeds_feed_size_bytes{topic="zebras"}' in metrics
    assert client.get("/_status.atom").status_code == 200

    # A second daemon on the same data folder refuses to start, naming the first.
    second = subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(config), "run", "--port", str(free_port())],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert second.returncode != 0
    assert f"another feeds process (pid {proc.pid})" in second.stderr

    # SIGHUP: a topic added to the config is published without a restart.
    with config.open("a") as f:
        f.write(TOPIC.format(slug="foals", title="Foals", query="foal"))
    proc.send_signal(signal.SIGHUP)
    wait_for("the new topic", lambda: "Zebra foal born" in client.get("/foals.atom").text, proc)

    # A broken config is refused; the daemon keeps running on the old one.
    text = config.read_text()
    config.write_text(text + "\n[[sources]]\nname = 'broken'\nkind = 'nonsense'\n")
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert proc.poll() is None
    assert client.get("/foals.atom").status_code == 200

    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "reload refused" in err
    leftovers = [p for p in config.parent.rglob("*") if ".tmp-" in p.name]
    assert leftovers == []


def test_sigint_stops_cleanly(daemon) -> None:
    config, base, proc = daemon
    wait_for("the server", lambda: httpx.get(base + "/healthz").status_code == 200, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in err


def test_sigterm_during_a_hung_fetch_still_exits_0_within_10_seconds(
    tmp_path: Path, loopback: Loopback
) -> None:
    url = loopback.route("/wire.xml", slow(60, feed(rss("Zebra census begins"))))
    port = free_port()
    proc = start(write_config(tmp_path, port, url), port)
    try:
        wait_for("the fetch to hang", lambda: bool(loopback.requests_to("/wire.xml")), proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "source wire: run interrupted by shutdown" in err
    assert [p for p in tmp_path.rglob("*") if ".tmp-" in p.name] == []


def test_reload_adds_removes_and_reschedules_jobs_and_refuses_bad_configs(
    tmp_path: Path, loopback: Loopback
) -> None:
    import asyncio

    from feeds.config import load_config
    from feeds.daemon import Daemon
    from feeds.fetch import Fetcher
    from feeds.pipeline import fetch_settings
    from feeds.store import Store

    url = loopback.route("/wire.xml", feed(rss("Zebra census begins")))
    path = write_config(tmp_path, free_port(), url)
    config = load_config(path)

    def jobs(daemon: Daemon) -> dict[str, float]:
        found = {j.id: j.trigger.interval.total_seconds() for j in daemon.scheduler.get_jobs()}
        assert found.pop("maintenance") == 3600.0  # checks hourly whether it is due
        return found

    async def scenario() -> None:
        with Store(tmp_path / "data" / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                daemon = Daemon(path, config, store, fetcher, 0.1)
                running = asyncio.create_task(daemon.run(None))
                while not daemon.scheduler.running:
                    await asyncio.sleep(0.01)
                assert jobs(daemon) == {"source:desk": 1.0, "source:wire": 1.0}
                text = path.read_text()
                path.write_text(
                    text.replace('name = "wire"', 'name = "wire"\ninterval = "1h"').replace(
                        'name = "desk"', 'name = "desk"\nenabled = false'
                    )
                    + f'\n[[sources]]\nname = "more"\nurl = "{url}"\ninterval = "2m"\n'
                )
                daemon.reload()
                assert jobs(daemon) == {"source:wire": 3600.0, "source:more": 120.0}
                path.write_text(text.replace("[settings]", "[settings]\nbogus = 1"))
                daemon.reload()  # refused: the jobs stay
                assert jobs(daemon) == {"source:wire": 3600.0, "source:more": 120.0}
                path.write_text(text.replace('public_dir = "public"', 'public_dir = "elsewhere"'))
                daemon.reload()  # refused: public_dir cannot move while running
                assert daemon.config.settings.public_dir == tmp_path / "public"
                daemon.stop("test")
                assert await running == 0

    asyncio.run(scenario())


def test_maintenance_job_merges_the_index_in_a_thread_when_due(
    tmp_path: Path, loopback: Loopback
) -> None:
    import asyncio
    from datetime import UTC, datetime

    from feeds.config import load_config
    from feeds.daemon import Daemon
    from feeds.fetch import Fetcher
    from feeds.pipeline import fetch_settings, ingest
    from feeds.store import Store

    url = loopback.route("/wire.xml", feed(rss("Zebra census begins", "Okapi sighted")))
    path = write_config(tmp_path, free_port(), url)
    config = load_config(path)

    async def scenario() -> None:
        with Store(tmp_path / "data" / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                await ingest(config, store, fetcher=fetcher)
                daemon = Daemon(path, config, store, fetcher, 0.1)
                found = [e.id for e in store.search("zebra OR okapi", limit=9)]
                assert len(found) >= 2 and store.maintenance_due(datetime.now(UTC))
                await daemon.maintain()
                assert not store.maintenance_due(datetime.now(UTC))
                assert [e.id for e in store.search("zebra OR okapi", limit=9)] == found

    asyncio.run(scenario())
