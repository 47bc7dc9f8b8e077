"""The pure parts of #15 items 2-4: feeds.normalize.feedwide (instants, authors),
feeds.normalize.claims (ids)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from feeds.models import Entry, RawItem
from feeds.normalize.claims import ids_to_ask, own_ids, scoped_id
from feeds.normalize.feedwide import STEP, distinct_updated, inherit_authors

T = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def entry(n: int, when: datetime, *, id: str | None = None, source: str = "a") -> Entry:
    return Entry(
        id=id or f"https://x.example/{n}", source=source, title=str(n), link="https://x.example/",
        summary="", content="", authors=(), published=when, updated=when, language="en",
    )  # fmt: skip


instants = st.lists(st.integers(0, 5), max_size=30).map(
    lambda offsets: [T + timedelta(microseconds=o) for o in offsets]
)


@given(instants)
def test_distinct_updated_makes_every_instant_distinct_and_keeps_the_rest(times):
    entries = [entry(n, t) for n, t in enumerate(times)]
    out = distinct_updated(entries)
    assert [e.id for e in out] == [e.id for e in entries]  # same order, same entries
    assert len({e.updated for e in out}) == len(out)
    assert all(e.published <= e.updated for e in out)
    assert max((e.updated for e in out), default=None) == max(times, default=None)
    assert distinct_updated(out) == out  # nothing left to do: the same values


def test_ties_keep_the_documents_order_one_step_apart():
    out = distinct_updated([entry(1, T), entry(2, T), entry(3, T - STEP), entry(4, T)])
    assert [e.updated for e in out] == [T, T - STEP, T - 3 * STEP, T - 2 * STEP]


def test_distinct_instants_are_left_alone():
    entries = [entry(1, T), entry(2, T - timedelta(seconds=1))]
    assert distinct_updated(entries) == entries


def test_inherit_authors():
    assert inherit_authors(RawItem(title="t"), ("Ed",)).authors == ("Ed",)
    assert inherit_authors(RawItem(authors=("Own",)), ("Ed",)).authors == ("Own",)
    assert inherit_authors(RawItem(), (" ",)).authors == ()


def test_own_ids():
    guid = "https://news.example/1"
    mine = scoped_id(guid, "b", "h.example")
    assert mine == "tag:h.example,2024:b/guid:https://news.example/1"
    e = entry(1, T, id=guid, source="b")

    def ids(holders, configured=("a", "b")):
        (out,) = own_ids([e], source="b", authority="h.example", holders=holders,
                         configured=configured)  # fmt: skip
        return out.id

    assert ids({}) == guid  # nobody holds it: the guid
    assert ids({guid: "b"}) == guid  # its own
    assert ids({guid: "a"}) == mine  # another configured source holds it
    assert ids({guid: "old"}) == guid  # a source no longer configured passes it on
    assert ids({mine: "b", guid: "old"}) == mine  # once scoped, for life
    assert ids_to_ask([e], "b", "h.example") == [guid, mine]
    tag = entry(2, T, id="tag:h.example,2024:b/x", source="b")
    assert ids_to_ask([tag], "b", "h.example") == []  # only b has b's tag ids
