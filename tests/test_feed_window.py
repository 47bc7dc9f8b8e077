"""What readers keep (#15 item 14): the current feed holds every entry that arrived within
``feed_window`` of the topic's newest arrival, past ``feed_size`` and whatever the entry's
date, up to ``feed_max`` (logged, and shown by ``feeds status``). A reader polling more often
than the window misses nothing; a republish with nothing new keeps the bytes, however late.

Real SQLite files and public/ folders; arrival times are the ``now`` the store is given.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from atomcheck import NS, assert_valid_atom
from sahel_site import SAHEL, T0, sahel_entry, sahel_site

from feeds.cli.status import document, render_status, topic_rows
from feeds.models import Config, Entry
from feeds.publish.flow import regenerate, topic_entries
from feeds.store.sqlite.store import Store


def entry(n: int, published: datetime | None = None) -> Entry:
    return sahel_entry(n, published or T0 + timedelta(minutes=n))


@pytest.fixture
def site(tmp_path):
    # The default window ("2d"): feed_window is not given.
    yield from sahel_site(tmp_path)


def arrive(config: Config, store: Store, entries: list[Entry], at: datetime) -> None:
    """``entries`` are stored at ``at`` and the topic is published then."""
    store.upsert(entries, now=at)
    regenerate(config, store, now=at)


def shown(config: Config) -> list[str]:
    data = (config.settings.public_dir / "sahel.atom").read_bytes()
    return [
        e.findtext("a:id", namespaces=NS) for e in assert_valid_atom(data).findall("a:entry", NS)
    ]


def test_a_burst_larger_than_feed_size_reaches_readers(site):
    config, store = site
    burst = [entry(n) for n in range(1, 13)]  # twelve at once, feed_size = 5
    arrive(config, store, burst, T0)
    ids = shown(config)
    assert sorted(ids) == sorted(e.id for e in burst)
    public = config.settings.public_dir
    assert [e.id for e in feedparser.parse((public / "sahel.rss").read_bytes()).entries] == ids
    assert [i["id"] for i in json.loads((public / "sahel.json").read_bytes())["items"]] == ids
    assert [e.id for e in topic_entries(config, store, SAHEL)] == ids  # what the daemon checks


def test_an_old_dated_entry_that_arrives_now_reaches_readers(site):
    config, store = site
    arrive(config, store, [entry(n) for n in range(1, 21)], T0)
    late = entry(99, published=datetime(2019, 3, 1, tzinfo=UTC))  # dated years ago
    arrive(config, store, [late], T0 + timedelta(days=3))
    ids = shown(config)
    assert late.id in ids
    # Three days on, the first burst has left the window: the newest five stay.
    assert ids == [entry(n).id for n in range(20, 15, -1)] + [late.id]


def test_a_reader_polling_within_the_window_misses_nothing(site):
    """Arrivals in bursts of every size at random moments, old-dated ones among them; a
    reader that reads the feed every 47 hours (the window is 48) sees every entry."""
    config, store = site
    rng = random.Random(15)
    events: list[tuple[datetime, int]] = []  # (when, how many arrive; 0: the reader polls)
    t = T0
    for _ in range(40):
        t += timedelta(minutes=rng.randrange(10, 30 * 60))
        events.append((t, rng.choice([1, 1, 2, 3, 9, 25])))
    poll = T0 + timedelta(hours=47)
    while poll < t + timedelta(hours=47):
        events.append((poll, 0))
        poll += timedelta(hours=47)
    events.sort(key=lambda e: (e[0], -e[1]))
    stored, seen, n = set(), set(), 0
    for when, count in events:
        if count == 0:
            seen |= set(shown(config))
            continue
        batch = []
        for _ in range(count):
            n += 1
            dated = when - timedelta(days=rng.choice([0, 0, 0, 1, 30, 400]), minutes=n)
            batch.append(entry(n, published=dated))
        arrive(config, store, batch, when)
        stored |= {e.id for e in batch}
    assert n > 100
    assert seen == stored


def test_a_republish_with_nothing_new_keeps_the_bytes_days_later(site):
    config, store = site
    arrive(config, store, [entry(n) for n in range(1, 13)], T0)
    public = config.settings.public_dir
    before = {p: p.read_bytes() for p in public.rglob("*") if p.is_file()}
    reports = regenerate(config, store, now=T0 + timedelta(days=10))  # the window is anchored
    assert not any(r.written or r.changed for r in reports)
    assert {p: p.read_bytes() for p in public.rglob("*") if p.is_file()} == before
    assert len(shown(config)) == 12


def test_a_window_of_zero_keeps_only_feed_size_and_what_no_archive_page_holds(site):
    config, store = site
    config = replace(config, settings=replace(config.settings, feed_window=timedelta(0)))
    arrive(config, store, [entry(n) for n in range(1, 13)], T0)
    # Entries 1-10 are a complete archive page; 11 and 12 only the current feed holds.
    assert shown(config) == [entry(n).id for n in range(12, 7, -1)]


def test_feed_max_caps_a_huge_burst_and_says_so(site, caplog):
    config, store = site
    config = replace(config, settings=replace(config.settings, feed_max=20))
    with caplog.at_level("WARNING", logger="feeds"):
        arrive(config, store, [entry(n) for n in range(1, 41)], T0)
    # The latest arrivals are kept (here also the newest by date).
    assert shown(config) == [entry(n).id for n in range(40, 20, -1)]
    assert "sahel" in caplog.text and "feed_max" in caplog.text
    [row] = topic_rows(config, store)
    assert row.capped
    assert "feed_max" in "\n".join(render_status(config, [], [row]))
    assert document(config, [], [row])["topics"][0]["capped"] is True
    arrive(config, store, [entry(41)], T0 + timedelta(days=3))  # the burst left the window
    [row] = topic_rows(config, store)
    assert not row.capped
