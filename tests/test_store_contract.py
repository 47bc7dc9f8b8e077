"""The store's contract (feeds.store.protocols): the same assertions hold for the SQLite
store (in memory and on a file), the PostgreSQL store (a real server, tests/pgserver.py)
and the fake the flow tests use (tests/fakestore.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from fakestore import FakeStore
from test_store import T0, entry

from feeds.decide.fulltext import ArticleText
from feeds.errors import StoreError
from feeds.models import SourceState
from feeds.store import open_store
from feeds.store.protocols import SemanticStorage, semantic_store
from feeds.store.sqlite.store import Store
from feeds.store.values import START, Mark, TopicRecord
from feeds.topics.selection import select


@pytest.fixture(params=["sqlite-memory", "sqlite-file", "postgresql", "fake"])
def store(request, tmp_path):
    if request.param == "fake":
        yield FakeStore()
        return
    if request.param == "postgresql":
        from feeds.store.postgres.store import PostgresStore

        with PostgresStore(request.getfixturevalue("pg_url")) as s:
            yield s
        return
    path = ":memory:" if request.param == "sqlite-memory" else tmp_path / "feeds.sqlite3"
    with Store(path) as s:
        yield s


def test_upsert_tells_new_changed_and_unchanged_and_the_first_guid_wins(store) -> None:
    first = store.upsert([entry(1), entry(2), replace(entry(1), title="Repeat")], now=T0)
    assert (first.new, first.changed, first.unchanged) == (
        ("https://example.test/1", "https://example.test/2"),
        (),
        0,
    )
    assert store.entry("https://example.test/1").title == "Title 1"
    again = store.upsert([entry(1), replace(entry(2), hash="other", title="New")], now=T0)
    assert (again.new, again.changed, again.unchanged) == ((), ("https://example.test/2",), 1)
    assert store.entry_count() == 2
    assert store.count_entries() == {"wire": 2}


def test_a_changed_entry_keeps_its_published_and_gets_a_later_updated(store) -> None:
    store.upsert([entry(1)], now=T0)
    later = T0 + timedelta(days=3)
    moved = replace(entry(1), hash="x", published=T0 + timedelta(days=9), updated=T0)
    store.upsert([moved], now=later)
    got = store.entry("https://example.test/1")
    assert got.published == entry(1).published
    assert got.updated == later


def test_search_newest_first_and_after_a_position_in_arrival_order(store) -> None:
    store.upsert([entry(3, title="Chad 3"), entry(1, title="Chad 1")], now=T0)
    store.upsert([entry(2, title="Mali 2"), entry(5, title="Chad 5")], now=T0)
    assert [e.title for e in store.search(select("chad"), limit=2)] == ["Chad 5", "Chad 3"]
    matches = store.search_after_rows(select("chad"), after=START, limit=10)
    assert [m.entry().title for m in matches] == ["Chad 3", "Chad 1", "Chad 5"]
    positions = [m.position for m in matches]
    assert positions == sorted(positions)
    later = store.search_after(select("chad"), after=positions[0], limit=10)
    assert [e.title for _, e in later] == ["Chad 1", "Chad 5"]
    assert [m.id for m in store.search_from(select("chad"), start=positions[1], limit=10)] == [
        m.id for m in matches[1:]
    ]
    assert store.count(select("chad")) == 3
    assert store.count(select("chad"), after=positions[0], upto=positions[1]) == 1
    assert store.matches_after(select("chad"), positions[1]) is True
    assert store.matches_after(select("chad"), positions[2]) is False
    assert [p for p, _ in store.arrivals(select("chad"), limit=2)] == [positions[2], positions[1]]


def test_matches_compare_equal_while_their_entry_is_unchanged(store) -> None:
    store.upsert([entry(1, title="Chad 1")], now=T0)
    before = store.search_rows(select("chad"), limit=5)
    assert store.search_rows(select("chad"), limit=5) == before
    store.upsert([entry(1, title="Chad 1", hash="changed")], now=T0)
    assert store.search_rows(select("chad"), limit=5) != before


def test_the_mark_moves_with_arrivals_and_edits(store) -> None:
    assert store.mark() == Mark(START, 0)
    store.upsert([entry(1), entry(2)], now=T0)
    arrived = store.mark()
    assert arrived.rowid > START and arrived.edits == 0
    store.upsert([replace(entry(1), hash="x")], now=T0)
    assert store.mark() == Mark(arrived.rowid, 1)


def test_source_state_round_trips_and_a_new_url_starts_afresh(store) -> None:
    state = SourceState(name="wire", url="https://x.test/", etag='"e"', status="ok",
                        failures=2, next_due=T0)  # fmt: skip
    store.save_source_state(state, configured_url="https://x.test/")
    assert store.source_state("wire", configured_url="https://x.test/") == state
    assert store.source_state("wire", configured_url="https://y.test/").etag is None
    store.upsert([entry(1)], now=T0)
    assert store.source_states()["wire"].entries == 1


def test_article_texts_round_trip_by_source_and_id(store) -> None:
    done = ArticleText("wire", "urn:1", "h1", "<p>Body</p>", None, False, 1, T0, '"e"', None)
    failed = ArticleText("wire", "urn:2", "h2", "", "robots.txt disallows it", True, 1, T0)
    other = replace(done, source="desk", content="<p>Other</p>")
    store.save_article_texts([done, failed, other])
    assert store.article_texts("wire", ["urn:1", "urn:2", "urn:3"]) == {
        "urn:1": done,
        "urn:2": failed,
    }
    again = replace(done, feed_hash="h3", tries=2)
    store.save_article_texts([again])
    assert store.article_texts("wire", ["urn:1"]) == {"urn:1": again}
    assert store.article_texts("desk", ["urn:1"]) == {"urn:1": other}


def test_the_publish_ledger(store) -> None:
    store.upsert([entry(1)], now=T0)
    store.save_topic_record(TopicRecord("sahel", "d", T0, 1))
    mark = store.mark()
    store.save_topic_state("sahel", "k", 1, mark=mark, basis="b", pages=2)
    record = store.topic_record("sahel")
    assert (record.state, record.mark, record.basis, record.pages) == ("k", mark, "b", 2)
    assert store.topic_slugs() == ["sahel"]
    store.freeze_archive_page("sahel", "s", 0, mark.rowid)
    store.freeze_archive_page("sahel", "s", 0, START)  # frozen: never rewritten
    assert store.archive_pages("sahel", "s") == [mark.rowid]
    store.ping_failed("hub", "url", "down")
    store.ping_failed("hub", "url", "down")
    assert store.pending_pings() == [("hub", "url", 2)]
    store.ping_done("hub", "url")
    assert store.pending_pings() == []
    store.forget_topic("sahel")
    assert store.topic_record("sahel") is None


def test_upkeep_is_due_once_entries_arrived_and_a_day_went_by(store) -> None:
    assert store.maintenance_due(T0) is False
    store.upsert([entry(1)], now=T0)
    assert store.maintenance_due(T0) is True
    store.maintain(T0)
    store.upsert([entry(2)], now=T0)
    assert store.maintenance_due(T0 + timedelta(hours=1)) is False
    assert store.maintenance_due(T0 + timedelta(days=1)) is True


def _semantic(store):
    """The store, if it holds topics by meaning (#21); the PostgreSQL store does not yet."""
    if not isinstance(store, SemanticStorage):
        pytest.skip("this store does not hold entry vectors yet (topics by meaning, #21)")
    return store


def test_a_store_without_entry_vectors_refuses_a_selection_with_about(store) -> None:
    """Never searched as if it had no ``about``: a clear error instead."""
    from feeds.topics.about import About

    if isinstance(store, SemanticStorage):
        pytest.skip("this store holds topics by meaning")
    about = About(("security in the Sahel",), 0.3)
    with pytest.raises(StoreError, match="need the SQLite store"):
        store.search(select("niger", about=about), limit=5)
    with pytest.raises(StoreError, match="need the SQLite store"):
        semantic_store(store)


def test_entry_vectors_are_kept_per_encoder_until_the_entry_changes(store) -> None:
    store = _semantic(store)
    store.upsert([entry(1), entry(2)], now=T0)
    rows = store.to_embed("e", after=START, limit=10)
    assert [text.split("\n")[0] for _, _, text in rows] == ["Title 1", "Title 2"]
    assert store.to_embed("e", after=rows[0][0], limit=10) == rows[1:]
    store.save_vectors("e", [(p, h, b"v%d" % p) for p, h, _ in rows])
    assert store.to_embed("e", after=START, limit=10) == [] != store.to_embed("f", after=START,
                                                                              limit=1)  # fmt: skip
    assert [i for _, i, _ in store.vectors("e", after=START, limit=9)] == [
        "https://example.test/1", "https://example.test/2",
    ]  # fmt: skip
    store.upsert([replace(entry(2), hash="other")], now=T0)
    assert [p for p, _, _ in store.to_embed("e", after=START, limit=10)] == [rows[1][0]]
    assert list(store.vectors_of("e", ["https://example.test/1", "https://example.test/2"])) == [
        "https://example.test/1"
    ]
    assert store.embedded_mark("e") is None
    store.save_embedded_mark("e", store.mark())
    assert store.embedded_mark("e") == store.mark()


def test_a_selection_with_about_selects_among_the_topic_s_matches(store) -> None:
    from feeds.topics.about import About

    store = _semantic(store)
    store.upsert([entry(1, title="Chad 1"), entry(2, title="Mali 2"), entry(3, title="Chad 3")],
                 now=T0)  # fmt: skip
    by_id = {m.id: m.position for m in store.search_after_rows(select("niger"), after=START,
                                                               limit=9)}  # fmt: skip
    p1, p2, p3 = (by_id[f"https://example.test/{n}"] for n in (1, 2, 3))
    about = About(("soldiers",), 0.3)
    edits = store.mark().edits
    store.save_semantic(about.key, "e", [(p1, True), (p2, True), (p3, False)], upto=p3)
    assert store.mark().edits > edits
    alone, chad = select("", None, (), about), select("chad", None, (), about)
    assert [e.title for e in store.search(alone, limit=9)] == ["Mali 2", "Chad 1"]
    assert [e.title for e in store.search(chad, limit=9)] == ["Chad 1"]
    assert store.count(alone) == 2 and store.count(chad, after=p1) == 0
    assert store.matches_after(alone, p1) and not store.matches_after(chad, p1)
    assert [p for p, _ in store.arrivals(alone, limit=9)] == [p2, p1]
    assert store.semantic_progress(about.key) == ("e", p3)
    edits = store.mark().edits
    store.save_semantic(about.key, "e", [(p1, True)])  # no change: no edit
    assert store.mark().edits == edits
    store.save_semantic(about.key, "e", [(p2, False)])
    assert [e.title for e in store.search(alone, limit=9)] == ["Chad 1"]
    store.forget_semantic(about.key)
    assert store.count(alone) == 0 and store.semantic_progress(about.key) is None


def test_open_store_opens_the_data_folder_s_store(tmp_path) -> None:
    from feeds.models import Settings

    settings = Settings("https://x.test/", tmp_path / "public", tmp_path / "data")
    with open_store(settings) as s:
        s.upsert([entry(1)], now=T0)
    with Store(tmp_path / "data" / "feeds.sqlite3") as s:
        assert s.entry_count() == 1
