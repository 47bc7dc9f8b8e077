"""The topic query language's text side: folding, the AST and the parser. Pure, no I/O.

``feeds.topics.query`` is the public face; this module holds what it is built on:

* ``fold``/``tokens`` fold and split text the way SQLite FTS5's
  ``unicode61 remove_diacritics 2`` tokenizer does, so a query can be evaluated in Python
  (``feeds.topics.query.explain``) with the same result as the FTS5 index.
* ``Term``, ``Phrase``, ``And``, ``Or``, ``Not``: the AST.
* ``parse``: text -> AST, raising ``QuerySyntaxError`` with the 0-based position of the problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from feeds.errors import QuerySyntaxError

#: Field filters, in the order error messages list them.
FIELDS = ("title", "lang", "source", "category")

#: Combining marks that unicode61 treats as part of a token and then removes (measured
#: against SQLite: these, and only these, marks below U+0370 are token characters).
_DIACRITICS = frozenset(
    [*range(0x300, 0x305), *range(0x306, 0x30D), 0x30F, 0x311, 0x31B, *range(0x323, 0x329)]
    + [0x32D, 0x32E, 0x330, 0x331]
)
#: Format characters newer than SQLite's Unicode tables, which it keeps inside tokens.
_NEWER_FORMAT_CHARS = frozenset([0x605, 0x61C, 0x61D, 0x2066, 0x2067, 0x2068, 0x2069])
#: Nested groups and negations allowed: FTS5's parser stack overflows at about 25.
_MAX_DEPTH = 20
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_KEYWORDS = ("OR", "AND", "NOT")


@lru_cache(maxsize=8192)
def _is_token_char(ch: str) -> bool:
    """unicode61's default token characters: L*, N*, Co, and code points its (Unicode 6.1)
    tables do not know, which it also keeps in tokens."""
    code = ord(ch)
    if code in _DIACRITICS or code in _NEWER_FORMAT_CHARS:
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "LN" or cat == "Co" or (cat == "Cn" and code not in (0xFFFE, 0xFFFF))


def _simple_fold(ch: str) -> str:
    for folded in (ch.casefold(), ch.lower()):
        if len(folded) == 1:
            return folded
    return ch


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """Simple case folding, Latin diacritics removed (remove_diacritics 2), folded again."""
    if ord(ch) in _DIACRITICS:
        return ""
    ch = _simple_fold(ch)
    code = ord(ch)
    if code < 0x250 or 0x1E00 <= code < 0x1F00:
        decomposed = unicodedata.normalize("NFD", ch)
        if decomposed[0].isascii() and all(unicodedata.combining(c) for c in decomposed[1:]):
            ch = decomposed[0]
    return _simple_fold(ch)


def fold(text: str) -> str:
    """Case- and diacritic-fold ``text`` as unicode61 folds tokens; separators are kept."""
    return "".join(_fold_char(c) if _is_token_char(c) else c for c in text)


def tokens(text: str) -> tuple[str, ...]:
    """Split ``text`` into folded tokens exactly where unicode61 would."""
    out: list[str] = []
    current: list[str] = []
    for ch in text + " ":
        if _is_token_char(ch):
            current.append(_fold_char(ch))
        elif current:
            out.append("".join(current))
            current = []
    return tuple(t for t in out if t)


@dataclass(frozen=True, slots=True)
class Term:
    """A word as written (``text``), its folded ``tokens`` (several make it a phrase, like
    ``d'État`` -> ``d etat``), whether it ends in ``*``, and its field filter, if any."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False
    field: str | None = None

    def __str__(self) -> str:
        return _leaf_str(self.text, self.prefix, self.field)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A ``"quoted phrase"``: its tokens must appear consecutively."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False
    field: str | None = None

    def __str__(self) -> str:
        return _leaf_str(f'"{self.text}"', self.prefix, self.field)


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(f"({c})" if isinstance(c, Or) else str(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(str(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    def __str__(self) -> str:
        inner = str(self.child)
        return f"-({inner})" if isinstance(self.child, And | Or) else f"-{inner}"


Node = Term | Phrase | And | Or | Not
Leaf = Term | Phrase


def _leaf_str(text: str, prefix: bool, field: str | None) -> str:
    return f"{field + ':' if field else ''}{text}{'*' if prefix else ''}"


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "(", ")", "-", "OR", "AND", "NOT", "field", "word", "phrase"
    pos: int
    text: str = ""
    prefix: bool = False


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[_Tok] = []

    def error(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, query=self.text, position=pos)

    def run(self) -> list[_Tok]:
        i, text = 0, self.text
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i += 1
            elif ch in "()-":
                self.out.append(_Tok(ch, i))
                i += 1
            elif ch == '"':
                i = self.phrase(i)
            else:
                i = self.word(i)
        return self.out

    def phrase(self, start: int) -> int:
        end = self.text.find('"', start + 1)
        if end < 0:
            raise self.error("unclosed quote", start)
        inner = self.text[start + 1 : end]
        if not tokens(inner):
            raise self.error("empty phrase: it has no letters or digits", start)
        prefix = self.text.startswith("*", end + 1)
        self.out.append(_Tok("phrase", start, inner, prefix))
        return end + 1 + prefix

    def word(self, start: int) -> int:
        end = start
        while end < len(self.text) and not (self.text[end].isspace() or self.text[end] in '()"'):
            end += 1
        word = self.text[start:end]
        if word in _KEYWORDS:
            self.out.append(_Tok(word, start))
            return end
        field = _FIELD_RE.match(word)
        if field:
            self.field(field.group(1), start, end)
            word, start = word[field.end() :], start + field.end()
        if word:
            self.plain(word, start)
        return end

    def field(self, name: str, start: int, end: int) -> None:
        if name.lower() not in FIELDS:
            known = ", ".join(f"{f}:" for f in FIELDS)
            raise self.error(
                f"unknown field {name}: (known: {known}); quote the text to search it", start
            )
        after = start + len(name) + 1
        nxt = self.text[after : after + 1]
        if after == end and nxt not in ('"', "("):
            raise self.error(f"{name}: must be followed by a word, phrase or (group)", after)
        if nxt == "-":
            raise self.error(f"put - before the field: -{name}:...", after)
        self.out.append(_Tok("field", start, name.lower()))

    def plain(self, word: str, start: int) -> None:
        star = word.find("*")
        if star >= 0 and star != len(word) - 1:
            raise self.error("* is only allowed at the end of a word", start + star)
        stem = word.removesuffix("*")
        if not tokens(stem):
            raise self.error(f"{word!r} has no letters or digits to search for", start)
        self.out.append(_Tok("word", start, stem, star >= 0))


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary+; unary := (-|NOT) unary | primary."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _Lexer(text).run()
        self.i = 0
        self.depth = 0

    def error(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, query=self.text, position=pos)

    def peek(self) -> _Tok:
        return self.toks[self.i] if self.i < len(self.toks) else _Tok("end", len(self.text))

    def take(self) -> _Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise self.error("empty query", 0)
        node = self.parse_or(None)
        tok = self.peek()
        if tok.kind != "end":
            raise self.error("unmatched )", tok.pos)
        return node

    def parse_or(self, field: str | None) -> Node:
        items = [self.parse_and(field)]
        while self.peek().kind == "OR":
            tok = self.take()
            if self.peek().kind in ("end", ")", "OR", "AND"):
                raise self.error("OR must be followed by a term", tok.pos)
            items.append(self.parse_and(field))
        return _combine(Or, items)

    def parse_and(self, field: str | None) -> Node:
        items: list[Node] = []
        while (tok := self.peek()).kind not in ("end", ")", "OR"):
            if tok.kind == "AND":
                self.take()
                if not items or self.peek().kind in ("end", ")", "OR", "AND"):
                    raise self.error("AND must be between two terms", tok.pos)
                continue
            items.append(self.parse_unary(field))
        if not items:
            raise self.missing(tok)
        return _combine(And, items)

    def missing(self, tok: _Tok) -> QuerySyntaxError:
        if tok.kind == "OR":
            return self.error("OR must be between two terms", tok.pos)
        if tok.kind == ")":
            return self.error("unmatched )", tok.pos)
        return self.error("empty query", tok.pos)

    def parse_unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind not in ("-", "NOT"):
            return self.parse_primary(field)
        self.take()
        if self.peek().kind in ("end", ")", "OR", "AND"):
            raise self.error(f"{tok.kind} must be followed by a term", tok.pos)
        if tok.kind == "-" and self.peek().pos != tok.pos + 1:
            raise self.error("- must be directly followed by a term: -word", tok.pos)
        return Not(self.nested(tok, lambda: self.parse_unary(field)))

    def nested(self, tok: _Tok, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error("query is nested too deeply", tok.pos)
        node = parse()
        self.depth -= 1
        return node

    def parse_primary(self, field: str | None) -> Node:
        tok = self.take()
        if tok.kind == "field":
            if field not in (None, tok.text):
                raise self.error(f"{tok.text}: inside a {field}:(...) group", tok.pos)
            return self.parse_primary(tok.text)
        if tok.kind == "(":
            return self.group(tok, field)
        if tok.kind == "word":
            return Term(tok.text, tokens(tok.text), tok.prefix, field)
        if tok.kind == "phrase":
            return Phrase(tok.text, tokens(tok.text), tok.prefix, field)
        raise self.error(f"unexpected {tok.kind}", tok.pos)  # pragma: no cover

    def group(self, tok: _Tok, field: str | None) -> Node:
        if self.peek().kind in (")", "end"):
            raise self.error("empty group ()" if self.peek().kind == ")" else "unclosed (", tok.pos)
        node = self.nested(tok, lambda: self.parse_or(field))
        if self.take().kind != ")":
            raise self.error("unclosed (", tok.pos)
        return node


def _combine(kind: type[And] | type[Or], items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, kind) else (item,))
    return kind(tuple(flat))


def parse(text: str) -> Node:
    """Parse a query into its AST. Raises ``QuerySyntaxError`` naming the position."""
    return _Parser(text).parse()
