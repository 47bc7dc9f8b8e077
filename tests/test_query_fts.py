"""feeds.topics (the query, its selection's canonical text, explain) against a real
in-memory SQLite FTS5 table, created as in docs/dev.md, and the same queries against the
PostgreSQL store (a real server, tests/pgserver.py): both select the same entries."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.errors import QuerySyntaxError
from feeds.models import Entry
from feeds.topics.query import (
    Document,
    Query,
    explain,
    explain_topic,
    parse_query,
    source_column,
    tokens,
)
from feeds.topics.selection import Selection, select, text_of


def to_fts(query: Query) -> str:
    """What the SQLite store gives FTS5 for ``query``: its canonical text."""
    return text_of(query.root)


SCHEMA = """
CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, body, lang, source, category, every,
    tokenize = "unicode61 remove_diacritics 2"
)
"""

DOCS: dict[int, Document] = {
    1: Document(
        "Coup d’État au Niger",
        "Des militaires ont pris le pouvoir à Niamey.",
        "fr",
        "desk-fr",
        ("afrique", "west africa"),
    ),
    2: Document(
        "L'État malien renforce ses troupes",
        "Bamako annonce le déploiement de troupes au centre du Mali.",
        "fr",
        "desk-fr",
        ("afrique",),
    ),
    3: Document(
        "Chad troops deployed to the border",
        "N'Djamena sends soldiers after a jihadist attack on an army post.",
        "en",
        "wire-en",
        ("world",),
    ),
    4: Document(
        "Coupe d'Afrique : le Mali bat le Niger",
        "Football : un coup franc offre la victoire au Mali.",
        "fr",
        "sport-fr",
        ("sport", "football"),
    ),
    5: Document(
        "The Niger river delta festival",
        "Music, boats and food along the river.",
        "en",
        "wire-en",
        ("culture",),
    ),
    6: Document(
        "Burkina Faso : l'armée annonce un couvre-feu",
        "L'état-major évoque le déploiement de troupes dans le nord.",
        "fr-CA",
        "desk",
        ("afrique",),
    ),
    7: Document(
        "Wagner mercenaries leave Mali",
        "The group's troops and military advisers are flying out.",
        "en",
        "desk-fr-2",
        ("world", "west africa"),
    ),
    8: Document(
        "Élections au Sénégal",
        "Le scrutin s'est déroulé dans le calme.",
        "fr",
        "desk-fr",
        ("afrique",),
    ),
    9: Document(
        "Tchad : coup de force à N'Djamena",
        "Le président dénonce une tentative de déstabilisation.",
        "fr",
        "desk-fr",
        (),
    ),
    10: Document("Recipe: couscous with chickpeas", "A simple dinner.", "en-GB", "food", ()),
    11: Document(
        "Sahel : la sécurité se dégrade",
        "Les groupes djihadistes multiplient les attaques.",
        "fr",
        "desk-fr",
        ("afrique",),
    ),
    12: Document(
        "Protests in Paris over pensions",
        "Unions marched on Thursday; État and unions disagree.",
        "en",
        "wire-en",
        ("europe",),
    ),
}

TOPIC = (
    '(sahel OR niger OR mali OR "burkina faso" OR tchad OR chad) '
    "(troop* OR troupe* OR militar* OR coup OR jihad* OR wagner)"
)
EXCLUDE = 'football OR "coupe d afrique"'
ALL = set(DOCS)


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute(SCHEMA)
    conn.executemany(
        "INSERT INTO entries_fts(rowid, title, body, lang, source, category, every)"
        " VALUES (?, ?, ?, ?, ?, ?, 'all')",
        [
            (rowid, d.title, d.body, d.lang, source_column(d.source), " ; ".join(d.categories))
            for rowid, d in DOCS.items()
        ],
    )
    yield conn
    conn.close()


def search(db: sqlite3.Connection, match: str) -> set[int]:
    rows = db.execute("SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?", (match,))
    return {r[0] for r in rows}


def _entry(rowid: int, d: Document) -> Entry:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    return Entry(
        id=f"https://x.test/{rowid}", source=d.source, title=d.title, link="https://x.test/",
        summary=d.body, content="", authors=(), published=when, updated=when,
        language=d.lang, categories=d.categories, hash=str(rowid),
    )  # fmt: skip


Rows = Callable[[Selection], set[int]]


@pytest.fixture(scope="module")
def pg_docs(pg_cluster) -> Iterator[Rows]:
    """DOCS in a PostgreSQL store, their positions their numbers: a selection's rows."""
    from feeds.store.postgres.store import PostgresStore

    with PostgresStore(pg_cluster.database()) as store:
        for rowid, doc in DOCS.items():
            store.upsert([_entry(rowid, doc)], now=datetime(2026, 1, 2, tzinfo=UTC))
        yield lambda s: {int(m.position) for m in store.search_rows(s, limit=100)}


@pytest.fixture(params=["sqlite", "postgresql"])
def rows(request, db: sqlite3.Connection) -> Rows:
    """A selection's rows (DOCS' numbers) on each backend."""
    if request.param == "postgresql":
        pg: Rows = request.getfixturevalue("pg_docs")
        return pg
    return lambda s: search(db, s.text)


QUERIES: dict[str, set[int]] = {
    TOPIC: {1, 2, 3, 4, 6, 7, 9},
    EXCLUDE: {4},
    "etat": {1, 2, 6, 12},
    "d'État": {1},
    "d’etat": {1},
    '"l etat"': {2, 6},
    "niger": {1, 4, 5},
    '"niger river"': {5},
    '"river niger"': set(),
    "troup*": {2, 6},
    "troop*": {3, 7},
    "troupe*": {2, 6},
    "militar*": {7},
    "militai*": {1},
    "jihad*": {3},
    "djihad*": {11},
    '"burkina fa"*': {6},
    "mali OR tchad": {2, 4, 7, 9},
    "mali -football": {2, 7},
    "mali NOT football": {2, 7},
    "mali AND coup": {4},
    "-football": ALL - {4},
    "-football -afrique": ALL - {4},
    "-(niger OR mali) -etat": {3, 8, 9, 10, 11},
    "NOT NOT niger": {1, 4, 5},
    "coup OR -afrique": ALL,
    "coup OR -(etat OR niger)": {1, 3, 4, 7, 8, 9, 10, 11},
    "title:niger": {1, 4, 5},
    "title:(niger OR mali) -title:coupe": {1, 5, 7},
    "title:etat": {1, 2},
    "title:troops": {3},
    "title:troop*": {3},
    'title:"coup d"*': {1, 9},
    "category:afr*": {1, 2, 6, 7, 8, 11},
    "lang:fr": {1, 2, 4, 6, 8, 9, 11},
    "lang:fr-ca": {6},
    "lang:en": {3, 5, 7, 10, 12},
    "lang:(fr OR en) -lang:fr-ca": ALL - {6},
    "lang:e*": {3, 5, 7, 10, 12},
    "source:desk-fr": {1, 2, 8, 9, 11},
    "source:desk": {6},
    "source:desk*": {1, 2, 6, 7, 8, 9, 11},
    "source:desk-fr*": {1, 2, 7, 8, 9, 11},
    "source:desk-fr-2": {7},
    "source:wire-en troops": {3},
    "source:fr": set(),
    'category:"west africa"': {1, 7},
    "category:afrique": {1, 2, 6, 8, 11},
    "category:football": {4},
    "football": {4},
    '"africa afrique"': set(),
    "every": set(),
    "all": set(),
    "fr": set(),
    "or": set(),
    "niger or": set(),
}


@pytest.mark.parametrize(("text", "expected"), QUERIES.items())
def test_query_rows(db: sqlite3.Connection, rows: Rows, text: str, expected: set[int]) -> None:
    assert search(db, to_fts(parse_query(text))) == expected
    assert rows(select(text)) == expected


@pytest.mark.parametrize("text", QUERIES)
def test_explain_agrees_with_the_store(rows: Rows, text: str) -> None:
    query = parse_query(text)
    found = rows(select(text))
    for rowid, doc in DOCS.items():
        assert explain(query, doc).matched == (rowid in found), (text, rowid)


TOPICS: list[tuple[str, str | None, tuple[str, ...], set[int]]] = [
    (TOPIC, EXCLUDE, ("fr", "en"), {1, 2, 3, 6, 7, 9}),
    (TOPIC, EXCLUDE, ("en",), {3, 7}),
    (TOPIC, EXCLUDE, ("fr-CA",), {6}),
    (TOPIC, None, (), {1, 2, 3, 4, 6, 7, 9}),
    (TOPIC, "  ", (), {1, 2, 3, 4, 6, 7, 9}),
    (TOPIC, "-lang:fr", (), {1, 2, 4, 6, 9}),
    ("-football", "lang:en", (), {1, 2, 6, 8, 9, 11}),
    ("-football", None, ("en",), {3, 5, 7, 10, 12}),
    ("niger", "title:niger", ("fr", "en"), set()),
]


@pytest.mark.parametrize(("query", "exclude", "languages", "expected"), TOPICS)
def test_topic_selection(
    rows: Rows,
    query: str,
    exclude: str | None,
    languages: tuple[str, ...],
    expected: set[int],
) -> None:
    found = rows(select(query, exclude, languages))
    assert found == expected
    for rowid, doc in DOCS.items():
        assert explain_topic(query, exclude, languages, doc).matched == (rowid in found)


def test_topic_selection_rejects_bad_parts() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        select("niger", "foot(", ())
    assert info.value.query == "foot(" and info.value.position == 4
    with pytest.raises(QuerySyntaxError):
        select("niger", None, ("",))


def test_fts_expression_quotes_every_token() -> None:
    assert to_fts(parse_query("-football")) == '(every : "all") NOT ({title body} : "football")'
    assert to_fts(parse_query("lang:fr")) == 'lang : ^ "fr"'
    assert to_fts(parse_query("source:desk-fr")) == 'source : ^ "desk fr endofsourcename"'
    assert to_fts(parse_query("d'État*")) == '{title body} : "d etat" *'
    assert to_fts(parse_query('category:"West Africa"')) == 'category : "west africa"'


def test_the_canonical_text_of_a_selection_does_not_change() -> None:
    """Archive URLs are named by a hash of it (feeds.publish.archive.series): a change here
    would move every published archive page."""
    assert select("sahel OR mali -football", "title:sport", ("fr", "en")).text == (
        '((({title body} : "sahel" OR (({title body} : "mali") NOT ({title body} : "football")))'
        ' NOT (title : "sport")) AND ((lang : ^ "fr") OR (lang : ^ "en")))'
    )
    assert select('source:desk-fr "d\'État*" category:"West Africa"', "  ", ("fr-CA",)).text == (
        '((source : ^ "desk fr endofsourcename" AND {title body} : "d etat" AND category : '
        '"west africa") AND ((lang : ^ "fr ca")))'
    )


INJECTIONS = [
    "NEAR(niger mali)",
    "NEAR(niger mali, 2)",
    'niger"',
    'a"b',
    '"a""b"',
    'title:"x',
    "^niger",
    "niger^",
    "{title body}: niger",
    "{title} : niger",
    "title : niger",
    "a : b",
    "every:all",
    "rowid:1",
    "niger AND",
    "AND",
    "AND niger",
    "niger + mali",
    "niger*mali",
    "*",
    "niger'*",
    "-",
    "--",
    "NOT",
    "(((",
    ")))",
    '")',
    "\x00",
    "niger\x00mali",
    "' OR 1=1 --",
    "col1:x",
    "title:^niger",
    "NEAR",
    "near(niger)",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_safe(rows: Rows, text: str) -> None:
    try:
        query = parse_query(text)
    except QuerySyntaxError:
        return
    assert rows(select(text)) == {r for r, d in DOCS.items() if explain(query, d).matched}


SYNTAX = [
    "niger", "mali", "État", "d'", "’", '"', "(", ")", "-", "*", ":", "^", "{", "}", "+",
    "OR", "AND", "NOT", "NEAR", "title:", "lang:", "source:", "category:", "foo:", " ", ",",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(SYNTAX), max_size=20).map("".join)))
def test_any_text_parses_or_raises_syntax_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QuerySyntaxError as e:
        assert 0 <= e.position <= len(text)
        return
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(SCHEMA)
        conn.execute(
            "INSERT INTO entries_fts VALUES ('Coup d’État au Niger', 'x', 'fr', 'a', '', 'all')"
        )
        rows = conn.execute(
            "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?", (to_fts(query),)
        ).fetchall()
    finally:
        conn.close()
    doc = Document("Coup d’État au Niger", "x", "fr", "a")
    assert explain(query, doc).matched == bool(rows)
    assert parse_query(str(query)).root == query.root


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(SYNTAX), max_size=20).map("".join)))
def test_postgresql_selects_what_explain_matches(pg_docs: Rows, text: str) -> None:
    try:
        query = parse_query(text)
    except QuerySyntaxError:
        return
    assert pg_docs(select(text)) == {r for r, d in DOCS.items() if explain(query, d).matched}


RANGES = [(0x20, 0x250), (0x370, 0x528), (0x600, 0x700), (0x1E00, 0x1F00), (0x2000, 0x2070)]


def test_tokens_agree_with_unicode61(db: sqlite3.Connection) -> None:
    """fold/tokens split and fold like SQLite for Latin, Greek, Cyrillic, Arabic, punctuation."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    codes = [c for lo, hi in RANGES for c in range(lo, hi)]
    conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", [(c, f"q{chr(c)}q") for c in codes])
    seen: dict[int, list[str]] = {}
    for term, doc in conn.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
        seen.setdefault(doc, []).append(term)
    conn.close()
    wrong = [c for c in codes if tuple(seen[c]) != tokens(f"q{chr(c)}q")]
    # Characters newer than SQLite's Unicode tables (Ϳ), and Ǡ/ǡ which SQLite does not strip.
    assert [hex(c) for c in wrong] == ["0x1e0", "0x1e1", "0x37f"]


OPENERS = ["(", "(a OR ", "(a ", "-", "-(", "-(a OR ", "title:(a OR -", "(a OR b) -(", "NOT (b "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(OPENERS), min_size=1, max_size=30))
def test_deep_nesting_is_refused_before_fts5_overflows(openers: list[str]) -> None:
    text = "".join(openers) + "z" + ")" * sum(o.count("(") - o.count(")") for o in openers)
    try:
        query = parse_query(text)
    except QuerySyntaxError as e:
        assert "nested too deeply" in e.message
        return
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(SCHEMA)
        conn.execute("SELECT * FROM entries_fts WHERE entries_fts MATCH ?", (to_fts(query),))
    finally:
        conn.close()
