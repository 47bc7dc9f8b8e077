"""One story once: group a topic's candidate entries that tell the same story.

Two entries are the same story when they share a canonical link (scheme, ``www.``, trailing
slash, fragment and case of the host aside), or when their texts are near-identical: the
Jaccard similarity of their word 3-shingles (title + text, case and diacritics folded) is at
least :data:`THRESHOLD`. MinHash would *estimate* that similarity; over a topic's newest
few hundred candidates the exact value is affordable, found through an inverted index so
that only entries sharing a shingle are compared. Short texts (fewer than
:data:`MIN_SHINGLES` shingles) match only when their folded texts are equal: one headline
word in common ("Niger: coup…", "Niger: floods…") is never enough.

The representative of a group is its earliest-published entry (ties: smallest id), so a
later copy never replaces what readers already have; the others become its related links.

Pure: entries in, stories out. No I/O, no store, no rendering.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .models import Entry
from .text import html_to_text

#: Jaccard similarity of shingle sets from which two texts are one story.
THRESHOLD = 0.6
#: Words per shingle.
SHINGLE = 3
#: Below this many shingles a text must match exactly.
MIN_SHINGLES = 8

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Story:
    """One story: the entry a feed shows, and the other sources' copies of it."""

    entry: Entry
    others: tuple[Entry, ...] = ()


def canonical_link(link: str) -> str:
    """A link reduced to what identifies the page ("" for no link)."""
    parts = urlsplit(link.strip())
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


def fold(text: str) -> list[str]:
    """The words of ``text``, lower case, diacritics removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain)


def shingles(entry: Entry) -> frozenset[str]:
    """The word 3-shingles of an entry's title and text."""
    words = fold(entry.title + " " + html_to_text(entry.summary + " " + entry.content))
    if len(words) < SHINGLE:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    if min(len(a), len(b)) < MIN_SHINGLES:
        return a == b
    return len(a & b) >= THRESHOLD * len(a | b)


class _Groups:
    """Union-find over entry positions."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _join_links(entries: Sequence[Entry], groups: _Groups) -> None:
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        key = canonical_link(entry.link)
        if key:
            groups.join(first.setdefault(key, i), i)


def _join_texts(entries: Sequence[Entry], groups: _Groups) -> None:
    sets = [shingles(e) for e in entries]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(sets):
        for shingle in found:
            postings[shingle].append(i)
    compared: set[tuple[int, int]] = set()
    for holders in postings.values():
        for n, i in enumerate(holders):
            for j in holders[n + 1 :]:
                if (i, j) not in compared:
                    compared.add((i, j))
                    if _similar(sets[i], sets[j]):
                        groups.join(i, j)


def group(entries: Sequence[Entry]) -> list[Story]:
    """``entries`` (newest first) as stories, in the order of their representatives."""
    first: dict[str, Entry] = {}
    for entry in entries:
        first.setdefault(entry.id, entry)
    unique = list(first.values())
    groups = _Groups(len(unique))
    _join_links(unique, groups)
    _join_texts(unique, groups)
    members: dict[int, list[Entry]] = defaultdict(list)
    for i, entry in enumerate(unique):
        members[groups.find(i)].append(entry)
    stories = []
    for found in members.values():
        found.sort(key=lambda e: (e.published, e.id))
        stories.append(Story(found[0], tuple(found[1:])))
    order = {e.id: i for i, e in enumerate(unique)}
    stories.sort(key=lambda s: order[s.entry.id])
    return stories
