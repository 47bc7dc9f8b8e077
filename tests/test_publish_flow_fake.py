"""Publish decisions on the fake store (tests/fakestore.py): what a current feed keeps, and
when a topic's record still vouches for its state, with no SQLite and no monkeypatching."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fakestore import FakeStore

from feeds.models import Entry, Settings
from feeds.publish.current import current_stories, kept
from feeds.publish.key import Basis, TopicState, known_state
from feeds.store.values import TopicRecord
from feeds.topics.selection import select

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def entry(n: int, title: str) -> Entry:
    return Entry(
        id=f"https://example.test/{n}", source="wire", title=title,
        link=f"https://example.test/{n}", summary="", content="", authors=(),
        published=T0 - timedelta(days=30 - n), updated=T0 - timedelta(days=30 - n),
        language="en", categories=(), hash=f"h{n}",
    )  # fmt: skip


def settings(tmp_path, **kw) -> Settings:
    return Settings("https://x.test/", tmp_path / "public", tmp_path / "data", **kw)


def test_a_current_feed_keeps_what_arrived_within_its_window_whatever_its_date(tmp_path):
    store = FakeStore()
    store.upsert([entry(1, "Chad old")], now=T0 - timedelta(days=5))
    store.upsert([entry(2, "Chad late"), entry(3, "Mali")], now=T0)
    s = settings(tmp_path, feed_size=1, feed_window=timedelta(days=2), dedupe=False)
    keep = kept(s, store, select("chad"), upto=None)
    assert [m.id for m in keep.rows] == ["https://example.test/2"]
    rows = store.search_rows(select("chad"), limit=1)
    stories, capped = current_stories(s, store, rows, keep)
    assert [st.entry.title for st in stories] == ["Chad late"]
    assert capped is False


def test_a_record_vouches_for_the_state_until_a_match_arrives_or_an_entry_changes():
    store = FakeStore()
    store.upsert([entry(1, "Chad 1")], now=T0)
    mark = store.mark()
    store.save_topic_record(TopicRecord("sahel", "d", T0, 1))
    store.save_topic_state("sahel", "key", 1, mark=mark, basis="b", pages=0)
    basis = Basis("b", None, [])
    record = store.topic_record("sahel")
    assert known_state(store, select("chad"), basis, record, store.mark()) == TopicState(
        "key", None, 0, 0, "b"
    )
    store.upsert([entry(2, "Mali 2")], now=T0)  # arrived, but no match
    assert known_state(store, select("chad"), basis, record, store.mark()) is not None
    store.upsert([entry(3, "Chad 3")], now=T0)
    assert known_state(store, select("chad"), basis, record, store.mark()) is None
    edited = FakeStore()
    edited.upsert([entry(1, "Chad 1")], now=T0)
    edited.upsert([replace(entry(1, "Chad 1"), hash="changed")], now=T0)
    assert known_state(edited, select("chad"), basis, record, edited.mark()) is None
