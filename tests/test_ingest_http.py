"""Ingest from real loopback HTTP servers: what is sent, what is stored, what is skipped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from loopback import feed, redirect, respond, retry_after, sequence

from feeds.config.loader import parse_config
from feeds.ingest.flow import ingest
from feeds.models import Config
from feeds.store.sqlite.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def rss(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.test/{i}</link>"
        f"<guid>https://news.test/{i}</guid><description>About {t}</description></item>"
        for i, t in enumerate(titles)
    )
    return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def make_config(tmp_path: Path, **urls: str) -> Config:
    data = {
        "settings": {"base_url": "http://127.0.0.1:8080/", "data_dir": str(tmp_path)},
        "sources": [{"name": name, "url": url} for name, url in urls.items()],
        "topics": [],
    }
    return parse_config(data, path=tmp_path / "feeds.toml")


def run(config: Config, store: Store, now: datetime = NOW, force: bool = False):
    reports = asyncio.run(ingest(config, store, now=now, force=force))
    return {r.source: r for r in reports}


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "feeds.sqlite3") as s:
        yield s


def test_validators_are_stored_and_sent_and_304_writes_no_entries(loopback, tmp_path, store):
    url = loopback.route(
        "/f", feed(rss("a", "b"), etag='"v1"', last_modified="Mon, 23 Nov 2026 10:00:00 GMT")
    )  # noqa: E501
    config = make_config(tmp_path, wire=url)
    assert run(config, store)["wire"].new == 2
    state = store.source_state("wire", configured_url=url)
    assert (state.etag, state.last_modified) == ('"v1"', "Mon, 23 Nov 2026 10:00:00 GMT")

    second = run(config, store, NOW + timedelta(hours=1))["wire"]
    assert (second.ok, second.new, second.changed, second.unchanged) == (True, 0, 0, 0)
    sent = loopback.requests_to("/f")[-1]
    assert sent.header("If-None-Match") == '"v1"'
    assert sent.header("If-Modified-Since") == "Mon, 23 Nov 2026 10:00:00 GMT"
    assert sent.header("User-Agent").startswith("feeds/")
    assert store.source_state("wire", configured_url=url).last_success == NOW + timedelta(hours=1)


def test_same_body_without_validators_is_not_parsed_again(loopback, tmp_path, store):
    url = loopback.route("/f", feed(rss("a")))
    config = make_config(tmp_path, wire=url)
    run(config, store)
    again = run(config, store, NOW + timedelta(hours=1))["wire"]
    assert again.unchanged == 0 and again.new == 0  # unchanged body: not even compared


def test_permanent_redirect_updates_the_stored_url(loopback, tmp_path, store):
    new = loopback.route("/new", feed(rss("a")))
    old = loopback.route("/old", redirect("/new", 301))
    config = make_config(tmp_path, wire=old)
    assert run(config, store)["wire"].ok
    assert store.source_state("wire", configured_url=old).url == new
    run(config, store, NOW + timedelta(hours=1))
    assert len(loopback.requests_to("/old")) == 1  # the second fetch went straight to /new
    assert len(loopback.requests_to("/new")) == 2


def test_temporary_redirect_keeps_the_url(loopback, tmp_path, store):
    loopback.route("/new", feed(rss("a")))
    old = loopback.route("/old", redirect("/new", 302))
    config = make_config(tmp_path, wire=old)
    run(config, store)
    assert store.source_state("wire", configured_url=old).url == old


def test_gone_disables_until_forced(loopback, tmp_path, store):
    url = loopback.route("/f", respond(410, b"gone"))
    config = make_config(tmp_path, wire=url)
    report = run(config, store)["wire"]
    assert not report.ok
    state = store.source_state("wire", configured_url=url)
    assert state.status == "gone" and "410" in (state.message or "")
    skipped = run(config, store, NOW + timedelta(days=1))["wire"]
    assert skipped.ok and "410 Gone" in (skipped.message or "")
    assert len(loopback.requests_to("/f")) == 1
    run(config, store, NOW + timedelta(days=1), force=True)
    assert len(loopback.requests_to("/f")) == 2


def test_retry_after_is_honoured_unless_forced(loopback, tmp_path, store):
    url = loopback.route("/f", sequence(retry_after("3600"), feed(rss("a"))))
    config = make_config(tmp_path, wire=url)
    assert not run(config, store)["wire"].ok
    state = store.source_state("wire", configured_url=url)
    assert state.retry_after == NOW + timedelta(seconds=3600)
    assert state.next_due is not None and state.next_due >= NOW + timedelta(seconds=3600)
    assert "wait" in run(config, store, NOW + timedelta(minutes=5))["wire"].message
    assert len(loopback.requests_to("/f")) == 1
    assert run(config, store, NOW + timedelta(minutes=5), force=True)["wire"].new == 1


def test_a_failing_source_never_stops_the_others(loopback, tmp_path, store):
    good = loopback.route("/good", feed(rss("a", "b", "c")))
    bad = loopback.route("/bad", respond(500, b"oops"))
    missing = loopback.route("/missing", respond(404))
    config = make_config(tmp_path, good=good, bad=bad, missing=missing)
    reports = run(config, store)
    assert reports["good"].new == 3
    assert not reports["bad"].ok and "500" in reports["bad"].message
    assert not reports["missing"].ok and "404" in reports["missing"].message
    states = store.source_states()
    assert states["bad"].failures == 1 and states["bad"].status == "error"
    run(config, store, NOW + timedelta(hours=1))
    assert store.source_states()["bad"].failures == 2
    assert store.source_states()["good"].failures == 0


def test_sources_finishing_together_share_commits(loopback, tmp_path, store, monkeypatch):
    """Twelve sources that answer at once are stored in fewer transactions than sources
    (feeds.ingest.batching); each source's entries and state are all there. One source alone is
    not held back for others."""
    import feeds.ingest.flow as pipeline

    batches: list[pipeline.WriteBatch] = []

    class Recorded(pipeline.WriteBatch):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            batches.append(self)

    monkeypatch.setattr(pipeline, "WriteBatch", Recorded)

    def body(n: int) -> bytes:  # ids of its own
        return rss(f"story {n}", "other").replace(b"news.test/", f"news.test/{n}/".encode())

    urls = {f"s{n}": loopback.route(f"/s{n}", feed(body(n))) for n in range(12)}
    reports = run(make_config(tmp_path, **urls), store)
    assert all(r.ok and r.new == 2 for r in reports.values())
    assert len(batches) == 1 and 1 <= batches[0].commits < 12
    states = store.source_states()
    assert all(states[name].status == "ok" and states[name].last_success == NOW for name in urls)
    one = {"s0": urls["s0"]}
    run(make_config(tmp_path, **one), store, NOW + timedelta(hours=1), force=True)
    assert len(batches) == 1  # a single source is written at once
