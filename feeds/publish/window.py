"""What a topic's current feed keeps besides its newest ``feed_size`` stories (#15 items 14
and 15), so that a reader polling at a sane interval misses nothing.

The current feed shows, newest first:

- its newest ``feed_size`` stories (by date);
- every entry that *arrived* (was first stored) within ``feed_window`` of the topic's newest
  arrival, whatever its date: a burst larger than ``feed_size`` reaches readers, and so does
  an old-dated item that arrives now;
- every entry that no complete RFC 5005 archive page holds yet (:mod:`feeds.publish.archive`): the
  current feed and the archive pages together hold the whole history at every moment;

and at most ``feed_max`` stories: past that, those that arrived earliest are left out (the
regenerate log and ``feeds status`` say so).

The window is anchored on the topic's newest arrival, not on the clock. The feed changes only
when a match arrives (a republish with nothing new, however late, gives the same bytes), and
an entry leaves the window only when another arrives ``feed_window`` after it: a reader
that polls more often than ``feed_window`` (less the publish delay) reads every entry.

Both kept sets are suffixes of the arrival (rowid) order, so one rowid says where they
start, and the rows are read from there (``Store.search_after_rows``).

Pure: arrivals and stories in, decisions out. No store, no clock, no I/O: must not import
the store, sqlite3 or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from feeds.normalize.grouping import Story
from feeds.store.values import Position


@dataclass(frozen=True, slots=True)
class Start:
    """Where the entries a current feed keeps whatever their date begin."""

    #: The first rowid kept (None: none is, past the newest ``feed_size`` stories).
    rowid: Position | None
    #: More than ``feed_max`` arrived within the window: only the latest are kept.
    capped: bool = False


def kept_from(
    arrivals: Sequence[tuple[Position, datetime]],
    *,
    window: timedelta,
    cap: int,
    archived_upto: Position | None,
) -> Start:
    """Where a topic's kept entries start, from its latest arrivals (``(rowid, first
    seen)``, the latest first: the ``cap + 1`` latest, or all if fewer): those within
    ``window`` of the newest arrival (the latest ``cap`` of them), and those after
    ``archived_upto``, the last rowid a complete archive page holds (None: no archives)."""
    rowids: list[Position] = []
    capped = False
    if arrivals and window > timedelta(0):
        since = max(seen for _, seen in arrivals) - window
        inside = [rowid for rowid, seen in arrivals if seen >= since]
        capped = len(inside) > cap
        rowids += inside[:cap]
    if archived_upto is not None:
        # Not yet in a complete page: of the latest arrivals (feed_max covers a page).
        rowids += [rowid for rowid, _ in arrivals[:cap] if rowid > archived_upto]
    return Start(min(rowids) if rowids else None, capped)


def pick(
    stories: Sequence[Story], kept: Mapping[str, int], *, size: int, cap: int
) -> tuple[list[Story], bool]:
    """The stories a current feed shows, in the order of ``stories`` (newest first): the
    first ``size``, and each other one that holds a kept entry (``kept``: entry id to its
    rowid), at most ``cap`` in all; past it, those whose entries arrived earliest are left
    out. And whether any was."""
    extra: list[tuple[int, int]] = []  # (latest arrival among its kept entries, position)
    for position in range(size, len(stories)):
        story = stories[position]
        arrived = [kept[e.id] for e in (story.entry, *story.others) if e.id in kept]
        if arrived:
            extra.append((max(arrived), position))
    room = max(cap - min(size, len(stories)), 0)
    chosen = {position for _, position in sorted(extra, reverse=True)[:room]}
    shown = [s for i, s in enumerate(stories) if i < size or i in chosen]
    return shown, len(extra) > room
