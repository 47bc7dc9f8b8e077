"""feeds.dedupe: one story once, and never two stories merged because they share a word."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from feeds.dedupe import canonical_link, fold, group
from feeds.models import Entry

T0 = datetime(2024, 7, 27, 6, 0, tzinfo=UTC)

COUP = (
    "Soldiers in Niger announced on national television that they had removed President "
    "Mohamed Bazoum from power, closed the borders and suspended the institutions."
)
FLOODS = (
    "Weeks of heavy rain in Niger have flooded parts of Niamey and Zinder, destroying homes "
    "and forcing thousands of families to shelter in schools."
)


def make(n: int, title: str, text: str, *, source: str = "wire", link: str = "") -> Entry:
    return Entry(
        id=f"https://{source}.example/{n}",
        source=source,
        title=title,
        link=link or f"https://{source}.example/{n}",
        summary=f"<p>{text}</p>",
        content="",
        authors=(),
        published=T0 + timedelta(hours=n),
        updated=T0 + timedelta(hours=n),
        language="en",
    )


def test_near_identical_copies_from_two_sources_are_one_story():
    original = make(1, "Niger: coup ousts President Bazoum", COUP, source="wire")
    copy = make(2, "Niger : coup ousts president Bazoum", COUP.replace("television", "TV"),
                source="desk")  # fmt: skip
    stories = group([copy, original])
    assert len(stories) == 1
    assert stories[0].entry == original  # the earliest published represents the story
    assert stories[0].others == (copy,)


def test_different_stories_sharing_a_headline_word_stay_apart():
    coup = make(1, "Niger: coup ousts President Bazoum", COUP)
    floods = make(2, "Niger: floods displace thousands", FLOODS)
    short_a = make(3, "Niger: coup", "")
    short_b = make(4, "Niger: floods", "")
    stories = group([short_b, short_a, floods, coup])
    assert [s.entry for s in stories] == [short_b, short_a, floods, coup]
    assert all(not s.others for s in stories)


def test_same_canonical_link_is_one_story():
    a = make(1, "One title", COUP, link="https://www.news.example/a/?x=1#top")
    b = make(2, "Another title entirely", FLOODS, source="desk", link="http://news.example/a?x=1")
    stories = group([b, a])
    assert len(stories) == 1 and stories[0].entry == a


def test_order_is_kept_and_ids_are_unique():
    entries = [make(n, f"Story {n}", f"text {n} " * 20) for n in range(5, 0, -1)]
    stories = group(entries + entries[:2])
    assert [s.entry for s in stories] == entries


def test_helpers():
    assert canonical_link("https://WWW.Example.org/a/") == "//example.org/a"
    assert canonical_link("not a link") == ""
    assert fold("Coup d’État à Niamey") == ["coup", "d", "etat", "a", "niamey"]


@given(st.lists(st.text(max_size=60), max_size=8))
def test_every_entry_is_in_exactly_one_story(texts):
    entries = [make(i, t, t) for i, t in enumerate(texts)]
    stories = group(entries)
    seen = [s.entry.id for s in stories] + [o.id for s in stories for o in s.others]
    assert sorted(seen) == sorted(e.id for e in entries)
    assert group([replace(e) for e in entries]) == stories
