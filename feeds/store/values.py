"""The values the store gives out, whatever its backend: a position in arrival order, the
store's mark, a topic's record, what an upsert did, and a search's matches. Frozen
dataclasses only; must not import a backend (``feeds.store.sqlite``), publish, ingest or
run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NewType

from feeds.models import Entry

#: Where an entry is in arrival order (entries are appended, never moved): callers only
#: compare positions and pass them back to the store, never compute one. (A NewType of int,
#: so that a position the store gave is written and read back as the same number.)
Position = NewType("Position", int)

#: Before every entry: the store's first entry is after it.
START = Position(0)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the store stands: its last entry's position (``rowid``), and how many times a
    stored entry was edited (updated or deleted). Entries arrive after the mark."""

    rowid: Position
    edits: int


@dataclass(frozen=True, slots=True)
class TopicRecord:
    slug: str
    digest: str | None
    published_at: datetime | None
    #: How many entries match the topic (up to ``mark``, once it has one).
    entries: int
    #: What the topic's published files were rendered from (see feeds.publish.flow).
    state: str | None = None
    #: How many stories the current feed shows.
    shown: int = 0
    #: The store's mark when ``state`` and ``entries`` were worked out.
    mark: Mark | None = None
    #: The basis of ``state``: all it depends on but the matches (see feeds.publish.key).
    basis: str | None = None
    #: How many archive pages the topic has (the frozen ones: only those are published).
    pages: int = 0


@dataclass(frozen=True, slots=True)
class Match:
    """A stored entry as a search found it, not read yet: cheap to compare and hash.

    ``stored`` is what the store holds of it, in the backend's own terms: equal while the
    entry is unchanged, for hashing (feeds.publish.key), never for reading; ``entry()``
    reads it.
    """

    position: Position
    id: str
    stored: tuple[object, ...]
    reader: Callable[[tuple[object, ...]], Entry] = field(compare=False, repr=False)

    def entry(self) -> Entry:
        return self.reader(self.stored)


def entries_of(matches: Iterable[Match]) -> list[Entry]:
    """The entries of ``matches``, in their order."""
    return [m.entry() for m in matches]
