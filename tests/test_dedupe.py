"""feeds.normalize.grouping: one story once, and never two stories merged because they share a
word."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.models import Entry
from feeds.normalize.grouping import (
    _similar,
    canonical_link,
    group,
    shingles,
    story_link,
    story_words,
)

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
    assert story_words("Coup d’État à Niamey") == ["coup", "d", "etat", "a", "niamey"]


@given(st.lists(st.text(max_size=60), max_size=8))
def test_every_entry_is_in_exactly_one_story(texts):
    entries = [make(i, t, t) for i, t in enumerate(texts)]
    stories = group(entries)
    seen = [s.entry.id for s in stories] + [o.id for s in stories for o in s.others]
    assert sorted(seen) == sorted(e.id for e in entries)
    assert group([replace(e) for e in entries]) == stories


def _brute_force(entries: list[Entry]) -> set[frozenset[str]]:
    """Stories by comparing every pair: the groups the prefix filter must find exactly
    (entries of distinct sources whose texts have no number or name: any similar pair or
    shared link joins)."""
    assert len({e.source for e in entries}) == len(entries)
    sets = {e.id: shingles(e) for e in entries}
    parent = {e.id: e.id for e in entries}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for a in entries:
        for b in entries:
            link = story_link(a) and story_link(a) == story_link(b)
            if link or _similar(sets[a.id], sets[b.id]):
                parent[find(a.id)] = find(b.id)
    found: dict[str, set[str]] = {}
    for e in entries:
        found.setdefault(find(e.id), set()).add(e.id)
    return {frozenset(g) for g in found.values()}


WORDS = "niger coup army vote flood rain city the of a".split()


@st.composite
def _near_copies(draw: st.DrawFn) -> list[str]:
    """Texts of 0–40 words, many of them an earlier text with a few words changed."""
    texts: list[list[str]] = []
    for _ in range(draw(st.integers(0, 12))):
        if texts and draw(st.booleans()):
            words = list(draw(st.sampled_from(texts)))
            for _ in range(draw(st.integers(0, 4))):
                if words:
                    words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(WORDS))
        else:
            words = draw(st.lists(st.sampled_from(WORDS), max_size=40))
        texts.append(words)
    return [" ".join(t) for t in texts]


@given(_near_copies(), st.data())
def test_groups_are_those_of_comparing_every_pair(texts, data):
    # Few words, and copies with a few words changed: similarities on both sides of the
    # threshold, exact copies and short texts.
    entries = [make(i, "", t, source=f"s{i}") for i, t in enumerate(texts)]
    for i in range(1, len(entries)):
        if data.draw(st.booleans()):  # some copies share the link of an earlier one
            entries[i] = replace(entries[i], link=entries[data.draw(st.integers(0, i - 1))].link)
    stories = group(entries)
    assert {frozenset([s.entry.id, *(o.id for o in s.others)]) for s in stories} == (
        _brute_force(entries)
    )


def test_texts_given_by_the_caller_are_used_instead_of_the_entry_html():
    a, b = make(1, "", COUP), make(2, "", FLOODS, source="other")
    assert len(group([a, b])) == 2
    # The caller's texts (the store's search index) say they are the same story.
    assert len(group([a, b], {a.id: COUP, b.id: COUP})) == 1


@st.composite
def _shingle_sets(draw: st.DrawFn) -> list[frozenset[int]]:
    """Sets of 8-30 shingles from a small universe, many of them an earlier set with a few
    shingles swapped, added or taken out: pairs on both sides of THRESHOLD, with their
    common shingles shared by other sets as well (so that the prefix filter needs the whole
    of each prefix)."""
    sets: list[frozenset[int]] = []
    for _ in range(draw(st.integers(2, 14))):
        if sets and draw(st.booleans()):
            base = set(draw(st.sampled_from(sets)))
            for _ in range(draw(st.integers(0, 8))):
                change = draw(st.sampled_from(["swap", "add", "drop"]))
                if change != "add":
                    base.discard(draw(st.sampled_from(sorted(base))))
                if change != "drop":
                    base.add(draw(st.integers(0, 60)))
            found = frozenset(base)
        else:
            found = frozenset(draw(st.lists(st.integers(0, 60), min_size=8, max_size=30)))
        if len(found) >= 8:
            sets.append(found)
    return sets


def _stories_of_sets(sets: list[frozenset[int]]) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """(group() of entries with these shingle sets, the groups of comparing every pair)."""
    import feeds.normalize.grouping as dedupe

    links = [f"https://x.example/{i}" for i in range(len(sets))]
    entries = [make(i, "", "", source=f"s{i}", link=link) for i, link in enumerate(links)]
    by_id = dict(zip((e.id for e in entries), sets, strict=True))
    real = dedupe.shingles
    dedupe.shingles = lambda entry, text=None: by_id[entry.id]  # type: ignore[assignment]
    try:
        stories = group(entries)
    finally:
        dedupe.shingles = real
    parent = list(range(len(entries)))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, sa in enumerate(sets):
        for b, sb in enumerate(sets):
            if _similar(sa, sb):
                parent[find(a)] = find(b)
    expected: dict[int, set[str]] = {}
    for i, e in enumerate(entries):
        expected.setdefault(find(i), set()).add(e.id)
    found = {frozenset([s.entry.id, *(o.id for o in s.others)]) for s in stories}
    return found, {frozenset(g) for g in expected.values()}


@settings(max_examples=600, deadline=None)
@given(_shingle_sets())
def test_the_prefix_filter_finds_every_similar_pair(sets):
    """Grouping given shingle sets (links never match) equals comparing every pair."""
    found, expected = _stories_of_sets(sets)
    assert found == expected


def test_a_pair_found_only_by_the_last_shingle_of_a_prefix():
    """b = a + 8 rarer shingles: Jaccard exactly 0.6, and b's prefix (9 shingles: its 8
    rarer ones first) shares only its last shingle with a's."""
    a = frozenset(range(12))
    b = a | frozenset(range(100, 108))
    # Each of b's extra shingles in one other set (2 sets in all); each of a's in three.
    noise = [frozenset({100 + k, 200 + k, *range(300 + 10 * k, 307 + 10 * k)}) for k in range(8)]
    noise += [frozenset({*range(12), *range(400 + 20 * k, 420 + 20 * k)}) for k in range(2)]
    found, expected = _stories_of_sets([a, b, *noise])
    assert found == expected
    assert frozenset({"https://s0.example/0", "https://s1.example/1"}) in found


@settings(max_examples=2000)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x2FF))
    | st.text()
    | st.text(
        alphabet="aZ9_ -.,'\n\t\u00e9\u00e0\u00c7\u0153\u00df\u2019\u00ab\u00bb\u2026"
        "\u0301\u0327\u034f\u00b2\u0416\u4e2d\ufb01\u00a0"
    )
)
def test_fold_finds_the_words_of_the_regular_expression(text):
    """story_words's fast paths (ASCII words split from bytes; accents and non-word characters
    replaced) find the words the regular expression finds once combining marks are gone."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    assert story_words(text) == re.findall(r"\w+", plain)


_LINKS = st.one_of(
    st.tuples(
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:/", "//", ""]),
        st.sampled_from(["a.example", "WWW.A.example", "www.b", "wwwx.c", "h:80", "h:", "[::1]",
                         "é.fr", "", "u@h", "h h"]),
        st.sampled_from(["", "/", "/a", "/a/", "/a//", "/A/b.html", "/a;p", "/%41", "/a b",
                         "/é", "/~x/(1)*", "///"]),
        st.sampled_from(["", "?", "?q=1", "?a=1&b=2", "?a?b", "?é", "?a b"]),
        st.sampled_from(["", "#", "#f", "#a#b", "#é"]),
        st.sampled_from(["", " ", "\n", "\t"]),
    ).map(lambda t: t[5] + "".join(t[:5]) + t[5]),
    st.text(max_size=40),
)  # fmt: skip


@settings(max_examples=3000)
@given(_LINKS)
def test_canonical_links_of_plain_links_are_those_urllib_gives(link):
    from feeds.normalize.grouping import _canonical_link_by_urllib

    try:
        expected = _canonical_link_by_urllib(link)
    except ValueError:  # urllib refuses it (a broken IPv6 host): so does canonical_link
        with pytest.raises(ValueError):
            canonical_link(link)
        return
    assert canonical_link(link) == expected


# --- #15 item 5: one source's templated reports, and copies that change a number or name ----

REPORT = (
    "An attack on a military post in {place} on Sunday killed {n} soldiers, the army said "
    "in a statement, adding that reinforcements had been sent and that the area was being "
    "searched."
)


def report(n: int, place: str, dead: int, *, source: str = "wire", link: str = "") -> Entry:
    text = REPORT.format(place=place, n=dead)
    return make(n, f"Attack in {place} kills {dead}", text, source=source, link=link)


def ids(stories: list) -> set[frozenset[str]]:
    return {frozenset([s.entry.id, *(o.id for o in s.others)]) for s in stories}


def test_templated_reports_of_one_source_are_distinct_stories():
    # One source, its own link for each: never one story, however alike the texts
    # (before #15 item 5, all of these were folded into one entry).
    entries = [
        report(1, "Ménaka", 12),
        report(2, "Gao", 7),
        report(3, "Gao", 9),
        report(4, "Gao", 9),  # the same words as 3: a second report, the next day
        make(5, "Daily bulletin", "Calm in Gao today.", link="https://wire.example/b/5"),
        make(6, "Daily bulletin", "Calm in Gao today.", link="https://wire.example/b/6"),
    ]
    assert len(group(entries)) == 6


def test_a_copy_that_changes_a_number_or_a_place_is_another_story():
    base = report(1, "Gao", 7)
    assert len(group([base, report(2, "Gao", 9, source="desk")])) == 2
    assert len(group([base, report(3, "Ménaka", 7, source="desk")])) == 2
    # A number in place of words is a change too.
    words = replace(base, id="https://desk.example/4", source="desk", link="https://d/4",
                    title="Attack in Gao kills soldiers",
                    summary=base.summary.replace("7 soldiers", "several soldiers"))  # fmt: skip
    assert len(group([base, words])) == 2


def test_a_copy_with_a_dateline_or_small_edits_is_the_same_story():
    base = report(1, "Gao", 7)
    text = "GAO, Mali (Reuters) - " + REPORT.format(place="Gao", n=7).replace("said", "says")
    copy = make(2, "Mali: attack in Gao kills 7", text, source="desk")
    stories = group([copy, base])
    assert ids(stories) == {frozenset({base.id, copy.id})}


def test_one_source_shares_a_link_only_with_the_same_story():
    feed = "https://wire.example/feed.xml"  # what normalize gives items without a link
    a = make(1, "Floods in Niamey", FLOODS, link=feed)
    b = make(2, "Coup in Niger", COUP, link=feed)
    again = replace(a, id="https://wire.example/1-again", published=a.published + timedelta(1))
    assert ids(group([again, b, a])) == {frozenset({a.id, again.id}), frozenset({b.id})}


def test_a_home_page_link_joins_nothing():
    a = make(1, "Floods in Niamey", FLOODS, link="http://127.0.0.1:8080/")
    b = make(2, "Coup in Niger", COUP, source="desk", link="http://127.0.0.1:8080/")
    assert len(group([b, a])) == 2


def test_a_story_never_holds_two_entries_of_one_source_with_different_links():
    a = report(1, "Gao", 7)
    again = report(2, "Gao", 7)  # one source, another link: another report
    copy = report(3, "Gao", 7, source="desk")
    stories = group([copy, again, a])
    assert len(stories) == 2  # the copy joins one of them, never both
    assert all(len({e.link for e in (s.entry, *s.others) if e.source == "wire"}) == 1
               for s in stories)  # fmt: skip


# --- #15 item 16: the first to arrive represents a story ---------------------------------------


def test_the_first_to_arrive_represents_its_story_whatever_the_dates_and_ids():
    first = make(5, "Niger: coup ousts President Bazoum", COUP, source="wire")
    # A later copy, dated earlier, with a smaller id: it never replaces the first.
    copy = make(5, "Niger: coup ousts President Bazoum", COUP, source="desk")
    copy = replace(copy, id="https://a.example/5", published=first.published - timedelta(hours=2))
    arrivals = {first.id: 10, copy.id: 11}
    stories = group([first, copy], arrivals=arrivals)
    assert [(s.entry, s.others) for s in stories] == [(first, (copy,))]
    assert group([copy, first], arrivals=arrivals) == stories
    # Without arrivals (a caller that has none), the earliest published, then smallest id.
    assert group([first, copy])[0].entry == copy


@settings(max_examples=300, deadline=None)
@given(_near_copies(), st.data())
def test_a_story_holds_one_link_per_source(texts, data):
    """Whatever the texts: entries of one source share a story only when they share a link,
    and a story never holds two links of one source."""
    entries = []
    for i, text in enumerate(texts):
        source = data.draw(st.sampled_from(["wire", "desk", "radio"]))
        link = f"https://{source}.example/{data.draw(st.integers(0, 3))}"
        entries.append(make(i, data.draw(st.sampled_from(["", "Niger", "Coup"])), text,
                            source=source, link=link))  # fmt: skip
    for story in group(entries):
        members = (story.entry, *story.others)
        for source in {e.source for e in members}:
            assert len({e.link for e in members if e.source == source}) == 1
