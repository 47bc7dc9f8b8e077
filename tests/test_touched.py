"""Store.touched: which topics some entries touch, asked only within their rowids (#22).
A real SQLite store and real topic expressions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from test_store import entry

from feeds.store.sqlite.store import Store
from feeds.store.sqlite.touched import ranges
from feeds.topics.selection import Selection, select

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def expressions() -> dict[str, Selection]:
    return {
        "niger": select("niger", "", ()),
        "zebras": select("zebra OR zebras", "", ()),
        "floods": select("flood", "", ()),
    }


def test_only_the_topics_the_entries_match_and_not_older_matches() -> None:
    with Store(":memory:") as store:
        old = [entry(n, summary="<p>A flood in the delta</p>") for n in range(50)]
        store.upsert(old, now=T0)
        new = [
            entry(100, summary="<p>Niger votes</p>"),
            entry(101, summary="<p>Zebras cross</p>"),
        ]
        store.upsert(new, now=T0 + timedelta(hours=1))
        # 'floods' matches fifty stored entries, none of those asked about
        assert store.touched(expressions(), [e.id for e in new]) == {"niger", "zebras"}
        assert store.touched(expressions(), [new[1].id, "no-such-id"]) == {"zebras"}
        assert store.touched(expressions(), [old[7].id]) == {"floods"}
        assert store.touched(expressions(), []) == set()


def test_a_retracted_entry_touches_the_topics_it_matched() -> None:
    with Store(":memory:") as store:
        store.upsert([entry(1, summary="<p>Zebras cross</p>")], now=T0)
        store.retract([entry(1).id], when=datetime(2024, 1, 2, tzinfo=UTC))
        assert store.touched(expressions(), [entry(1).id]) == {"zebras"}


def test_rowids_become_few_ranges_closest_first() -> None:
    assert ranges([5, 1, 2, 3, 9]) == [(1, 3), (5, 5), (9, 9)]
    assert ranges([1, 2, 10, 11, 13, 40], most=2) == [(1, 13), (40, 40)]
    assert ranges([], most=3) == []
