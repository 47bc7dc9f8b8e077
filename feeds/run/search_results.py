"""What the search page shows for one query: the entries a topic with that query would
publish, their matched words, and the explain verdict of each.

``search`` checks the query's size (``MAX_QUERY`` characters, ``MAX_TERMS`` words and
phrases, no one-letter prefix), runs it on the read-only store through
``feeds.publish.matches`` and explains each entry with ``feeds.topics.query.explain_topic``.
A query that does not parse, or is too large, is a ``QuerySyntaxError`` (with its position,
for the caret). Reads the store it is given; knows nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from feeds.errors import QuerySyntaxError
from feeds.models import Entry, Settings, Source, Topic
from feeds.normalize.text import body_text, html_to_text
from feeds.publish.matches import newest_matches
from feeds.publish.templating import EntryView, entry_view
from feeds.store.protocols import StoreType
from feeds.topics.highlight import match_spans, pieces, query_leaves, window
from feeds.topics.parser import And, Leaf, Node, Not, Or
from feeds.topics.query import Document, explain_topic, parse_query
from feeds.topics.selection import select

#: The longest query accepted (characters), and the most words and phrases in it.
MAX_QUERY = 300
MAX_TERMS = 24
#: Entries shown.
RESULTS = 20
#: Characters of an entry's text shown around its first match.
SNIPPET = 220

Pieces = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class Result:
    entry: EntryView
    #: The title cut into (text, matched) pieces.
    title: Pieces
    snippet: Pieces
    #: The snippet starts after, ends before, the text's ends.
    cut: tuple[bool, bool]
    matched: bool
    #: The explain verdict, one line each.
    verdict: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Results:
    results: tuple[Result, ...]
    total: int


def _leaves(node: Node) -> list[Leaf]:
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in _leaves(child)]
    if isinstance(node, Not):
        return _leaves(node.child)
    return [node]


def check_size(query: str) -> None:
    """Raise QuerySyntaxError if ``query`` is longer or has more terms than allowed, or a
    prefix of one letter (it would expand to most of the index)."""
    if len(query) > MAX_QUERY:
        raise QuerySyntaxError(
            f"the query is longer than {MAX_QUERY} characters", query=query, position=MAX_QUERY
        )
    leaves = _leaves(parse_query(query).root)
    if len(leaves) > MAX_TERMS:
        raise QuerySyntaxError(f"the query has more than {MAX_TERMS} terms", query=query)
    for leaf in leaves:
        if leaf.prefix and len("".join(leaf.tokens)) < 2:
            at = max(0, query.find(f"{leaf.text}*"))
            raise QuerySyntaxError("a prefix needs two letters or more", query=query, position=at)


def search(
    store: StoreType,
    query: str,
    topic: Topic | None,
    *,
    settings: Settings,
    sources: Mapping[str, Source],
) -> Results:
    """The newest ``RESULTS`` entries a topic with ``query`` would hold (``topic``'s exclude
    and languages apply), how many match in all, each explained."""
    check_size(query)
    exclude, languages = (topic.exclude, topic.languages) if topic else (None, ())
    selection = select(query, exclude, languages)
    entries, total = newest_matches(store, selection, limit=RESULTS, total=True)
    leaves = query_leaves(parse_query(query))
    found = tuple(_result(e, query, exclude, languages, leaves, settings, sources) for e in entries)
    return Results(found, total or 0)


def _result(
    entry: Entry,
    query: str,
    exclude: str | None,
    languages: tuple[str, ...],
    leaves: tuple[Leaf, ...],
    settings: Settings,
    sources: Mapping[str, Source],
) -> Result:
    full = body_text(entry.summary, entry.content)
    doc = Document(entry.title, full, entry.language, entry.source, entry.categories)
    verdict = explain_topic(query, exclude, languages, doc)
    # The snippet: from the summary, else the content, whichever holds a match (a content
    # often repeats its summary: the two together would show it twice).
    texts = [t for t in (html_to_text(entry.summary), html_to_text(entry.content)) if t]
    body = next(
        (t for t in texts if match_spans(t, leaves, title=False)), texts[0] if texts else ""
    )
    spans = match_spans(body, leaves, title=False)
    start, end = window(body, spans, SNIPPET) if spans else (0, min(len(body), SNIPPET))
    shifted = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    view = entry_view(entry, settings, sources)
    return Result(
        entry=view,
        title=tuple(pieces(view.title, match_spans(view.title, leaves))),
        snippet=tuple(pieces(body[start:end], shifted)),
        cut=(start > 0, end < len(body)),
        matched=verdict.matched,
        verdict=tuple(verdict.render().splitlines()),
    )
