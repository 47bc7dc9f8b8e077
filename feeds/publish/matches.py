"""The newest entries a query selects, for the web pages (the index's few per topic, the
search page's results): the one place they compile a query and ask the store.

Reads the store; writes nothing. Raises QuerySyntaxError when the query does not parse.
"""

from __future__ import annotations

from feeds.models import Entry
from feeds.store.sqlite.store import Store
from feeds.topics.query import topic_expression


def newest_matches(
    store: Store,
    query: str,
    exclude: str | None = None,
    languages: tuple[str, ...] = (),
    *,
    limit: int,
    total: bool = False,
) -> tuple[list[Entry], int | None]:
    """The newest ``limit`` entries a topic with this query would hold, and (``total``)
    how many match in all."""
    expression = topic_expression(query, exclude, languages)
    entries = store.search(expression, limit=limit)
    return entries, (store.count(expression) if total else None)
