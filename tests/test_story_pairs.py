"""Story grouping over a labelled set of pairs (#15 item 5): no false merge, missed ones counted.

``tests/data/story_pairs.json`` (written by ``tests/data/story_pairs_make.py``) holds pairs of
entries labelled "same" story or "different" stories, French and English. Each pair is grouped
alone, and then all entries at once (a story must not join two different ones through a
third). A false merge is a "different" pair grouped as one story; a missed grouping is a
"same" pair left apart: the target is no false merge, the missed ones are reported.

The figures: ``.venv/bin/python tests/test_story_pairs.py`` prints them per kind of pair.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feeds.models import Entry
from feeds.normalize.grouping import group

PAIRS = Path(__file__).with_name("data") / "story_pairs.json"
T0 = datetime(2024, 9, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    number: int
    kind: str
    label: str
    lang: str
    a: Entry
    b: Entry


def _entry(number: int, side: str, lang: str, raw: dict) -> Entry:
    source = raw["source"]
    link = raw["link"] or f"https://{source}.example/{number}/{side}"
    when = T0 + timedelta(minutes=10 * number + (side == "b"))
    return Entry(
        id=f"https://{source}.example/id/{number}/{side}",
        source=source,
        title=raw["title"],
        link=link,
        summary=f"<p>{raw['text']}</p>",
        content="",
        authors=(),
        published=when,
        updated=when,
        language=lang.split("+")[-1 if side == "b" else 0],
    )


def load() -> list[Pair]:
    pairs = []
    for n, raw in enumerate(json.loads(PAIRS.read_text(encoding="utf-8"))):
        a, b = (_entry(n, side, raw["lang"], raw[side]) for side in ("a", "b"))
        pairs.append(Pair(n, raw["kind"], raw["label"], raw["lang"], a, b))
    return pairs


def merged_alone(pairs: list[Pair]) -> set[int]:
    """The pairs grouped as one story when grouped by themselves."""
    return {p.number for p in pairs if len(group([p.b, p.a])) == 1}


def merged_together(pairs: list[Pair]) -> set[int]:
    """The pairs whose entries end in one story when every entry is grouped at once."""
    entries = sorted((e for p in pairs for e in (p.a, p.b)), key=lambda e: e.published)
    story = {}
    for n, s in enumerate(group(entries[::-1])):
        for e in (s.entry, *s.others):
            story[e.id] = n
    return {p.number for p in pairs if story[p.a.id] == story[p.b.id]}


def figures(pairs: list[Pair]) -> dict[str, Counter[tuple[str, str]]]:
    """Per (label, kind): pairs, false merges, missed groupings (alone), false merges when
    every entry is grouped at once."""
    alone, together = merged_alone(pairs), merged_together(pairs)
    out: dict[str, Counter[tuple[str, str]]] = {
        k: Counter() for k in ("pairs", "false", "missed", "false together")
    }
    for p in pairs:
        key = (p.label, p.kind)
        out["pairs"][key] += 1
        if p.label == "different":
            out["false"][key] += p.number in alone
            out["false together"][key] += p.number in together
        else:
            out["missed"][key] += p.number not in alone
    return out


def test_the_labelled_set_is_large_and_in_both_languages():
    pairs = load()
    assert len(pairs) >= 200
    assert {p.lang for p in pairs} >= {"en", "fr"}
    assert {p.label for p in pairs} == {"same", "different"}


def test_no_pair_of_different_stories_is_merged():
    pairs = load()
    found = figures(pairs)
    print(report(found))  # the missed groupings, for the record (pytest -s, or -rP)
    alone = merged_alone(pairs)
    false = [p for p in pairs if p.label == "different" and p.number in alone]
    assert [(p.kind, p.a.title, p.b.title) for p in false] == []
    assert sum(found["false together"].values()) == 0


def test_copies_by_another_source_are_found():
    # Not all copies are found (translations never are): but wire copies with small edits
    # and datelines are what grouping is for.
    found = figures(load())
    for kind in ("copy, small edits", "republished under the same link"):
        assert found["missed"][("same", kind)] == 0, kind


def report(found: dict[str, Counter[tuple[str, str]]]) -> str:
    lines = [f"{'label':<10} {'kind':<42} {'pairs':>5} {'false':>5} {'missed':>6}"]
    for key in sorted(found["pairs"]):
        label, kind = key
        wrong = found["false"][key] if label == "different" else ""
        missed = found["missed"][key] if label == "same" else ""
        lines.append(f"{label:<10} {kind:<42} {found['pairs'][key]:>5} {wrong:>5} {missed:>6}")
    per_label = Counter(label for label, _ in found["pairs"].elements())
    lines.append(
        f"pairs: {sum(found['pairs'].values())} ({per_label['same']} same, "
        f"{per_label['different']} different); false merges: {sum(found['false'].values())} "
        f"(grouped all at once: {sum(found['false together'].values())}); missed groupings: "
        f"{sum(found['missed'].values())} of {per_label['same']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(figures(load())))
