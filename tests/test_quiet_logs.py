"""The daemon's log says what changed (#22): an unchanged fetch at DEBUG, a failing source
once when it starts failing (not at every retry), once more when it recovers. Real loopback
servers, a real store; the daemon's runs are ``ingest(..., steady=True)``."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loopback import Loopback, feed, respond, sequence

from feeds.config.loader import parse_config
from feeds.ingest.flow import ingest
from feeds.models import Config
from feeds.store.sqlite.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RSS = (
    b'<rss version="2.0"><channel><title>T</title><item><title>Zebras</title>'
    b"<link>https://news.test/1</link><guid>https://news.test/1</guid>"
    b"<description>About zebras</description></item></channel></rss>"
)


def make_config(tmp_path: Path, **urls: str) -> Config:
    data = {
        "settings": {"base_url": "http://127.0.0.1:8080/", "data_dir": str(tmp_path)},
        "sources": [{"name": name, "url": url} for name, url in urls.items()],
        "topics": [],
    }
    return parse_config(data, path=tmp_path / "feeds.toml")


def lines(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def test_a_daemon_logs_what_changed_and_a_failure_when_it_starts_and_ends(
    loopback: Loopback, tmp_path: Path, caplog
) -> None:
    wire = loopback.route("/wire.xml", feed(RSS, etag='"v1"'))
    down = respond(500, b"broken")
    flaky = loopback.route("/flaky.xml", sequence(down, down, down, feed(RSS, etag='"f"')))
    config = make_config(tmp_path, wire=wire, flaky=flaky)
    caplog.set_level(logging.DEBUG, logger="feeds")
    with Store(tmp_path / "feeds.sqlite3") as store:
        for run in range(4):
            caplog.clear()
            now = NOW + timedelta(days=run)  # past any backoff
            asyncio.run(ingest(config, store, now=now, steady=True))
            info, errors = lines(caplog, logging.INFO), lines(caplog, logging.ERROR)
            debug = lines(caplog, logging.DEBUG)
            if run == 0:  # the first fetch: news
                assert any(m.startswith("source wire: 1 new") for m in info)
                assert [m for m in errors if m.startswith("source flaky:")] != []
            else:  # unchanged: DEBUG only
                assert not any(m.startswith("source wire:") for m in info + errors)
                assert any(m.startswith("source wire: 0 new, 0 changed") for m in debug)
            if run in (1, 2):  # failing again alike: no error line, a debug one
                assert not any(m.startswith("source flaky:") for m in errors)
                assert any(m.startswith("source flaky: HTTP 500") for m in debug)
            if run == 3:
                assert "source flaky: recovered after 3 failed runs" in info


def test_a_one_shot_run_still_says_every_source_and_every_failure(
    loopback: Loopback, tmp_path: Path, caplog
) -> None:
    wire = loopback.route("/wire.xml", feed(RSS, etag='"v1"'))
    broken = loopback.route("/broken.xml", respond(500, b"broken"))
    config = make_config(tmp_path, wire=wire, broken=broken)
    caplog.set_level(logging.INFO, logger="feeds")
    with Store(tmp_path / "feeds.sqlite3") as store:
        for run in range(2):
            caplog.clear()
            asyncio.run(ingest(config, store, now=NOW + timedelta(days=run)))
            assert any(m.startswith("source wire:") for m in lines(caplog, logging.INFO))
            assert any(m.startswith("source broken:") for m in lines(caplog, logging.ERROR))
