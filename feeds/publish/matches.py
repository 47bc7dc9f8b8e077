"""The newest entries a query selects, for the web pages (the index's few per topic, the
search page's results): the one place they compile a query and ask the store.

Reads the store; writes nothing. Raises QuerySyntaxError when the query does not parse.
"""

from __future__ import annotations

from feeds.models import Entry
from feeds.store.protocols import StoreType
from feeds.topics.selection import select


def newest_matches(
    store: StoreType,
    query: str,
    exclude: str | None = None,
    languages: tuple[str, ...] = (),
    *,
    limit: int,
    total: bool = False,
) -> tuple[list[Entry], int | None]:
    """The newest ``limit`` entries a topic with this query would hold, and (``total``)
    how many match in all."""
    selection = select(query, exclude, languages)
    entries = store.search(selection, limit=limit)
    return entries, (store.count(selection) if total else None)
