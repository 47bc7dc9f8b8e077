"""`feeds run` as operators run it: a real subprocess, a real HTTP server, real signals.

Every wait polls a condition until a generous deadline; no assertion depends on timing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from loopback import Loopback, feed, slow

from feeds.topics.selection import select

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

    from feeds.config.loader import load_config
    from feeds.ingest.flow import fetch_settings
    from feeds.run.daemon import Daemon
    from feeds.sources.http import Fetcher
    from feeds.store.sqlite.store import Store

    url = loopback.route("/wire.xml", feed(rss("Zebra census begins")))
    path = write_config(tmp_path, free_port(), url)
    config = load_config(path)

    def jobs(daemon: Daemon) -> dict[str, float]:
        found = {j.id: j.trigger.interval.total_seconds() for j in daemon.scheduler.get_jobs()}
        assert found == {"maintenance": 3600.0}  # checks hourly whether it is due
        return {f"source:{name}": s for name, s in daemon.schedule.timers.intervals().items()}

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

    from feeds.config.loader import load_config
    from feeds.ingest.flow import fetch_settings, ingest
    from feeds.run.daemon import Daemon
    from feeds.sources.http import Fetcher
    from feeds.store.sqlite.store import Store

    url = loopback.route("/wire.xml", feed(rss("Zebra census begins", "Okapi sighted")))
    path = write_config(tmp_path, free_port(), url)
    config = load_config(path)

    async def scenario() -> None:
        with Store(tmp_path / "data" / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                await ingest(config, store, fetcher=fetcher)
                daemon = Daemon(path, config, store, fetcher, 0.1)
                found = [e.id for e in store.search(select("zebra OR okapi"), limit=9)]
                assert len(found) >= 2 and store.maintenance_due(datetime.now(UTC))
                await daemon.maintain()
                assert not store.maintenance_due(datetime.now(UTC))
                assert [e.id for e in store.search(select("zebra OR okapi"), limit=9)] == found

    asyncio.run(scenario())


# -- the first start (issue 15, item 6) ------------------------------------------------------


def held(release: threading.Event, then) -> Callable[..., None]:
    """A behaviour that answers only once the test sets ``release`` (the server stopping
    also ends it)."""

    def behaviour(exchange) -> None:
        while not release.is_set():
            if not exchange.wait(0.05):
                return
        then(exchange)

    return behaviour


def test_a_new_store_serves_503_until_the_first_round_is_published(
    tmp_path: Path, loopback: Loopback
) -> None:
    release = threading.Event()
    url = loopback.route("/wire.xml", held(release, feed(rss("Zebra census begins"))))
    port = free_port()
    proc = start(write_config(tmp_path, port, url), port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for("the remote source's fetch", lambda: bool(loopback.requests_to("/wire.xml")), proc)
        wait_for("the server", lambda: httpx.get(base + "/healthz").status_code == 200, proc)
        # The local source has run; the remote one hangs: nothing is published yet.
        for path in ("/zebras.atom", "/_status.atom", "/feeds.opml"):
            early = httpx.get(base + path)
            assert early.status_code == 503, (path, early.text)
            assert int(early.headers["retry-after"]) >= 1
            assert early.headers["cache-control"] == "no-store"
        page = httpx.get(base + "/", headers={"Accept": "text/html"})
        assert page.status_code == 503 and '<meta http-equiv="refresh"' in page.text
        assert "starting" in httpx.get(base + "/healthz").text
        release.set()
        first: list[httpx.Response] = []

        def published() -> bool:
            r = httpx.get(base + "/zebras.atom")
            first.append(r)
            return r.status_code != 503

        wait_for("the first publish", published, proc)
        # The first feed anyone gets holds the first round: the local and the remote entry.
        assert first[-1].status_code == 200
        assert "Zebra herd crosses" in first[-1].text and "Zebra census begins" in first[-1].text
        assert httpx.get(base + "/").status_code == 200
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "2 sources, 1 topic," in err  # not "1 topics"
    assert "the first publish waits for the first round of 2 sources" in err
    assert "the first round is done; first publish" in err


def test_the_first_publish_waits_for_a_hanging_source_no_longer_than_its_bound(
    tmp_path: Path, loopback: Loopback, caplog
) -> None:
    import asyncio

    from feeds.config.loader import load_config
    from feeds.ingest.flow import fetch_settings
    from feeds.run.daemon import Daemon
    from feeds.sources.http import Fetcher
    from feeds.store.sqlite.store import Store

    release = threading.Event()
    url = loopback.route("/wire.xml", held(release, feed(rss("Zebra census begins"))))
    path = write_config(tmp_path, free_port(), url)
    config = load_config(path)
    atom = tmp_path / "public" / "zebras.atom"

    async def scenario() -> None:
        with Store(tmp_path / "data" / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                daemon = Daemon(path, config, store, fetcher, 0.1, first_wait=0.5)
                running = asyncio.create_task(daemon.run(None))
                while not daemon.scheduler.running:
                    await asyncio.sleep(0.01)
                assert daemon.publisher.wait() is not None and not atom.exists()
                while daemon.publisher.first is not None:
                    await asyncio.sleep(0.05)
                assert daemon.publisher.wait() is None
                assert "Zebra herd crosses" in atom.read_text()  # the local source's entry
                assert not release.is_set() and loopback.requests_to("/wire.xml")
                release.set()
                daemon.stop("test")
                assert await running == 0

    with caplog.at_level("INFO", logger="feeds"):
        asyncio.run(scenario())
    assert "first publish without waiting longer for wire (still running)" in caplog.text


def test_a_restart_on_a_store_with_entries_publishes_at_once(tmp_path: Path) -> None:
    import asyncio

    from feeds.config.loader import load_config
    from feeds.ingest.flow import fetch_settings, ingest
    from feeds.run.daemon import Daemon
    from feeds.sources.http import Fetcher
    from feeds.store.sqlite.store import Store

    path = write_config(tmp_path, free_port(), "http://127.0.0.1:9/wire.xml")
    config = load_config(path)
    atom = tmp_path / "public" / "zebras.atom"

    async def scenario() -> None:
        with Store(tmp_path / "data" / "feeds.sqlite3") as store:
            async with Fetcher(fetch_settings(config)) as fetcher:
                await ingest(config, store, fetcher=fetcher, names=["desk"])
                daemon = Daemon(path, config, store, fetcher, 0.1, first_wait=60)
                running = asyncio.create_task(daemon.run(None))
                while not daemon.scheduler.running:
                    await asyncio.sleep(0.01)
                assert daemon.publisher.wait() is None  # readers never see a restart
                assert "Zebra herd crosses" in atom.read_text()
                daemon.stop("test")
                assert await running == 0

    asyncio.run(scenario())


# -- the port readers are sent to (item 13), and the admin port (item 18) -------------------


def test_run_warns_when_base_url_sends_readers_to_another_port(tmp_path: Path) -> None:
    from feeds.run.listen import port_elsewhere

    assert port_elsewhere("http://127.0.0.1:8080/", "127.0.0.1", 8080) is None
    assert port_elsewhere("https://feeds.example.org/", "127.0.0.1", 8080) is None  # a proxy
    assert port_elsewhere("http://localhost:8080/", "127.0.0.1", 9000) is not None
    assert port_elsewhere("http://127.0.0.1/", "0.0.0.0", 8080) is not None  # port 80
    assert port_elsewhere("http://10.1.2.3:8080/", "127.0.0.1", 9000) is None  # another host

    named, served = free_port(), free_port()
    config = write_config(tmp_path, named, "http://127.0.0.1:9/wire.xml")
    proc = start(config, served)
    try:
        base = f"http://127.0.0.1:{served}"
        wait_for("the server", lambda: httpx.get(base + "/healthz").status_code == 200, proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (
        f"WARNING daemon: base_url http://127.0.0.1:{named}/ points readers at port {named}, "
        f"but this daemon serves port {served}"
    ) in err


def test_no_serve_with_an_admin_port_serves_only_healthz_and_metrics(tmp_path: Path) -> None:
    public, admin = free_port(), free_port()
    config = write_config(tmp_path, public, "http://127.0.0.1:9/wire.xml")
    env = {**os.environ, "FEEDS_PUBLISH_DELAY": "0.2"}
    args = ["run", "--no-serve", "--port", str(public), "--admin-port", str(admin)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(config), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{admin}"
    try:
        wait_for("the admin port", lambda: httpx.get(base + "/healthz").status_code == 200, proc)
        wait_for("the first publish", (tmp_path / "public" / "zebras.atom").exists, proc)
        metrics = httpx.get(base + "/metrics")
        assert metrics.status_code == 200
        assert "feeds_last_publish_timestamp_seconds" in metrics.text
        assert httpx.get(base + "/zebras.atom").status_code == 404  # files: the static server's
        assert httpx.get(base + "/").status_code == 404
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{public}/healthz")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert f"not serving, /healthz and /metrics on http://127.0.0.1:{admin}/" in err


def test_first_round_is_complete_once_every_source_has_had_its_chance() -> None:
    from feeds.decide.firstround import FirstRound

    first = FirstRound.start(["desk", "wire"], now=100.0, bound=60.0)
    assert not first.complete and first.deadline == 160.0
    assert first.retry_after(100.0) == 60 and first.retry_after(159.5) == 1
    assert first.retry_after(500.0) == 1  # late: still "soon", never 0 or negative
    first = first.ran("desk").ran("elsewhere")
    assert first.waiting == {"wire"} and not first.complete
    assert first.ran("wire").complete
