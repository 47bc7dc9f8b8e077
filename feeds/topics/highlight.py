"""Where a query's words are in a text: character spans to highlight, and a snippet around
the first. Pure: text in, spans out; the terminal (``feeds.cli.terminal``) and the web's
search page (``feeds.run.search_page``) mark them each their own way.

Only the words the full-text search looks at count: leaves without a field, and ``title:``
leaves in a title. Words are folded as the search index folds them (``fold``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from feeds.topics.parser import Leaf
from feeds.topics.query import And, Or, Phrase, Query, Term, fold

#: A word as the FTS5 tokenizer sees one, near enough for display (letters and digits).
_WORD = re.compile(r"[^\W_]+")

Span = tuple[int, int]


def query_leaves(*queries: Query | None) -> tuple[Leaf, ...]:
    """The positive words and phrases of ``queries`` (not those under NOT)."""
    found: list[Leaf] = []

    def walk(node: object) -> None:
        if isinstance(node, Term | Phrase):
            found.append(node)
        elif isinstance(node, And | Or):
            for child in node.children:
                walk(child)

    for query in queries:
        if query is not None:
            walk(query.root)
    return tuple(found)


def match_spans(text: str, leaves: Iterable[Leaf], *, title: bool = True) -> list[Span]:
    """Character spans of ``text`` that the ``leaves`` match, merged and sorted.

    Only words the full-text search looks at: leaves without a field, and ``title:`` leaves
    when ``text`` is a title.
    """
    words = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    spans: list[Span] = []
    for leaf in leaves:
        if leaf.field not in (None, "title") or (leaf.field == "title" and not title):
            continue
        n = len(leaf.tokens)
        for i in range(len(words) - n + 1):
            if n and _words_match([w[2] for w in words[i : i + n]], leaf):
                spans.append((words[i][0], words[i + n - 1][1]))
    return _merge(sorted(spans))


def _words_match(got: list[str], leaf: Leaf) -> bool:
    want = leaf.tokens
    last_ok = got[-1].startswith(want[-1]) if leaf.prefix else got[-1] == want[-1]
    return last_ok and got[:-1] == list(want[:-1])


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def window(text: str, spans: Sequence[Span], width: int) -> tuple[int, int]:
    """About ``width`` characters of ``text`` around its first span, cut at spaces:
    (start, end); ``(0, 0)`` when there is no span."""
    if not spans:
        return 0, 0
    start = max(0, spans[0][0] - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), spans[0][1])
    return start, end


def pieces(text: str, spans: Sequence[Span]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) in order, so that a caller marks the matched ones."""
    out: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start > position:
            out.append((text[position:start], False))
        out.append((text[start:end], True))
        position = end
    if position < len(text):
        out.append((text[position:], False))
    return out
