"""One story once: group a topic's candidate entries that tell the same story.

Two entries are the same story when they share a canonical link (scheme, ``www.``, trailing
slash, fragment and case of the host aside), or when they come from two sources and their
texts are near-identical: the Jaccard similarity of their word 3-shingles (title + text,
case and diacritics folded) is at least :data:`THRESHOLD`, and they agree on the numbers
and names that tell stories apart (:mod:`feeds.normalize.specifics`). Entries of one source are one
story only by their link (#15 item 5): a source's templated reports ("Attack in Ménaka kills
12", "Attack in Gao kills 7"), daily bulletins and price reports are near-identical texts
of distinct stories. A link that is no story's own does not join entries: a site's home
page, or, within one source, a link entries with different titles share (what normalize
gives items that have no link of their own: the source's URL). A group never holds two
entries of one source with different links.

MinHash would *estimate* the similarity; over a topic's newest few hundred candidates the
exact value is affordable, found through an inverted index so that only entries sharing a
shingle are compared. Short texts (fewer than :data:`MIN_SHINGLES` shingles) match only when
their folded texts are equal: one headline word in common ("Niger: coup…", "Niger:
floods…") is never enough.

The representative of a group is the entry that arrived first (``arrivals``: the store's
order; else the earliest published; ties: smallest id), so a later copy never replaces what
readers already have, whatever its date (#15 item 16); the others become its related links.

Pure: entries in, stories out. No I/O, no store, no rendering.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from urllib.parse import urlsplit, urlunsplit

from feeds.models import Entry
from feeds.normalize.links import PLAIN_URL
from feeds.normalize.specifics import Specifics, agree, specifics
from feeds.normalize.text import body_text

#: Jaccard similarity of shingle sets from which two texts are one story.
THRESHOLD = 0.6
#: Words per shingle (``shingles`` builds them three words at a time).
SHINGLE = 3
#: Below this many shingles a text must match exactly.
MIN_SHINGLES = 8

#: The arrival of an entry ``group`` is not told about: after all those it is.
_LATEST = 1 << 63

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Story:
    """One story: the entry a feed shows, and the other sources' copies of it."""

    entry: Entry
    others: tuple[Entry, ...] = ()


def canonical_link(link: str) -> str:
    """A link reduced to what identifies the page ("" for no link): no scheme, host in lower
    case without "www.", no trailing slash, no fragment."""
    match = PLAIN_URL.fullmatch(link.strip())  # most stored links: normalize made them so
    if match is None:
        return _canonical_link_by_urllib(link)
    host, path, query = match.group("host", "path", "query")
    path = (path or "").rstrip("/") or "/"
    return f"//{host.lower().removeprefix('www.')}{path}{'?' + query if query else ''}"


def _canonical_link_by_urllib(link: str) -> str:
    parts = urlsplit(link.strip())
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


#: Every ASCII byte that ``\w`` does not match (all but letters, digits and "_"), to a space.
_NOT_WORD = bytes.maketrans(
    bytes(b for b in range(128) if not _WORD.fullmatch(chr(b))),
    b" " * sum(1 for b in range(128) if not _WORD.fullmatch(chr(b))),
)


def story_words(text: str) -> list[str]:
    """The words of ``text`` (runs of ``\\w``), lower case, diacritics removed.

    Most texts are ASCII, or Latin with a few accents and quotes: each distinct non-ASCII
    character is removed (a combining mark) or turned into a space (a character that is
    not part of a word) with ``str.replace``, and the ASCII words are split from bytes,
    at a third of the cost of ``str.translate`` and the regular expression (texts with
    non-ASCII letters left, "œ" or another script, still go through it)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    if not plain.isascii():
        marks: list[str] = []
        others: list[str] = []
        for c in set(plain):
            if not c.isascii():
                (marks if unicodedata.combining(c) else others).append(c)
        for mark in marks:
            plain = plain.replace(mark, "")
        if any(_WORD.match(c) for c in others):
            return _WORD.findall(plain)
        for c in others:
            plain = plain.replace(c, " ")
    return plain.encode("ascii").translate(_NOT_WORD).decode("ascii").split()


def shingles(entry: Entry, text: str | None = None) -> frozenset[int]:
    """The word 3-shingles of an entry's title and text, each as its hash (in-process only:
    str hashes are salted per process). ``text`` is the entry's ``body_text`` when the
    caller has it (the store keeps it for the search index), else it is worked out."""
    if text is None:
        text = body_text(entry.summary, entry.content)
    words = story_words(entry.title + " " + text)
    if len(words) < SHINGLE:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(map(hash, zip(words, words[1:], words[2:], strict=False)))


def _similar(a: frozenset[int], b: frozenset[int]) -> bool:
    if not a or not b:
        return False
    if min(len(a), len(b)) < MIN_SHINGLES:
        return a == b
    common = len(a & b)
    return common >= THRESHOLD * (len(a) + len(b) - common)  # |a ∪ b| = |a| + |b| - |a ∩ b|


def story_link(entry: Entry) -> str:
    """The canonical link of an entry when it can be a story's own ("" when not: no link, or
    a site's home page, which normalize gives items of a local feed that have none)."""
    key = canonical_link(entry.link)
    return "" if key.partition("//")[2].partition("/")[2] in ("", "/") else key


class _Texts:
    """Each entry's plain text (the caller's, else worked out) and, once asked, specifics."""

    def __init__(self, entries: Sequence[Entry], known: Mapping[str, str] | None) -> None:
        self.entries = entries
        self.known = known or {}
        self.found: dict[int, Specifics] = {}

    def text(self, i: int) -> str:
        entry = self.entries[i]
        known = self.known.get(entry.id)
        return body_text(entry.summary, entry.content) if known is None else known

    def specifics(self, i: int) -> Specifics:
        if i not in self.found:
            self.found[i] = specifics(self.entries[i].title, self.text(i))
        return self.found[i]


class _Groups:
    """Union-find over entry positions, which knows each group's link in each source (see
    ``story_link``; an entry without one has a link of its own) so that a group never gets
    two entries of one source with different links."""

    def __init__(self, entries: Sequence[Entry], links: Sequence[str]) -> None:
        self.parent = list(range(len(entries)))
        pairs = zip(entries, links, strict=True)
        self.links = [{e.source: link or "\0" + e.id} for e, link in pairs]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            keep, gone = min(a, b), max(a, b)
            self.parent[gone] = keep
            self.links[keep] = {**self.links[gone], **self.links[keep]}

    def may_join(self, i: int, j: int) -> bool:
        """Whether the groups of ``i`` and ``j`` are apart and hold no source with two links."""
        a, b = self.find(i), self.find(j)
        if a == b:
            return False
        theirs = self.links[b]
        return all(theirs.get(source, link) == link for source, link in self.links[a].items())


def _join_links(
    entries: Sequence[Entry], links: Sequence[str], groups: _Groups, texts: _Texts
) -> None:
    """Join the entries that share a story link (``links``): of two sources, always; of one
    source, only when their titles are the same as well and their texts agree
    (``specifics.agree``) with the first of them: entries with different titles that share
    a link (the source's URL, given to items without a link of their own) are different
    stories."""
    firsts: dict[str, dict[str, int]] = {}  # link -> source -> its first entry with it
    titles: dict[tuple[str, str, tuple[str, ...]], int] = {}  # (link, source, title) -> first
    for i, key in enumerate(links):
        if not key:
            continue
        source = entries[i].source
        sources = firsts.setdefault(key, {})
        for other, j in sources.items():
            if other != source:
                groups.join(j, i)
        first = sources.setdefault(source, i)
        if first == i:
            continue  # titles are folded only for a link one source gives several entries
        titles.setdefault((key, source, tuple(story_words(entries[first].title))), first)
        head = titles.setdefault((key, source, tuple(story_words(entries[i].title))), i)
        if head != i and agree(texts.specifics(head), texts.specifics(i)):
            groups.join(head, i)


def _join_texts(entries: Sequence[Entry], groups: _Groups, texts: _Texts) -> None:
    """Join the entries of two sources whose shingle sets are similar (see ``_similar``)
    and whose texts agree (``_join_copies``).

    Exact, but without comparing every pair that shares some common shingle: short sets
    (under MIN_SHINGLES) are similar only when equal, so they are grouped by value; long
    sets are compared only when they share a shingle of their prefixes (the prefix filter:
    in one global order of shingles, two sets with a Jaccard similarity of at least
    THRESHOLD share one of the first ``|a| - ⌈t·|a|⌉ + 1`` shingles of each; ``int()``
    rounds down, so a prefix is if anything longer than needed, never shorter).

    The order puts the shingles of one entry only first (rarest first), so that a prefix
    holds as few common shingles as can be; those of one entry only can match nothing, so
    they are only counted: an entry whose prefix has no shared shingle has no candidate.
    """
    sets = [shingles(e, texts.text(i)) for i, e in enumerate(entries)]
    _join_short(entries, sets, groups, texts)
    common, rank = _ranked(sets)
    postings: dict[int, list[int]] = {}
    for i, found in enumerate(sets):
        size = len(found)
        room = size - int(THRESHOLD * size) + 1 - (size - len(common[i]))
        if size < MIN_SHINGLES or room <= 0:
            continue  # too short for a prefix, or a prefix of its own shingles only
        prefix = sorted(common[i], key=rank.__getitem__)[:room]
        candidates = {j for shingle in prefix for j in postings.get(shingle, ())}
        for j in sorted(candidates):
            if _similar(sets[j], found):
                _join_copies(entries, groups, texts, j, i)
        for shingle in prefix:
            postings.setdefault(shingle, []).append(i)


def _ranked(sets: Sequence[frozenset[int]]) -> tuple[list[frozenset[int]], dict[int, int]]:
    """Each set's shingles that other sets have too, and the rank of each of those shingles
    (rarest first)."""
    seen: set[int] = set()
    shared: set[int] = set()  # shingles of two entries or more
    for found in sets:
        shared.update(found.intersection(seen))
        seen.update(found)
    common = [found & shared for found in sets]
    frequency = Counter(chain.from_iterable(common))
    # Rarest first. Any fixed order makes the prefix filter exact; ties among equally rare
    # shingles fall in hash order, which varies between processes but not the result.
    return common, {s: n for n, s in enumerate(sorted(frequency, key=frequency.__getitem__))}


def _join_short(
    entries: Sequence[Entry], sets: Sequence[frozenset[int]], groups: _Groups, texts: _Texts
) -> None:
    """Join the entries of two sources whose sets are short and equal: each with the first
    of each other source that has its set."""
    exact: dict[frozenset[int], dict[str, int]] = {}  # short set -> source -> first entry
    for i, found in enumerate(sets):
        if 0 < len(found) < MIN_SHINGLES:
            firsts = exact.setdefault(found, {})
            for j in firsts.values():
                _join_copies(entries, groups, texts, j, i)
            firsts.setdefault(entries[i].source, i)


def _join_copies(entries: Sequence[Entry], groups: _Groups, texts: _Texts, j: int, i: int) -> None:
    """Join two near-identical entries when they are of two sources, their groups hold no
    source with two links, and their specifics agree (tried last: it compares words)."""
    if entries[j].source == entries[i].source or not groups.may_join(j, i):
        return
    if agree(texts.specifics(j), texts.specifics(i)):
        groups.join(j, i)


def group(
    entries: Sequence[Entry],
    texts: Mapping[str, str] | None = None,
    arrivals: Mapping[str, int] | None = None,
) -> list[Story]:
    """``entries`` (newest first) as stories, in the order of their representatives.

    ``texts`` maps entry ids to their ``feeds.text.body_text`` where the caller has it
    (``Store.texts``); the others are worked out here. ``arrivals`` maps entry ids to the
    order they arrived in (``Store.arrival_order``): the first to arrive of a story represents
    it; without it (or for an id it lacks), the earliest published.
    """
    first: dict[str, Entry] = {}
    for entry in entries:
        first.setdefault(entry.id, entry)
    unique = list(first.values())
    known = _Texts(unique, texts)
    links = [story_link(e) for e in unique]
    groups = _Groups(unique, links)
    _join_links(unique, links, groups, known)
    _join_texts(unique, groups, known)
    members: dict[int, list[Entry]] = defaultdict(list)
    for i, entry in enumerate(unique):
        members[groups.find(i)].append(entry)
    arrived = arrivals or {}

    def seniority(e: Entry) -> tuple[int, datetime, str]:
        return (arrived.get(e.id, _LATEST), e.published, e.id)

    stories = []
    for found in members.values():
        found.sort(key=seniority)
        stories.append(Story(found[0], tuple(found[1:])))
    order = {e.id: i for i, e in enumerate(unique)}
    stories.sort(key=lambda s: order[s.entry.id])
    return stories
