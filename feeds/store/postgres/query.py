"""The PostgreSQL store's search dialect: what an entry's searchable text is stored as, and
a topic's selection (``feeds.topics.selection.Selection``, its query AST) compiled to SQL
over it, with the meaning FTS5 gives the same query on SQLite.

Text is folded and split by ``feeds.topics.parser.tokens`` (FTS5's
``unicode61 remove_diacritics 2``, reproduced in Python), never by PostgreSQL's own
parsers: each column is kept as its tokens with one space around each (``f_title``: ``" coup
d etat au niger "``), where a phrase is a ``LIKE`` pattern (``"% d etat %"``, a prefix
``"% d eta%"``; ``lang:``/``source:`` anchored at the start: ``" en %"``). That is exact,
and slow on its own: a ``tsvector`` of each column's distinct tokens (``words``: title A,
body B, category C), GIN-indexed, answers first with a superset (every token of a phrase
present), and the patterns decide among those. No SQL runs here.
"""

from __future__ import annotations

from dataclasses import dataclass

from feeds.errors import StoreError
from feeds.models import Entry
from feeds.topics.parser import And, Leaf, Node, Not, Phrase, Term, tokens
from feeds.topics.query import ANCHORED, exact, source_column
from feeds.topics.selection import Selection

#: Tokens are indexed in ``words`` up to this many characters (a lexeme holds at most 2,047
#: bytes); a longer query token is looked up by this prefix there, and matched whole by
#: the patterns.
LEXEME_CHARS = 200
#: The ``words`` weight of each column a field names (``None``: title or body).
_WEIGHTS = {None: "", "title": "A", "category": "C"}
_COLUMNS = {"title": "f_title", "category": "f_category", "lang": "f_lang", "source": "f_source"}


@dataclass(frozen=True, slots=True)
class Indexed:
    """An entry's searchable text, as the ``entries`` columns of those names hold it."""

    body: str
    words: str
    f_title: str
    f_body: str
    f_category: str
    f_lang: str
    f_source: str


def spaced(toks: tuple[str, ...]) -> str:
    """Tokens as a column holds them: one space around each."""
    return " " + " ".join(toks) + " " if toks else " "


def _lexeme(token: str) -> str:
    return "'" + token[:LEXEME_CHARS].replace("\\", "\\\\").replace("'", "''") + "'"


def indexed(e: Entry, body: str) -> Indexed:
    """What the store keeps to search ``e`` (``body``: its plain text, as FTS5 holds it)."""
    title, text = tokens(e.title), tokens(body)
    category = tokens(" ; ".join(e.categories))
    weights: dict[str, str] = {}
    for toks, weight in ((title, "1A"), (text, "2B"), (category, "3C")):
        for token in dict.fromkeys(t[:LEXEME_CHARS] for t in toks):
            weights[token] = f"{weights[token]},{weight}" if token in weights else weight
    words = " ".join(f"{_lexeme(t)}:{w}" for t, w in weights.items())
    return Indexed(
        body, words, spaced(title), spaced(text), spaced(category),
        spaced(tokens(e.language)), spaced(tokens(source_column(e.source))),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Compiled:
    """A condition on ``entries``: SQL with its ``%s`` parameters, in order."""

    sql: str
    params: tuple[str, ...]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _leaf_sql(leaf: Leaf) -> Compiled:
    leaf = exact(leaf)
    if not leaf.tokens:  # FTS5: an empty phrase matches nothing
        return Compiled("FALSE", ())
    core = _like(" ".join(leaf.tokens)) + ("" if leaf.prefix else " ")
    if leaf.field in ANCHORED:
        return Compiled(f"{_COLUMNS[leaf.field]} LIKE %s", (" " + core + "%",))
    pattern = "% " + core + "%"
    if leaf.field is None:
        return Compiled("(f_title LIKE %s OR f_body LIKE %s)", (pattern, pattern))
    return Compiled(f"{_COLUMNS[leaf.field]} LIKE %s", (pattern,))


def _join(op: str, parts: list[Compiled]) -> Compiled:
    sql = f" {op} ".join(p.sql for p in parts)
    return Compiled(f"({sql})", tuple(x for p in parts for x in p.params))


def condition(node: Node) -> Compiled:
    """The exact condition of one query node."""
    if isinstance(node, Term | Phrase):
        return _leaf_sql(node)
    if isinstance(node, Not):
        inner = condition(node.child)
        return Compiled(f"(NOT {inner.sql})", inner.params)
    return _join("AND" if isinstance(node, And) else "OR", [condition(c) for c in node.children])


def _leaf_words(leaf: Leaf) -> str | None:
    if leaf.field in ANCHORED or not leaf.tokens:
        return None
    weight = _WEIGHTS[leaf.field]
    last = len(leaf.tokens) - 1
    parts = []
    for i, token in enumerate(leaf.tokens):
        star = "*" if (i == last and leaf.prefix) or len(token) > LEXEME_CHARS else ""
        parts.append(f"{_lexeme(token)}:{star}{weight}" if star or weight else _lexeme(token))
    return " & ".join(parts)


def words(node: Node) -> str | None:
    """A ``tsquery`` over ``words`` that every entry ``node`` matches also matches (None:
    none narrower than every entry)."""
    if isinstance(node, Term | Phrase):
        return _leaf_words(node)
    if isinstance(node, Not):
        return None
    parts = [words(c) for c in node.children]
    if isinstance(node, And):
        known = [p for p in parts if p is not None]
        return "(" + " & ".join(known) + ")" if known else None
    if any(p is None for p in parts):
        return None
    return "(" + " | ".join(p for p in parts if p is not None) + ")"


def selection_sql(selection: Selection) -> Compiled:
    """The condition of a whole selection: its query, not its exclude, one of its languages
    (retractions are the caller's). Topics by meaning are not on this store yet: a selection
    with ``about`` is refused, never searched as if it had none."""
    if selection.about is not None:
        raise StoreError(
            "topics by meaning (`about`) need the SQLite store for now: the PostgreSQL store "
            "does not hold entry vectors"
        )
    parts = [condition(selection.query.root)]
    if selection.exclude is not None:
        inner = condition(selection.exclude.root)
        parts.append(Compiled(f"(NOT {inner.sql})", inner.params))
    if selection.languages:
        parts.append(_join("OR", [_leaf_sql(t) for t in selection.languages]))
    prefilter = words(selection.query.root)
    if prefilter is not None:
        parts.insert(0, Compiled("words @@ %s::tsquery", (prefilter,)))
    return _join("AND", parts)
