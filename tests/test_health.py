"""Health as a feed: the pure decisions, the status feed, and the saved history."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from atomcheck import assert_valid_atom

from feeds.models import Settings, Source, SourceState
from feeds.publish import health_feed as hl

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SOURCE = Source(name="wire", kind="feed", url="http://example.org/feed", interval=HOUR)
OK = SourceState(name="wire", status="ok", last_success=NOW)
SETTINGS = Settings(
    base_url="http://feeds.example/", public_dir=Path("/p"), data_dir=Path("/d"), title="Site"
)


def failed(n: int, message: str = "HTTP 500") -> SourceState:
    return replace(OK, status="error", failures=n, message=message)


def hourly(count: int, newest: datetime = NOW) -> list[datetime]:
    return [newest - i * HOUR for i in range(count)]


def test_cadence_is_the_median_gap() -> None:
    assert hl.cadence(hourly(2)) is None  # too few to know
    assert hl.cadence(hourly(5)) == HOUR
    dates = [NOW, NOW - HOUR, NOW - 2 * HOUR, NOW - 30 * 24 * HOUR]  # one old outlier
    assert hl.cadence(dates) == HOUR


def test_silence_limit_is_ten_cadences_or_intervals_and_at_least_a_day() -> None:
    assert hl.silence_limit(HOUR, HOUR) == timedelta(days=1)
    assert hl.silence_limit(HOUR, timedelta(days=1)) == timedelta(days=10)
    assert hl.silence_limit(timedelta(days=2), HOUR) == timedelta(days=20)


def test_condition() -> None:
    def cond(state: SourceState, last_new: datetime | None = NOW, usual=HOUR) -> str:
        return hl.condition(state, interval=HOUR, last_new=last_new, usual=usual, now=NOW)

    assert cond(OK) == "ok"
    assert cond(failed(1)) == "ok"  # one failure is a hiccup
    assert cond(failed(2)) == "failing"
    assert cond(replace(OK, status="gone", failures=1)) == "failing"
    assert cond(OK, last_new=NOW - timedelta(hours=23)) == "ok"
    assert cond(OK, last_new=NOW - timedelta(days=2)) == "silent"
    assert cond(OK, last_new=NOW - timedelta(days=200), usual=None) == "ok"  # no cadence known
    assert cond(failed(3), last_new=NOW - timedelta(days=20)) == "failing"  # failing wins


def test_failing_then_recovered_makes_two_events() -> None:
    health = hl.HealthState()
    events = []
    for state in (OK, failed(1), failed(2), failed(3), OK, OK):
        health, event = hl.observe(health, SOURCE, state, new_entries=0, dates=[], now=NOW)
        events.append(event)
    kinds = [e.kind if e else None for e in events]
    assert kinds == [None, None, "failing", None, "recovered", None]
    failing = events[2]
    assert failing is not None
    assert failing.message == "wire started failing (2 failed runs in a row): HTTP 500"
    assert [e.kind for e in health.events] == ["recovered", "failing"]  # newest first


def test_silence_and_its_end() -> None:
    health, _ = hl.observe(hl.HealthState(), SOURCE, OK, new_entries=1, dates=hourly(10), now=NOW)
    later = NOW + timedelta(days=2)
    health, event = hl.observe(health, SOURCE, OK, new_entries=0, dates=hourly(10), now=later)
    assert event is not None and event.kind == "silent"
    assert "since 2024-06-01 12:00Z" in event.message
    again = later + HOUR
    health, event = hl.observe(health, SOURCE, OK, new_entries=0, dates=hourly(10), now=again)
    assert event is None  # said once
    health, event = hl.observe(health, SOURCE, OK, new_entries=2, dates=hourly(10), now=again)
    assert event is not None and event.kind == "recovered"
    assert health.sources["wire"] == hl.SourceHealth("ok", again)


def test_a_source_first_seen_is_not_silent() -> None:
    # The clock starts when the daemon first sees a source, not at its newest entry's date.
    old = hourly(10, newest=NOW - timedelta(days=365))
    health, event = hl.observe(hl.HealthState(), SOURCE, OK, new_entries=0, dates=old, now=NOW)
    assert event is None
    assert health.sources["wire"].last_new == NOW


def test_history_is_bounded_and_forget_keeps_events() -> None:
    health = hl.HealthState()
    for i in range(hl.KEEP_EVENTS + 10):
        state = failed(2) if i % 2 == 0 else OK
        health, _ = hl.observe(health, SOURCE, state, new_entries=0, dates=[], now=NOW)
    assert len(health.events) == hl.KEEP_EVENTS
    forgotten = hl.forget(health, ["wire"])
    assert "wire" not in forgotten.sources
    assert forgotten.events == health.events


def test_status_feed_is_valid_atom_newest_first() -> None:
    events = (
        hl.StatusEvent("wire", "recovered", NOW, "wire recovered: fetches succeed again"),
        hl.StatusEvent("wire", "failing", NOW - HOUR, "wire started failing: <b>HTTP 500</b> & co"),
    )
    data = hl.render_health_feed(events, settings=SETTINGS, sources={"wire": SOURCE})
    assert_valid_atom(data)
    parsed = feedparser.parse(data)
    assert parsed.feed.title == "Site: source health"
    assert parsed.feed.id == "http://feeds.example/_status.atom"
    assert [e.title for e in parsed.entries] == ["wire: recovered", "wire: failing"]
    assert "&lt;b&gt;HTTP 500&lt;/b&gt; &amp; co" in parsed.entries[1].summary
    assert len({e.id for e in parsed.entries}) == 2
    assert_valid_atom(hl.render_health_feed((), settings=SETTINGS, sources={}))


def test_history_round_trips_through_the_json_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / hl.HEALTH_FILE
    assert hl.load_health(path) == hl.HealthState()
    health, _ = hl.observe(hl.HealthState(), SOURCE, failed(2), new_entries=0, dates=[], now=NOW)
    assert hl.save_health(path, health)
    assert not hl.save_health(path, health)  # same bytes: not rewritten
    assert hl.load_health(path) == health


def test_a_damaged_history_file_starts_afresh(tmp_path: Path, caplog) -> None:
    path = tmp_path / hl.HEALTH_FILE
    for junk in (b"{not json", b'{"sources": {"x": {"condition": "weird"}}}', b"[1, 2]"):
        path.write_bytes(junk)
        assert hl.load_health(path) == hl.HealthState()
    assert "starting a fresh history" in caplog.text


def cron_site(root: Path, url: str) -> Path:
    (root / "articles").mkdir()
    (root / "articles" / "okapi.en.txt").write_text("# Okapi seen\n<p>An okapi.</p>\n")
    config = root / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n\n'
        f'[[sources]]\nname = "wire"\nurl = "{url}"\nlanguage = "en"\n\n'
        '[[topics]]\nslug = "okapis"\ntitle = "Okapis"\nquery = "okapi"\n'
    )
    return config


def test_cron_runs_keep_the_health_feed_as_the_daemon_does(tmp_path: Path, loopback) -> None:
    """Two failed runs in a row from cron (an update, then an ingest) make the "started
    failing" entry; the status feed has the stylesheet, and the index links to it."""
    from helpers import feeds
    from loopback import respond

    config = cron_site(tmp_path, loopback.route("/wire.xml", respond(500, b"down")))
    status = tmp_path / "public" / "_status.atom"
    first = feeds(config, "update")
    assert first.returncode == 1, first.stderr
    assert status.exists()
    assert "started failing" not in status.read_text()  # one failure is a hiccup
    second = feeds(config, "ingest")
    assert second.returncode == 1, second.stderr
    assert "status: wire started failing (2 failed runs in a row)" in second.stderr
    data = status.read_bytes()
    assert_valid_atom(data)
    entries = feedparser.parse(data).entries
    assert [e.title for e in entries] == ["wire: failing"]
    assert b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>' in data
    assert (tmp_path / "public" / "feed.xsl").exists()
    saved = hl.load_health(tmp_path / "data" / hl.HEALTH_FILE)
    assert saved.sources["wire"].condition == "failing"
    assert saved.sources["desk"].condition == "ok"
    index = (tmp_path / "public" / "index.html").read_text()
    assert '<a href="status.html">' in index
    page = (tmp_path / "public" / "status.html").read_text()  # written after the ingest too
    assert '<a href="_status.atom" type="application/atom+xml">' in page
    assert '<span class="badge">error</span>' in page
