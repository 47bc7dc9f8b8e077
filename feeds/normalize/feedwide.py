"""What a document as a whole settles for its entries, beyond each one alone (#15 items 2, 3).

Pure: values in, values out; no I/O, no clock, no state.

- **Authors.** A feed's own author is the author of each of its entries that names none
  (RFC 4287 §4.2.1; an RSS channel's managingEditor, dc:creator and itunes:author likewise):
  ``inherit_authors`` gives it to the raw item before normalize, so that only an item with
  no author at all falls back to the source's configured author, title or name.
- **Distinct ``updated`` instants.** No two entries of one document share ``updated`` (the
  W3C validator warns ``DuplicateUpdated``; readers that key on it lose an entry).
  ``distinct_updated`` is applied at both ends, for different reasons:

  * at ingest, to the entries of one fetch in the feed's order: undated items (which all
    default to the fetch time), items dated in the future (clamped to it) and items the feed
    dates to the same second get instants one microsecond apart, the first in the document
    the newest. What the store keeps is then the feed's own order, for life: an unchanged
    entry is never rewritten, so a later fetch does not move it.
  * at publish, to the entries of each Atom document (current feed and archive pages): only
    there are entries of several sources, and of several fetches, side by side, so only
    there can distinctness be guaranteed. Ties are rare by then and keep the document's
    order; the same entries always give the same instants, so the bytes stay the same.

  Sub-second precision is kept throughout (the store keeps microseconds, feedgen writes
  them as RFC 3339 fractions), so the instants moved are moved by microseconds only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from feeds.models import Entry, RawItem

__all__ = ["STEP", "distinct_updated", "inherit_authors"]

#: How far apart ``distinct_updated`` sets tied instants: the store's precision.
STEP = timedelta(microseconds=1)


def inherit_authors(item: RawItem, feed_authors: tuple[str, ...]) -> RawItem:
    """``item`` with the feed's authors when it names none of its own."""
    if item.authors or not feed_authors or not any(a.strip() for a in feed_authors):
        return item
    return replace(item, authors=feed_authors)


def distinct_updated(entries: Sequence[Entry]) -> list[Entry]:
    """``entries`` (same order) whose ``updated`` instants are all distinct.

    Entries are taken newest first; of those that tie, the one earlier in ``entries`` is the
    newer. Each instant that is not below the previous one is set one STEP below it (and
    ``published`` with it when it would come after ``updated``). Entries that tie with none
    are returned as they are.
    """
    if len({e.updated for e in entries}) == len(entries):
        return list(entries)
    # sorted() is stable with reverse=True too: ties keep their order in ``entries``.
    order = sorted(range(len(entries)), key=lambda k: entries[k].updated, reverse=True)
    out = list(entries)
    previous = None
    for k in order:
        entry = out[k]
        if previous is not None and entry.updated >= previous:
            when = previous - STEP
            entry = replace(entry, updated=when, published=min(entry.published, when))
            out[k] = entry
        previous = entry.updated
    return out
