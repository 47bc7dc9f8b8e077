"""The alert tables (feeds.store.protocols.NotifyStorage): the SQLite store, the PostgreSQL
store (a real server, tests/pgserver.py) and the fake held to the same assertions; and a
SQLite store of schema 9 migrated to 10."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from fakestore import FakeStore

from feeds.decide.notify import AlertEntry, Delivery, TargetState
from feeds.store.sqlite.store import Store

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def alert(n: int) -> AlertEntry:
    return AlertEntry(f"id{n}", f"Title {n}", f"https://example.test/{n}", T0, "wire", "text")


@pytest.fixture(params=["sqlite", "postgresql", "fake"])
def store(request, tmp_path):
    if request.param == "fake":
        yield FakeStore()
        return
    if request.param == "postgresql":
        from feeds.store.postgres.store import PostgresStore

        with PostgresStore(request.getfixturevalue("pg_url")) as s:
            yield s
        return
    with Store(tmp_path / "feeds.sqlite3") as s:
        yield s


def test_a_target_is_added_once_with_its_first_delivery(store):
    first = Delivery("w1", "t", "k", "watching", T0, T0, watching=7)
    store.notify_add_target(TargetState("t", "k", 42, T0), first)
    store.notify_add_target(TargetState("t", "k", 99, T0), Delivery("w2", "t", "k", "watching",
                                                                     T0, T0))  # fmt: skip
    state = store.notify_target("t", "k")
    assert (state.baseline, state.failures, state.since) == (42, 0, T0)
    assert [(d.id, d.kind, d.watching) for d in store.notify_pending("t", "k")] == [
        ("w1", "watching", 7)
    ]
    assert store.notify_target("t", "other") is None


def test_collected_entries_are_seen_and_join_the_open_delivery_until_it_is_frozen(store):
    store.notify_add_target(TargetState("t", "k", 0, T0), None)
    later = T0 + timedelta(hours=1)
    store.notify_collect("t", "k", [alert(1)], ["copy1"], new_id="d1", now=T0, due=later)
    store.notify_collect("t", "k", [alert(2), alert(1)], [], new_id="d2", now=T0, due=later)
    (open_,) = store.notify_pending("t", "k")
    assert open_.id == "d1" and [e.id for e in open_.entries] == ["id1", "id2"]
    assert open_.due == later and not open_.frozen
    assert store.notify_seen("t", "k", ["id1", "id2", "copy1", "id3"]) == {"id1", "id2", "copy1"}
    assert store.notify_seen("t", "other", ["id1"]) == set()
    store.notify_freeze("d1")
    store.notify_collect("t", "k", [alert(3)], [], new_id="d3", now=later, due=later)
    assert [(d.id, d.frozen, len(d.entries)) for d in store.notify_pending("t", "k")] == [
        ("d1", True, 2), ("d3", False, 1),
    ]  # fmt: skip


def test_a_failure_counts_against_the_target_and_a_success_clears_it(store):
    store.notify_add_target(TargetState("t", "k", 0, T0), Delivery("d1", "t", "k", "watching",
                                                                    T0, T0))  # fmt: skip
    retry = T0 + timedelta(minutes=1)
    store.notify_failed("d1", "HTTP 500", now=T0, next_try=retry)
    store.notify_failed("d1", "connection refused", now=T0, next_try=retry)
    state = store.notify_target("t", "k")
    assert (state.failures, state.next_try, state.last_error) == (2, retry, "connection refused")
    (pending,) = store.notify_pending("t", "k")
    assert pending.frozen and pending.attempts == 2
    store.notify_sent("d1", now=retry)
    state = store.notify_target("t", "k")
    assert (state.failures, state.next_try, state.last_error) == (0, None, None)
    assert state.last_success == retry and store.notify_pending("t", "k") == []


def test_a_store_of_schema_9_gets_the_alert_tables(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    semantic = ("entry_vectors", "semantic_matches", "semantic_topics", "embedded")
    for table in (*semantic, "article_texts", "notify_outbox", "notify_seen", "notify_targets"):
        db.execute(f"DROP TABLE {table}")  # schemas 12, 11 and 10
    db.execute("PRAGMA user_version = 9")
    db.commit()
    db.close()
    with Store(path) as s:
        s.notify_add_target(TargetState("t", "k", 1, T0), None)
        assert s.notify_target("t", "k") is not None
