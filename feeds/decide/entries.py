"""How entries merge into the store, and when the store's upkeep is due: pure decisions the
store calls (``feeds.store.sqlite.entries`` and ``.maintenance``).

- A feed may repeat a guid: the first one wins.
- A changed entry (same id, new hash) keeps its first ``published``; its ``updated`` is its
  own date when that is newer than the stored one, else ``now`` (never earlier than the
  stored one): a reader sees that it changed.
- Upkeep (merging the search index) is due when entries arrived since it last ran and that
  was ``MAINTENANCE_EVERY`` ago or more, or when it never ran and there are entries.

Must not import sqlite3, the store, or anything that does I/O; ``now`` comes in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from feeds.models import Entry

#: How often the store's upkeep is due while entries keep arriving.
MAINTENANCE_EVERY = timedelta(days=1)


def first_of_each(
    entries: Iterable[Entry], texts: Sequence[str] | None
) -> list[tuple[Entry, str | None]]:
    """The entries with their texts (None: unknown), without repeated ids: a feed may repeat
    a guid, and the first one wins."""
    pairs = zip(entries, texts, strict=True) if texts is not None else ((e, None) for e in entries)
    seen: set[str] = set()
    batch: list[tuple[Entry, str | None]] = []
    for entry, text in pairs:
        if entry.id not in seen:
            seen.add(entry.id)
            batch.append((entry, text))
    return batch


def changed_entry(
    entry: Entry, *, published: datetime | None, updated: datetime, now: datetime
) -> Entry:
    """``entry`` as it replaces a stored one of the same id, which was first ``published``
    (None: unknown) and last ``updated``."""
    newer = entry.updated if entry.updated > updated else max(now, updated)
    return replace(entry, published=published or entry.published, updated=newer)


def maintenance_due(
    now: datetime, *, entries: int, last: datetime | None, upto: int | None
) -> bool:
    """Whether upkeep is due, ``entries`` being how many are stored now, and ``last`` and
    ``upto`` when it last ran and how many were stored then (None: it never ran)."""
    if upto is None:
        return bool(entries)
    return entries > upto and last is not None and now - last >= MAINTENANCE_EVERY
