"""What a topic's current feed shows: its newest candidates, with the entries it keeps
whatever their date (what arrived within ``feed_window``, what no complete archive page
holds: :mod:`feeds.publish.window` decides), as stories (one story once:
:mod:`feeds.normalize.grouping`).

Reads the store through its methods (no SQL here) and writes nothing; regenerate renders what
this picks, and the daemon compares it to decide which topics to publish. Must not import
the flow, sources, ingest, run or cli.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from feeds.models import Entry, Settings, Source, Topic
from feeds.normalize.grouping import Story, group
from feeds.publish import archive
from feeds.publish.atom import Related, source_title
from feeds.publish.window import kept_from, pick
from feeds.store.protocols import StoreType
from feeds.store.values import START, Match, Position, entries_of
from feeds.topics.selection import Selection

#: How many candidates per shown story are read for grouping (one story once).
CANDIDATES_PER_STORY = 3


@dataclass(frozen=True, slots=True)
class Kept:
    """The matches a current feed keeps whatever their date."""

    #: As ``StoreType.search_after_rows`` gives them: rowid first, in arrival order.
    rows: list[Match]
    #: More than ``feed_max`` arrived within the window (see feeds.publish.window).
    capped: bool = False


def candidates(settings: Settings) -> int:
    """How many of a topic's newest entries its newest ``feed_size`` stories are made from."""
    # Grouping reads only the newest few candidates per story, never the whole history.
    return settings.feed_size * (CANDIDATES_PER_STORY if settings.dedupe else 1)


def archived_upto(
    settings: Settings, store: StoreType, topic: Topic, selection: Selection
) -> Position | None:
    """The last rowid the topic's complete archive pages hold (0: none yet; None: archives
    are off)."""
    if not settings.archive_size:
        return None
    frozen = store.archive_pages(topic.slug, archive.series(topic, selection, settings).key)
    return frozen[-1] if frozen else START


def kept(
    settings: Settings, store: StoreType, selection: Selection, *, upto: Position | None
) -> Kept:
    """The matches kept whatever their date, ``upto`` being ``archived_upto``."""
    if settings.feed_window <= timedelta(0) and upto is None:
        return Kept([])
    limit = settings.feed_max + 1  # one more than the cap: to know it is reached
    arrivals = store.arrivals(selection, limit=limit)
    start = kept_from(
        arrivals, window=settings.feed_window, cap=settings.feed_max, archived_upto=upto
    )
    if start.rowid is None:
        return Kept([], start.capped)
    rows = store.search_from(selection, start=start.rowid, limit=limit)
    return Kept(rows, start.capped)


def capped(settings: Settings, store: StoreType, selection: Selection) -> bool:
    """Whether more of a topic's matches arrived within ``feed_window`` than ``feed_max``
    lets its current feed show (``feeds status`` says so)."""
    if settings.feed_window <= timedelta(0):
        return False
    arrivals = store.arrivals(selection, limit=settings.feed_max + 1)
    window, cap = settings.feed_window, settings.feed_max
    return kept_from(arrivals, window=window, cap=cap, archived_upto=None).capped


def group_stories(store: StoreType, entries: Sequence[Entry]) -> list[Story]:
    """``dedupe.group`` with the texts the store keeps for search (not worked out again),
    and the order entries arrived in: the first of a story to arrive stays its entry."""
    ids = [e.id for e in entries]
    return group(entries, store.texts(ids), store.arrival_order(ids))


def current_stories(
    settings: Settings, store: StoreType, rows: Sequence[Match], keep: Kept
) -> tuple[list[Story], bool]:
    """The stories of a current feed made from its newest candidates (``rows``, newest
    first, as ``StoreType.search_rows``) and ``keep``; and whether ``feed_max`` left any out."""
    entries = entries_of(rows)
    known = {e.id for e in entries}
    extra = [e for e in entries_of(keep.rows) if e.id not in known]
    if extra:  # newest first, ties by id: the store's order
        entries = sorted(entries + extra, key=lambda e: e.id)
        entries.sort(key=lambda e: e.published, reverse=True)
    stories = group_stories(store, entries) if settings.dedupe else [Story(e) for e in entries]
    arrival = {m.id: m.position for m in keep.rows}
    shown, dropped = pick(stories, arrival, size=settings.feed_size, cap=settings.feed_max)
    return shown, keep.capped or dropped


def related(
    stories: Sequence[Story], sources: Mapping[str, Source], settings: Settings
) -> dict[str, tuple[Related, ...]]:
    """For each story with copies: the copies' links, named by their sources."""
    found: dict[str, tuple[Related, ...]] = {}
    for story in stories:
        links = []
        for other in story.others:
            href = other.link or (settings.base_url + other.page if other.page else "")
            if href:
                links.append(Related(href, source_title(other.source, sources)))
        if links:
            found[story.entry.id] = tuple(links)
    return found
