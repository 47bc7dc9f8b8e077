"""The newest entries a query selects, for the web pages (the index's few per topic, the
search page's results): the one place they compile a query and ask the store.

Reads the store; writes nothing. Raises QuerySyntaxError when the query does not parse.
"""

from __future__ import annotations

from feeds.models import Entry
from feeds.store.protocols import StoreType
from feeds.topics.selection import Selection


def newest_matches(
    store: StoreType, selection: Selection, *, limit: int, total: bool = False
) -> tuple[list[Entry], int | None]:
    """The newest ``limit`` entries ``selection`` selects (a topic's, or a query's), and
    (``total``) how many it selects in all."""
    entries = store.search(selection, limit=limit)
    return entries, (store.count(selection) if total else None)
