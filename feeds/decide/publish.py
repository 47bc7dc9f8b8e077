"""Whether a topic must be republished, and how a publish shares its topics across processes.

Pure decisions for ``feeds.publish.flow``: the flow reads the store and public/, hands the
facts in here, and acts on the answer. This module must not import sqlite3, httpx, the
store, ``feeds.publish`` or anything that does I/O; what would cost a read (the matches of
each topic, whether the forkserver is up) comes in as a callable, asked only when the
answer depends on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

#: The formats a topic has besides ``<slug>.atom``, each switched on or off in the settings.
SIBLINGS = ("rss", "json")
#: Every current feed file of a topic, by extension.
FEED_FILES = ("atom", *SIBLINGS)


@dataclass(frozen=True, slots=True)
class Sharing:
    """When the topics due are rendered in worker processes and this one.

    Starting workers costs time: worth it for a first publish of whole
    histories, or for many topics once workers start quickly (an ingest started the
    forkserver).
    """

    #: A first publish of this many topics or more, whose archives hold ``matches``
    #: entries or more in all, is shared.
    topics: int = 4
    matches: int = 10_000
    #: This many topics due or more (a republish after a busy ingest) are shared when
    #: workers start quickly.
    due: int = 8


@dataclass(frozen=True, slots=True)
class Due:
    """A topic due for rendering: its slug, and whether it was never published."""

    slug: str
    first: bool


def republish(recorded: str | None, key: str, files_in_place: bool) -> bool:
    """Whether a topic's files must be rendered: the key its record holds (None: never
    published) is not the key of what they would be made from now, or a file is missing."""
    return not (recorded is not None and recorded == key and files_in_place)


def workers_to_start(configured: int, due: int, *, in_memory: bool) -> int:
    """How many worker processes may share ``due`` topics with this process: none for a
    store that lives in this process's memory (workers open the store themselves)."""
    return 0 if in_memory else min(configured, due - 1)


def share(
    due: Sequence[Due],
    workers: int,
    *,
    matches: Callable[[], Mapping[str, int]],
    fast_start: Callable[[], bool],
    sharing: Sharing = Sharing(),
) -> Mapping[str, int] | None:
    """The size of each topic due (its matches, or all equal), when they are to be shared
    with ``workers`` worker processes; None: this process renders them all.

    Shared: a first publish of ``sharing.topics`` topics or more that match
    ``sharing.matches`` entries or more in all (``matches()``, asked only then); else
    ``sharing.due`` topics or more once workers start quickly (``fast_start()``)."""
    if workers <= 0:
        return None
    if sum(1 for d in due if d.first) >= sharing.topics:
        sizes = matches()
        if sum(sizes.values()) >= sharing.matches:
            return sizes
    if len(due) >= sharing.due and fast_start():
        return {d.slug: 0 for d in due}
    return None


def longest_first(slugs: Iterable[str], sizes: Mapping[str, int]) -> list[str]:
    """The order topics are sent to workers in: the longest first, so that the last to
    finish are short ones (ties keep their order)."""
    return sorted(slugs, key=lambda slug: -sizes[slug])


def removed(recorded: Iterable[str], configured: Iterable[str]) -> list[str]:
    """The topics published before and no longer in the config, whose current feeds go
    (their archives stay); ``_``-prefixed slugs are feeds' own (the health feed)."""
    kept = set(configured)
    return [slug for slug in recorded if slug not in kept and not slug.startswith("_")]


def count_from_record(
    recorded_edits: int | None, edits: int, recorded_basis: str | None, basis: str
) -> bool:
    """Whether a topic's count of matches is its record's plus those that arrived since:
    the record has a mark, no stored entry was edited since it, and it counted the same
    topic with the same query (the basis). Else every match is counted again."""
    return recorded_edits is not None and recorded_edits == edits and recorded_basis == basis


def remember(recorded: bool, known: bool, same_mark: bool) -> bool:
    """After a check found a topic's files current: whether to record the mark its state
    holds for (the record has an older one, or none: a store from before marks) so that
    the next check takes the state as it is. Not when the record vouched for it."""
    return recorded and not known and not same_mark


def frozen_upto(archives: bool, frozen: Sequence[int]) -> int | None:
    """The rowid up to which a topic's frozen archive pages hold its matches (0: none
    frozen yet); None when archives are off."""
    if not archives:
        return None
    return frozen[-1] if frozen else 0


def key_moved(archives: bool, pages_now: int, frozen: int) -> bool:
    """Whether rendering froze an archive page (``pages_now`` frozen pages, the state
    counted ``frozen``): the next run sees it, so the state's key is worked out again."""
    return archives and pages_now != frozen


def new_record(
    recorded_digest: str | None, recorded_entries: int | None, digest: str, total: int
) -> bool:
    """Whether a topic's record changes: never published, other feed bytes, other count."""
    return recorded_digest is None or recorded_digest != digest or recorded_entries != total


def published_at(
    recorded_digest: str | None, recorded_at: datetime | None, digest: str, now: datetime
) -> datetime | None:
    """When a topic's feed was published: a feed written again with the same bytes
    (public/ wiped) keeps its publish time, so index.html, which shows it, stays the same."""
    if recorded_digest is not None and recorded_digest == digest:
        return recorded_at
    return now
