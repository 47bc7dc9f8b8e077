"""Topic queries: parse them and explain a match. Pure, no I/O.

The language: words, ``"phrases"``, implicit AND (``AND`` may be written), ``OR``,
``-word``/``NOT word`` (also ``-"phrase"``, ``-(group)``), ``prefix*``, parentheses and field
filters ``title:``, ``lang:``, ``source:``, ``category:`` applied to the next word, phrase,
prefix or group. NOT binds tightest, then AND, then OR. Text folds as FTS5's
``unicode61 remove_diacritics 2`` does (see ``fold``/``tokens``).

What a topic selects is a ``feeds.topics.selection.Selection`` (the query's AST, its exclude
and languages), which each store backend compiles to its own search. ``explain`` evaluates
the same query in Python on a ``Document`` with the same result as the stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from feeds.errors import QuerySyntaxError
from feeds.topics.parser import FIELDS, And, Leaf, Node, Not, Or, Phrase, Term, fold, parse, tokens

__all__ = [
    "FIELDS",
    "And",
    "Document",
    "Explanation",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "Term",
    "TopicExplanation",
    "explain",
    "explain_topic",
    "fold",
    "language_terms",
    "parse_query",
    "tokens",
]

#: Fields whose phrase must start the field's text.
ANCHORED = ("lang", "source")

#: The last token of every entry's ``source`` column (see ``source_column``). FTS5 anchors a
#: phrase at a column's start (``^``) but has no end anchor: with this token, ``source:desk``
#: matches the source "desk" and not "desk-fr" (``source:desk*`` matches both).
SOURCE_END = "endofsourcename"


def source_column(name: str) -> str:
    """What the store indexes in the ``source`` column for the source ``name``."""
    return f"{name} {SOURCE_END}"


def exact(leaf: Leaf) -> Leaf:
    """A ``source:`` term names a whole source, unless it is a prefix (``source:desk*``)."""
    if leaf.field == "source" and not leaf.prefix and leaf.tokens:
        return replace(leaf, tokens=(*leaf.tokens, SOURCE_END))
    return leaf


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the text as written and its AST. ``str()`` gives an equivalent query."""

    text: str
    root: Node

    def __str__(self) -> str:
        return str(self.root)


def parse_query(text: str) -> Query:
    """Parse ``text``; raises ``QuerySyntaxError`` with the 0-based position of the problem."""
    return Query(text, parse(text))


def language_terms(languages: tuple[str, ...]) -> list[Term]:
    """The ``lang:`` terms of a topic's languages; raises ``QuerySyntaxError`` for a tag
    with no letters."""
    terms = [Term(lang, tokens(lang), field="lang") for lang in languages]
    for term in terms:
        if not term.tokens:
            raise QuerySyntaxError("language tag has no letters", query=term.text, position=0)
    return terms


# --- explain ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """The searchable text of one entry, as the FTS5 row holds it (plain text)."""

    title: str
    body: str
    lang: str = ""
    source: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Fields:
    title: tuple[str, ...]
    body: tuple[str, ...]
    lang: tuple[str, ...]
    source: tuple[str, ...]
    category: tuple[str, ...]

    @classmethod
    def of(cls, doc: Document) -> _Fields:
        cats = " ; ".join(doc.categories)
        source = source_column(doc.source) if doc.source else ""
        return cls(*(tokens(t) for t in (doc.title, doc.body, doc.lang, source, cats)))


def _phrase_at(seq: tuple[str, ...], i: int, leaf: Leaf) -> bool:
    want = leaf.tokens
    if i + len(want) > len(seq) or seq[i : i + len(want) - 1] != want[:-1]:
        return False
    last = seq[i + len(want) - 1]
    return last.startswith(want[-1]) if leaf.prefix else last == want[-1]


def _leaf_matches(leaf: Leaf, f: _Fields) -> bool:
    leaf = exact(leaf)
    columns: tuple[tuple[str, ...], ...] = (f.title, f.body)
    if leaf.field is not None:
        columns = (getattr(f, leaf.field),)
    if leaf.field in ANCHORED:
        return any(_phrase_at(col, 0, leaf) for col in columns)
    return any(_phrase_at(col, i, leaf) for col in columns for i in range(len(col)))


def _matches(node: Node, f: _Fields) -> bool:
    if isinstance(node, Term | Phrase):
        return _leaf_matches(node, f)
    if isinstance(node, Not):
        return not _matches(node.child, f)
    if isinstance(node, And):
        return all(_matches(c, f) for c in node.children)
    return any(_matches(c, f) for c in node.children)


def _positive_leaves(node: Node) -> Iterator[Leaf]:
    if isinstance(node, Term | Phrase):
        yield node
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _positive_leaves(child)


def _short(text: str, limit: int = 60) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 4].rsplit(" ", 1)[0]
    return head.removesuffix(" OR").removesuffix(" AND") + " ..."


def _why_not(node: Node, f: _Fields) -> str:
    """Why ``node`` (which does not match) fails, in a few words."""
    if isinstance(node, Term | Phrase):
        return f"needs {node}"
    if isinstance(node, Not):
        return f"has {_short(str(node.child))}"
    if isinstance(node, Or):
        return f"needs one of ({_short(str(node))})"
    failing = next(c for c in node.children if not _matches(c, f))
    return _why_not(failing, f)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Whether a query matched a document, and which of its positive terms were found."""

    matched: bool
    terms: tuple[str, ...]
    #: Why it did not match ("" when it matched).
    reason: str = ""

    def render(self) -> str:
        found = ", ".join(self.terms)
        if self.matched:
            return f"matched: {found}" if found else "matched"
        return f"not matched: {self.reason}" + (f" (found: {found})" if found else "")


def _explain(node: Node, f: _Fields) -> Explanation:
    found = dict.fromkeys(str(leaf) for leaf in _positive_leaves(node) if _leaf_matches(leaf, f))
    matched = _matches(node, f)
    return Explanation(matched, tuple(found), "" if matched else _why_not(node, f))


def explain(query: Query, doc: Document) -> Explanation:
    """Evaluate ``query`` on ``doc`` with FTS5's semantics, naming the terms that matched."""
    return _explain(query.root, _Fields.of(doc))


@dataclass(frozen=True, slots=True)
class TopicExplanation:
    """Why a topic does or does not include a document."""

    matched: bool
    query: Explanation
    #: The exclude query's explanation (None when the topic has no exclude).
    exclude: Explanation | None
    #: The exclude query matched, so the document is left out.
    excluded: bool
    #: The document's language is one of the topic's (always True when it names none).
    language_ok: bool
    language: str = ""
    languages: tuple[str, ...] = ()

    def render(self) -> str:
        lines = [self.query.render()]
        if self.exclude is not None and self.excluded:
            lines.append(f"excluded by: {', '.join(self.exclude.terms) or 'exclude query'}")
        if not self.language_ok:
            wanted = ", ".join(self.languages)
            lines.append(f"language {self.language or '(none)'!r} is not one of {wanted}")
        return "\n".join(lines)


def explain_topic(
    query: str, exclude: str | None, languages: tuple[str, ...], doc: Document
) -> TopicExplanation:
    """Explain the selection ``select(query, exclude, languages)`` for one document."""
    f = _Fields.of(doc)
    q = _explain(parse_query(query).root, f)
    x = _explain(parse_query(exclude).root, f) if exclude and exclude.strip() else None
    excluded = x is not None and x.matched
    lang_ok = not languages or any(_leaf_matches(t, f) for t in language_terms(languages))
    matched = q.matched and not excluded and lang_ok
    return TopicExplanation(matched, q, x, excluded, lang_ok, doc.lang, tuple(languages))
