"""What a topic selects, as a value every store backend can search: a ``Selection``.

A selection is the topic's query (its AST), its exclude query and its languages:
``(query) AND NOT (exclude) AND (lang is one of languages)``. Store backends take it and
compile it to their own search (the SQLite backend reads ``text`` with FTS5; another backend
compiles the AST). Publishing passes it to the store and never looks inside.

``text`` is the selection's canonical text. It names things that must not move between
versions or backends: an archive series is the hash of it (so archive URLs stay what readers
fetched). Its grammar is FTS5's query syntax over the store's columns (``{title body}``,
``lang``, ``source``, ``category``), as it has been since archives were named by it: every
user token is quoted, so user text can never inject syntax. Pure, no I/O.

A topic with ``about`` (feeds.topics.about) also selects only the entries recorded as its
semantic matches, named by ``about.key``: ``boolean`` is then the FTS5 text of the rest
(None when the rest selects every entry), and ``text`` ends with `` ABOUT <key>``. A
topic without ``about`` has ``text == boolean``, unchanged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feeds.topics.about import About, about_of
from feeds.topics.parser import And, Leaf, Node, Not, Or, Phrase, Term
from feeds.topics.query import ANCHORED, Query, exact, language_terms, parse_query

if TYPE_CHECKING:
    from feeds.models import Topic

__all__ = ["EVERY", "Selection", "select", "text_of", "topic_selection"]

#: What a query of exclusions only (``-football``) starts from: every entry.
EVERY = 'every : "all"'


@dataclass(frozen=True, slots=True)
class Selection:
    """What a topic selects (see the module docstring)."""

    query: Query
    exclude: Query | None
    #: The ``lang:`` terms of the topic's languages (empty: any language).
    languages: tuple[Term, ...]
    #: The canonical text (see the module docstring).
    text: str
    #: What it is about, matched by meaning (None: nothing).
    about: About | None = None
    #: The FTS5 text of all but ``about`` (None: every entry; only with ``about``).
    boolean: str | None = None


@functools.lru_cache(maxsize=1024)
def topic_selection(topic: Topic) -> Selection:
    """The selection of ``topic`` (its query, exclude, languages and about), parsed once per
    topic value: every publish and every daemon run asks it of every topic."""
    return select(topic.query, topic.exclude, topic.languages, about_of(topic))


def select(
    query: str,
    exclude: str | None = None,
    languages: tuple[str, ...] = (),
    about: About | None = None,
) -> Selection:
    """The selection of a topic; raises ``QuerySyntaxError`` for a query, exclude or language
    that does not parse. With ``about``, the query may be empty (every entry)."""
    # With ``about`` alone, the query is every entry: an empty AND (its text is EVERY).
    parsed = Query("", And(())) if about is not None and not query.strip() else parse_query(query)
    excluded = parse_query(exclude) if exclude is not None and exclude.strip() else None
    terms = tuple(language_terms(languages))
    text = f"({text_of(parsed.root)})"
    if excluded is not None:
        text = f"({text} NOT ({text_of(excluded.root)}))"
    if terms:
        langs = " OR ".join(f"({_leaf(t)})" for t in terms)
        text = f"({text} AND ({langs}))"
    if about is None:
        return Selection(parsed, excluded, terms, text, None, text)
    everything = parsed.root == And(()) and excluded is None and not terms
    boolean = None if everything else text
    return Selection(parsed, excluded, terms, f"{text} ABOUT {about.key}", about, boolean)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _leaf(leaf: Leaf) -> str:
    leaf = exact(leaf)
    phrase = _quote(" ".join(leaf.tokens)) + (" *" if leaf.prefix else "")
    if leaf.field is None:
        return "{title body} : " + phrase
    if leaf.field in ANCHORED:
        return f"{leaf.field} : ^ {phrase}"
    return f"{leaf.field} : {phrase}"


def _operand(node: Node) -> str:
    return _leaf(node) if isinstance(node, Term | Phrase) else f"({text_of(node)})"


def text_of(node: Node) -> str:
    """The canonical text of one query node (see the module docstring)."""
    if isinstance(node, Term | Phrase):
        return _leaf(node)
    if isinstance(node, Or):
        return " OR ".join(_operand(c) for c in node.children)
    children = node.children if isinstance(node, And) else (node,)
    positive = [c for c in children if not isinstance(c, Not)]
    negative = [c.child for c in children if isinstance(c, Not)]
    expr = " AND ".join(_operand(c) for c in positive) if positive else EVERY
    if negative:
        # NOT is binary here: a NOT (b OR c) is a AND NOT b AND NOT c, and stays flat.
        excluded = " OR ".join(map(_operand, negative)) if negative[1:] else text_of(negative[0])
        expr = f"({expr}) NOT ({excluded})"
    return expr
