"""The SQLite store, on a real file and in memory: upserts, ids, dates, source state."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.errors import StoreError
from feeds.models import Entry, SourceState
from feeds.store.sqlite.store import SCHEMA_VERSION, Store
from feeds.store.values import START
from feeds.topics.selection import select

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def entry(n: int, **kw) -> Entry:
    base = dict(
        id=f"https://example.test/{n}",
        source="wire",
        title=f"Title {n}",
        link=f"https://example.test/{n}",
        summary=f"<p>Summary {n} about Niger</p>",
        content="",
        authors=("A",),
        published=T0 + timedelta(hours=n),
        updated=T0 + timedelta(hours=n),
        language="en",
        categories=("news",),
        hash=f"h{n}",
    )
    base.update(kw)
    return Entry(**base)


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    path = ":memory:" if request.param == "memory" else tmp_path / "data" / "feeds.sqlite3"
    with Store(path) as s:
        yield s


def test_new_unchanged_changed(store):
    first = store.upsert([entry(1), entry(2)], now=T0)
    assert first.new == ("https://example.test/1", "https://example.test/2")
    again = store.upsert([entry(1), entry(2)], now=T0 + timedelta(days=1))
    assert again.new == () and again.changed == () and again.unchanged == 2
    assert store.entry("https://example.test/1") == entry(1)

    later = T0 + timedelta(days=2)
    edited = entry(1, title="Edited", hash="h1b", published=later, updated=T0)
    result = store.upsert([edited], now=later)
    assert result.changed == ("https://example.test/1",)
    stored = store.entry("https://example.test/1")
    assert stored.title == "Edited"
    assert stored.published == entry(1).published  # first seen date is kept
    assert stored.updated == later  # a change without a newer date of its own gets "now"


def test_source_dropping_an_entry_keeps_it(store):
    store.upsert([entry(1), entry(2)], now=T0)
    store.upsert([entry(2)], now=T0)
    assert store.entry("https://example.test/1") is not None


def test_duplicate_ids_in_one_batch_keep_the_first(store):
    result = store.upsert([entry(1), entry(1, title="dup", hash="x")], now=T0)
    assert result.new == ("https://example.test/1",)
    assert store.entry("https://example.test/1").title == "Title 1"


def test_search_uses_fts_with_folding(store):
    store.upsert(
        [entry(1, title="Coup d’État à Niamey", language="fr"), entry(2, summary="<p>x</p>")],
        now=T0,
    )
    assert [e.id for e in store.search(select('"d etat"'), limit=10)] == ["https://example.test/1"]
    assert store.count(select("niger")) == 1  # from the summary of entry 1; entry 2 does not say it
    edited = entry(1, title="Nothing here", summary="<p>calm</p>", hash="new")
    store.upsert([edited], now=T0)
    assert store.count(select('"d etat"')) == 0  # the index follows the edit


def test_search_orders_newest_first_and_limits(store):
    store.upsert([entry(n) for n in range(5)], now=T0)
    got = store.search(select("niger"), limit=3)
    assert [e.id for e in got] == [f"https://example.test/{n}" for n in (4, 3, 2)]


def test_source_state_round_trip_and_reconfigured_url(store):
    state = SourceState(
        name="wire",
        url="https://new.example.test/rss",
        etag='"abc"',
        last_modified="Mon, 02 Nov 2026 10:00:00 GMT",
        body_hash="deadbeef",
        last_attempt=T0,
        last_success=T0,
        status="ok",
        failures=0,
        next_due=T0 + timedelta(minutes=30),
    )
    store.save_source_state(state, configured_url="https://old.example.test/rss")
    got = store.source_state("wire", configured_url="https://old.example.test/rss")
    assert got == state
    fresh = store.source_state("wire", configured_url="https://other.example.test/rss")
    assert fresh == SourceState(name="wire", url="https://other.example.test/rss")
    store.upsert([entry(1)], now=T0)
    assert store.source_states()["wire"] == replace(state, entries=1)


def test_meta_is_set_once(store):
    assert store.meta("id_authority", lambda: "first.test") == "first.test"
    assert store.meta("id_authority", lambda: "second.test") == "first.test"


def test_schema_version_and_reopen(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1)], now=T0)
    with Store(path) as s:
        assert s.entry("https://example.test/1") is not None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this feeds"):
        Store(path)


def test_corrupt_file_is_a_store_error(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(path)


def _search_sorting_everything(store: Store, expression: str, limit: int) -> list[str]:
    rows = store._query(
        "SELECT id FROM entries WHERE rowid IN (SELECT rowid FROM entries_fts WHERE "
        "entries_fts MATCH ?) ORDER BY published DESC, id LIMIT ?",
        (expression, limit),
    )
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    "order",
    [
        "arrival", "reversed", "shuffled", "same date", "same date, ids falling",
        "same date, ids rising", "early scoop", "late backlog", "ties with the newest",
    ],
)  # fmt: skip
def test_search_reads_few_matches_and_answers_as_if_it_sorted_them_all(store, order):
    import random

    numbers = list(range(60))
    if order == "reversed":
        numbers.reverse()
    elif order == "shuffled":
        random.Random(7).shuffle(numbers)
    elif order == "early scoop":  # the newest entry arrived first
        numbers = [59, *range(59)]
    elif order == "late backlog":  # old entries arrive after new ones
        numbers = [*range(30, 60), *range(30)]
    elif order == "same date, ids falling":  # ids compare as text: 9 > 59 > 10 > 1
        numbers.sort(key=lambda n: f"https://example.test/{n}", reverse=True)
    elif order == "same date, ids rising":
        numbers.sort(key=lambda n: f"https://example.test/{n}")
    same = T0 if order.startswith("same date") else None

    def published(n: int) -> datetime:
        if order == "ties with the newest":  # four dates, the newest first to arrive
            return T0 + timedelta(hours=3 - n % 4)
        return same or T0 + timedelta(hours=n)

    batch = [entry(n, published=published(n), summary=f"<p>Niger {n % 3}</p>") for n in numbers]
    for start in range(0, len(batch), 7):  # several upserts, as several feeds would
        store.upsert(batch[start : start + 7], now=T0)
    for query, limit in (("niger", 5), ('"niger 1"', 5), ("niger", 100), ("niger", 0)):
        expected = _search_sorting_everything(store, select(query).text, limit)
        assert [e.id for e in store.search(select(query), limit=limit)] == expected


def _undo_schema_10(db: sqlite3.Connection) -> None:
    """Take a store back to schema 9: no alert tables (#18), schemas 12 and 11 undone first."""
    if db.execute("PRAGMA user_version").fetchone()[0] > 10:
        _undo_schema_11(db)
    for table in ("notify_outbox", "notify_seen", "notify_targets"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 9")


def _undo_schema_12(db: sqlite3.Connection) -> None:
    """Take a store back to schema 11: no entry vectors, no semantic matches."""
    for table in ("entry_vectors", "semantic_matches", "semantic_topics", "embedded"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 11")


def test_a_store_of_schema_11_gets_entry_vectors_and_semantic_matches(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1)], now=T0)
    db = sqlite3.connect(path)
    _undo_schema_12(db)
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.semantic_progress("k") is None and s.vectors("e", after=START, limit=5) == []
        [(position, digest, text)] = s.to_embed("e", after=START, limit=5)
        s.save_vectors("e", [(position, digest, b"v")])
        assert s.vectors("e", after=START, limit=5) == [(position, "https://example.test/1", b"v")]


def _undo_schema_11(db: sqlite3.Connection) -> None:
    """Take a store back to schema 10: no article pages' texts (schema 12 undone first)."""
    if db.execute("PRAGMA user_version").fetchone()[0] > 11:
        _undo_schema_12(db)
    db.execute("DROP TABLE article_texts")
    db.execute("PRAGMA user_version = 10")


def test_a_store_of_schema_10_gets_article_texts(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1)], now=T0)
    db = sqlite3.connect(path)
    _undo_schema_11(db)
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.article_texts("wire", ["https://example.test/1"]) == {}
        assert s.count_entries() == {"wire": 1}


def _undo_schema_9(db: sqlite3.Connection) -> None:
    """Take a store back to schema 8: no article files, no retractions."""
    if db.execute("PRAGMA user_version").fetchone()[0] > 9:
        _undo_schema_10(db)
    db.execute("DROP TABLE article_files")
    db.execute("DROP TABLE retracted_fts")
    db.execute("DROP INDEX entries_retracted")
    db.execute("ALTER TABLE entries DROP COLUMN retracted")
    db.execute("PRAGMA user_version = 8")


def test_a_store_of_schema_8_gets_article_files_and_retractions(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1), entry(2)], now=T0)
    db = sqlite3.connect(path)
    _undo_schema_9(db)
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.count_entries() == {"wire": 2}
        assert s.known_files("src") == [] and s.gone_pages() == []
        assert s.retract(["https://example.test/1"], when=datetime(2026, 11, 26, tzinfo=UTC)) == [
            "https://example.test/1"
        ]
        assert s.count_entries() == {"wire": 1}
        assert [e.id for e in s.search(select("niger"), limit=5)] == ["https://example.test/2"]


def _undo_schema_8(db: sqlite3.Connection) -> None:
    """Take a store back to schema 7: entries indexed by date, no index of the newest."""
    if db.execute("PRAGMA user_version").fetchone()[0] > 8:
        _undo_schema_9(db)
    db.execute("DROP INDEX entries_at_newest")
    db.execute("CREATE INDEX entries_by_published ON entries (published DESC, id)")
    db.execute("PRAGMA user_version = 7")


def _undo_schema_7(db: sqlite3.Connection) -> None:
    """Take a store back to schema 6: no marks on topics, no edit counter (and schema 8
    undone first)."""
    if db.execute("PRAGMA user_version").fetchone()[0] > 7:
        _undo_schema_8(db)
    db.execute("DROP TRIGGER entries_edited")
    db.execute("DROP TRIGGER entries_deleted")
    db.execute("DELETE FROM meta WHERE key = 'edits'")
    for column in ("mark_rowid", "mark_edits", "basis", "pages"):
        db.execute(f"ALTER TABLE topics DROP COLUMN {column}")
    db.execute("PRAGMA user_version = 6")


def test_times_keep_microseconds_and_old_stores_are_migrated(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    fine = T0.replace(microsecond=123456)
    with Store(path) as s:
        s.upsert([entry(1, published=fine, updated=fine)], now=fine)
        assert s.entry("https://example.test/1").published == fine
    db = sqlite3.connect(path)
    # A store of schema 3 kept seconds: the migration rewrites them in the new format.
    db.execute("UPDATE entries SET published = '2026-11-01T12:00:00Z'")
    _undo_schema_7(db)
    db.execute("ALTER TABLE entries DROP COLUMN newest_so_far")  # schema 6
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.entry("https://example.test/1").published == T0
    db = sqlite3.connect(path)
    stored = db.execute("SELECT published FROM entries").fetchone()[0]
    assert stored == "2026-11-01T12:00:00.000000Z"
    db.close()


def test_source_filters_are_exact_and_old_indexes_are_migrated(tmp_path):
    from feeds.topics.selection import select

    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1, source="desk"), entry(2, source="desk-fr")], now=T0)
    db = sqlite3.connect(path)
    # Schema 4 indexed the bare name: source:desk would also match desk-fr.
    db.execute("UPDATE entries_fts SET source = replace(source, ' endofsourcename', '')")
    _undo_schema_7(db)
    db.execute("ALTER TABLE entries DROP COLUMN newest_so_far")  # schema 6
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    with Store(path) as s:
        assert [e.id for e in s.search(select("source:desk"), limit=9)] == [
            "https://example.test/1"
        ]
        assert s.count(select("source:desk*")) == 2


def test_a_tie_on_the_newest_date_is_settled_by_the_index_of_the_newest(store):
    """Sixty entries of one date, arriving in falling id order: the newest five by rowid are
    the answer, and no earlier one of that date has a smaller id. One indexed lookup says
    so; the matches are not all sorted."""
    ids = sorted((f"https://example.test/{n}" for n in range(60)), reverse=True)
    numbers = [int(i.rsplit("/", 1)[1]) for i in ids]
    for start in range(0, 60, 7):
        store.upsert([entry(n, published=T0) for n in numbers[start : start + 7]], now=T0)
    queries: list[str] = []
    query = store._query

    def spy(sql, params=()):
        queries.append(sql)
        return query(sql, params)

    store._query = spy
    assert [e.id for e in store.search(select("niger"), limit=5)] == sorted(ids)[:5]
    assert any("newest_so_far AND" in q for q in queries)
    assert not any("MATCH ?) ORDER BY published" in q for q in queries)  # no sort of all
    tie = next(q for q in queries if "newest_so_far AND" in q)
    plan = " ".join(r[3] for r in store._db.execute(f"EXPLAIN QUERY PLAN {tie}", ("", "", 0)))
    assert "entries_at_newest" in plan


def test_the_index_by_date_gives_way_to_the_index_of_the_newest(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    hours = [3, 1, 7, 7, 2]
    with Store(path) as s:
        for n, h in enumerate(hours):
            s.upsert([entry(n, published=T0 + timedelta(hours=h))], now=T0)
    db = sqlite3.connect(path)
    _undo_schema_8(db)
    db.commit()
    db.close()
    with Store(path):
        pass
    db = sqlite3.connect(path)
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    at_newest = db.execute("SELECT rowid FROM entries INDEXED BY entries_at_newest "
                           "WHERE published = newest_so_far ORDER BY rowid").fetchall()  # fmt: skip
    db.close()
    assert "entries_by_published" not in indexes
    assert [r[0] for r in at_newest] == [1, 3, 4]  # 3 h, 7 h and the other 7 h


def test_each_entry_knows_the_newest_date_before_it_and_old_stores_are_migrated(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    hours = [3, 1, 7, 2, 9, 4]
    with Store(path) as s:
        for n, h in enumerate(hours):
            s.upsert([entry(n, published=T0 + timedelta(hours=h))], now=T0)
    running = [max(hours[: k + 1]) for k in range(len(hours))]

    def newest_so_far() -> list[int]:
        db = sqlite3.connect(path)
        rows = db.execute("SELECT newest_so_far FROM entries ORDER BY rowid").fetchall()
        db.close()
        return [int(r[0][11:13]) - T0.hour for r in rows]

    assert newest_so_far() == running
    db = sqlite3.connect(path)
    _undo_schema_7(db)
    db.execute("ALTER TABLE entries DROP COLUMN newest_so_far")  # as schema 5 had it
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    with Store(path) as s:
        assert [e.id for e in s.search(select("niger"), limit=2)] == [
            "https://example.test/4",
            "https://example.test/2",
        ]
    assert newest_so_far() == running


def test_the_mark_counts_arrivals_and_every_edit_of_a_stored_entry(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        assert (s.mark().rowid, s.mark().edits) == (0, 0)
        s.upsert([entry(1), entry(2)], now=T0)
        assert (s.mark().rowid, s.mark().edits) == (2, 0)
        s.upsert([entry(1), entry(2)], now=T0)  # unchanged: nothing written
        assert s.mark().edits == 0
        s.upsert([replace(entry(1), title="Niger: new title", hash="changed")], now=T0)
        assert (s.mark().rowid, s.mark().edits) == (2, 1)
    db = sqlite3.connect(path)  # any program's edit counts, not only feeds'
    db.execute("UPDATE entries SET title = 'x' WHERE rowid = 2")
    db.execute("DELETE FROM entries WHERE rowid = 2")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.mark().edits == 3


def test_dates_before_the_year_1000_are_stored_with_four_digits_and_read_back(tmp_path):
    from feeds.store.sqlite.store import parse_ts, ts

    old = datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC)
    assert ts(old) == "0999-03-04T05:06:07.000008Z" and parse_ts(ts(old)) == old
    assert ts(old) < ts(T0)
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1, published=old, updated=old), entry(2)], now=T0)
        assert s.entry("https://example.test/1").published == old
    # A store written before schema 7 has "999-…", which sorted last and could not be read.
    db = sqlite3.connect(path)
    _undo_schema_7(db)
    db.execute("UPDATE entries SET published = substr(published, 2), updated = substr(updated, 2)"
               " WHERE rowid = 1")  # fmt: skip
    db.execute("UPDATE entries SET newest_so_far = '999-03-04T05:06:07.000008Z'")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.entry("https://example.test/1").published == old
        assert [e.id for e in s.search(select("niger"), limit=1)] == ["https://example.test/2"]
    db = sqlite3.connect(path)
    rows = db.execute("SELECT published, newest_so_far FROM entries ORDER BY rowid").fetchall()
    db.close()
    assert rows[0] == ("0999-03-04T05:06:07.000008Z", "0999-03-04T05:06:07.000008Z")
    assert rows[1][1] == rows[1][0] == ts(T0 + timedelta(hours=2))


@given(st.lists(st.text(max_size=12) | st.sampled_from(["Staff", 'a"b', "a\\b", "\u2028", "é"])))
def test_authors_and_categories_are_written_as_json_dumps_writes_them(values):
    import json

    from feeds.store.sqlite.store import _json_strings

    assert _json_strings(tuple(values)) == json.dumps(values, ensure_ascii=False)


def test_checkpoints_elsewhere_leaves_them_to_a_thread_and_restores_sqlite_s(tmp_path):
    import os
    import threading
    import time

    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(0)], now=T0)
        size = os.path.getsize(path)
        with s.checkpoints_elsewhere():
            assert s._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            for n in range(1, 400):  # well over 1,000 pages of WAL
                s.upsert([entry(n, summary=f"<p>{'Niger ' * 400}{n}</p>")], now=T0)
            deadline = time.monotonic() + 30  # a bound on waiting, not a timed assertion
            while os.path.getsize(path) == size and time.monotonic() < deadline:
                time.sleep(0.05)
            assert os.path.getsize(path) > size  # the thread copied pages into the file
        assert s._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        assert not [t for t in threading.enumerate() if t.name == "feeds-checkpoint"]
        assert s.count(select("niger")) == 400
    with Store(path) as s:  # all of it there for another connection
        assert s.count(select("niger")) == 400


def test_count_and_matches_after_a_rowid(store):
    store.upsert([entry(n, title=f"Chad {n}" if n % 2 else f"Mali {n}") for n in range(1, 9)],
                 now=T0)  # fmt: skip
    assert store.count(select("chad")) == 4
    assert store.count(select("chad"), after=2) == 3  # 3, 5 and 7
    assert store.count(select("chad"), after=2, upto=6) == 2
    assert store.matches_after(select("chad"), 7) is False
    assert store.matches_after(select("chad"), 6) is True


def test_topic_records_of_schema_6_are_migrated_without_a_mark(tmp_path):
    from feeds.store.sqlite.store import Mark, TopicRecord

    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        s.upsert([entry(1)], now=T0)
        s.save_topic_record(TopicRecord("sahel", "d", T0, 1))
        s.save_topic_state("sahel", "k", 1, mark=s.mark(), basis="b", pages=0)
        assert s.topic_record("sahel").mark == Mark(1, 0)
    db = sqlite3.connect(path)
    _undo_schema_7(db)
    db.commit()
    db.close()
    with Store(path) as s:
        record = s.topic_record("sahel")
        assert (record.state, record.entries, record.mark, record.basis) == ("k", 1, None, None)
        s.upsert([replace(entry(1), hash="changed")], now=T0)
        assert s.mark() == Mark(1, 1)  # the trigger is back


def _segments(path) -> int:
    db = sqlite3.connect(path)
    found = db.execute("SELECT count(DISTINCT segid) FROM entries_fts_idx").fetchone()[0]
    db.close()
    return int(found)


def test_maintenance_is_due_daily_while_entries_arrive_and_keeps_search_answers(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        assert not s.maintenance_due(T0)  # nothing stored yet
        for n in range(40):  # each upsert adds a small index segment
            s.upsert([entry(n)], now=T0)
        before = [e.id for e in s.search(select("niger"), limit=7)]
        assert _segments(path) > 1
        assert s.maintenance_due(T0)
        s.maintain(T0)
        assert _segments(path) == 1  # what every search reads: one segment
        assert [e.id for e in s.search(select("niger"), limit=7)] == before
        assert s.count(select("niger")) == 40
        assert not s.maintenance_due(T0 + timedelta(days=2))  # nothing new since
        s.upsert([entry(99)], now=T0)
        assert not s.maintenance_due(T0 + timedelta(hours=23))
        assert s.maintenance_due(T0 + timedelta(days=1))
