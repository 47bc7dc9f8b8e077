"""The store's schema, step by step: ``PRAGMA user_version`` N says which steps ran, and
``to_N`` takes a store from schema N - 1 to N (all of one step in one transaction, made by
the caller). Only SQL; must not import the rest of feeds but ``feeds.topics.query``'s
end-of-name token (schema 5).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from feeds.topics.query import SOURCE_END

_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    authors TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL,
    language TEXT NOT NULL,
    categories TEXT NOT NULL,
    page TEXT,
    hash TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE INDEX entries_by_published ON entries (published DESC, id);
CREATE INDEX entries_by_source ON entries (source);
CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, body, lang, source, category, every,
    tokenize = "unicode61 remove_diacritics 2"
);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    configured_url TEXT,
    url TEXT,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_attempt TEXT,
    last_success TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    message TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_due TEXT,
    retry_after TEXT
);
CREATE TABLE topics (
    slug TEXT PRIMARY KEY,
    digest TEXT,
    published_at TEXT,
    entries INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE pages (path TEXT PRIMARY KEY, hash TEXT NOT NULL);
"""

# Publishing for readers (issue 5): RFC 5005 archive pages that are complete (frozen: never
# rewritten; the page ends at last_rowid), and WebSub pings that failed (retried later).
_SCHEMA_2 = """
CREATE TABLE archive_pages (
    slug TEXT NOT NULL,
    series TEXT NOT NULL,
    page INTEGER NOT NULL,
    last_rowid INTEGER NOT NULL,
    PRIMARY KEY (slug, series, page)
);
CREATE TABLE websub_pending (
    hub TEXT NOT NULL,
    topic_url TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    PRIMARY KEY (hub, topic_url)
);
"""

# Publishing only what changed (issue 7): each topic keeps the state key of what it last
# published (and how many stories it showed), so a regenerate where nothing changed renders
# nothing; article pages are found through a partial index.
_SCHEMA_3 = """
ALTER TABLE topics ADD COLUMN state TEXT;
ALTER TABLE topics ADD COLUMN shown INTEGER NOT NULL DEFAULT 0;
CREATE INDEX entries_with_page ON entries (page) WHERE page IS NOT NULL;
"""


def _microseconds(table: str, *columns: str) -> str:
    """SQL turning second-precision times in ``columns`` into the microsecond format."""
    return "".join(
        f"UPDATE {table} SET {c} = substr({c}, 1, 19) || '.000000Z' WHERE length({c}) = 20;\n"
        for c in columns
    )


# Sub-second times (issue 5): article files dropped together differ in their file times'
# fractions, and so do their entries' dates (the W3C validator warns on equal updated
# dates). Every stored time gets the one fixed-width format, which still sorts as text.
_SCHEMA_4 = (
    _microseconds("entries", "published", "updated", "first_seen")
    + _microseconds("sources", "last_attempt", "last_success", "next_due", "retry_after")
    + _microseconds("topics", "published_at")
)

# Exact ``source:`` filters (issue 2): the source column ends with an end-of-name token.
_SCHEMA_5 = (
    f"UPDATE entries_fts SET source = source || ' {SOURCE_END}' "
    f"WHERE source NOT LIKE '% {SOURCE_END}';\n"
)

# Newest first at any size (issue 7): each entry keeps the newest ``published`` of every
# entry that arrived up to it (rowid order; entries are never deleted and ``published``
# never changes), so "did any earlier arrival sort before this one?" is one index lookup,
# not a scan of every newer entry (see ``Store._newest_by_rowid``).
_SCHEMA_6 = """
ALTER TABLE entries ADD COLUMN newest_so_far TEXT;
UPDATE entries SET newest_so_far = w.newest
FROM (SELECT rowid AS r, max(published) OVER (ORDER BY rowid) AS newest FROM entries) AS w
WHERE entries.rowid = w.r;
"""

# Republish in proportion to change (issue 7): a topic remembers the store's mark when it
# was last rendered (the last rowid, and how many times a stored entry had been edited:
# triggers count every update or delete, whatever code makes it), the basis of its state
# (all it depends on but its matches) and its archive pages. While the basis and the edits
# are the same and no match arrived after the mark, its state is the same, without reading
# its matches; and its match count grows by those that arrived since, without counting all.
# (A trigger's statement ends with "; " and not at a line's end, where migrations split.)
# Dates before the year 1000 were written with fewer than four digits of year ("999-…"):
# they sorted after every other and could not be read back; they get their zeros.
_SCHEMA_7 = """
ALTER TABLE topics ADD COLUMN mark_rowid INTEGER;
ALTER TABLE topics ADD COLUMN mark_edits INTEGER;
ALTER TABLE topics ADD COLUMN basis TEXT;
ALTER TABLE topics ADD COLUMN pages INTEGER NOT NULL DEFAULT 0;
UPDATE entries SET published = substr('000', 1, 5 - instr(published, '-')) || published
WHERE instr(published, '-') BETWEEN 2 AND 4;
UPDATE entries SET updated = substr('000', 1, 5 - instr(updated, '-')) || updated
WHERE instr(updated, '-') BETWEEN 2 AND 4;
UPDATE entries SET newest_so_far = w.newest
FROM (SELECT rowid AS r, max(published) OVER (ORDER BY rowid) AS newest FROM entries
      WHERE EXISTS (SELECT 1 FROM entries WHERE instr(newest_so_far, '-') BETWEEN 2 AND 4)) AS w
WHERE entries.rowid = w.r;
INSERT OR IGNORE INTO meta (key, value) VALUES ('edits', '0');
CREATE TRIGGER entries_edited AFTER UPDATE ON entries BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'edits'; END;
CREATE TRIGGER entries_deleted AFTER DELETE ON entries BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'edits'; END;
"""

# Cheaper writes (issue 7): ``entries_by_published`` took every new entry at a random place,
# so each commit of a bulk ingest rewrote pages all over it: a good part of the bytes the
# ingest wrote (WAL and checkpoints).
# Newest-first search sorts its candidates itself; what it asked of the index, in
# ``Store._newest_by_rowid``, was whether an earlier arrival ties with the date of the
# newest so far, and every such entry was, when it arrived, at the newest so far. A
# partial index of those entries grows at its end.
_SCHEMA_8 = """
DROP INDEX IF EXISTS entries_by_published;
CREATE INDEX entries_at_newest ON entries (published, id) WHERE published = newest_so_far;
"""

# Article folders (#15 items 16 and 17): the file each article came from (a renamed file
# keeps its id, a deleted one is found), and retractions (see feeds.store.sqlite.articles).
_SCHEMA_9 = """
ALTER TABLE entries ADD COLUMN retracted TEXT;
CREATE INDEX entries_retracted ON entries (retracted) WHERE retracted IS NOT NULL;
CREATE TABLE article_files (
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    id TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (source, path)
);
CREATE VIRTUAL TABLE retracted_fts USING fts5(
    title, body, lang, source, category, every,
    tokenize = "unicode61 remove_diacritics 2"
);
"""

# Alerts (#18): each topic's targets (by a hash of the URL: the store never keeps the URL,
# which may hold a password), the entries each has seen, and the outbox of deliveries: one
# row per message, recorded before it is sent and marked sent after (see
# feeds.decide.notify and feeds.store.sqlite.notify).
_SCHEMA_10 = """
CREATE TABLE notify_targets (
    topic TEXT NOT NULL,
    target TEXT NOT NULL,
    baseline INTEGER NOT NULL,
    since TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    last_error TEXT,
    last_attempt TEXT,
    last_success TEXT,
    PRIMARY KEY (topic, target)
);
CREATE TABLE notify_seen (
    topic TEXT NOT NULL,
    target TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (topic, target, entry)
) WITHOUT ROWID;
CREATE TABLE notify_outbox (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    created TEXT NOT NULL,
    due TEXT NOT NULL,
    entries TEXT NOT NULL,
    watching INTEGER NOT NULL DEFAULT 0,
    frozen INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent TEXT
);
CREATE INDEX notify_unsent ON notify_outbox (topic, target, created) WHERE sent IS NULL;
"""

# Full text (#19): the last try of each entry's article page, so that a page is fetched once
# per entry and again only when the feed changes the entry (feeds.decide.fulltext).
_SCHEMA_11 = """
CREATE TABLE article_texts (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    feed_hash TEXT NOT NULL,
    content TEXT NOT NULL,
    failure TEXT,
    permanent INTEGER NOT NULL DEFAULT 0,
    tries INTEGER NOT NULL DEFAULT 0,
    tried TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (source, id)
);
"""

# Topics by meaning (#21): each entry's vector per encoder (``hash`` is the entry's hash when
# it was embedded: a changed entry is embedded again), each ``about`` topic's matches (by
# its key, feeds.topics.about.About.key), and how far each topic's matching has gone (the
# last rowid decided, with which encoder), and the store's mark when each encoder last had
# every entry embedded.
_SCHEMA_12 = """
CREATE TABLE entry_vectors (
    rowid INTEGER NOT NULL,
    embedder TEXT NOT NULL,
    hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (embedder, rowid)
) WITHOUT ROWID;
CREATE TABLE semantic_matches (
    topic TEXT NOT NULL,
    rowid INTEGER NOT NULL,
    PRIMARY KEY (topic, rowid)
) WITHOUT ROWID;
CREATE TABLE semantic_topics (
    topic TEXT PRIMARY KEY,
    embedder TEXT NOT NULL,
    upto INTEGER NOT NULL
);
CREATE TABLE embedded (
    embedder TEXT PRIMARY KEY,
    mark_rowid INTEGER NOT NULL,
    mark_edits INTEGER NOT NULL
);
"""


def _run(db: sqlite3.Connection, script: str, version: int) -> None:
    """Run one step's statements, then mark the store as of ``version``."""
    # Not executescript(): it would commit half-way; a migration is all or nothing.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")


def to_1(db: sqlite3.Connection) -> None:
    """Entries with their search index, sources, topics, pages."""
    _run(db, _SCHEMA_1, 1)


def to_2(db: sqlite3.Connection) -> None:
    """Archive pages and pending WebSub pings."""
    _run(db, _SCHEMA_2, 2)


def to_3(db: sqlite3.Connection) -> None:
    """Topic state keys; article pages indexed."""
    _run(db, _SCHEMA_3, 3)


def to_4(db: sqlite3.Connection) -> None:
    """Microsecond times."""
    _run(db, _SCHEMA_4, 4)


def to_5(db: sqlite3.Connection) -> None:
    """The end-of-name token of the source column."""
    _run(db, _SCHEMA_5, 5)


def to_6(db: sqlite3.Connection) -> None:
    """``newest_so_far``."""
    _run(db, _SCHEMA_6, 6)


def to_7(db: sqlite3.Connection) -> None:
    """Topic marks and bases; the edit counter; four-digit years."""
    _run(db, _SCHEMA_7, 7)


def to_8(db: sqlite3.Connection) -> None:
    """``entries_at_newest`` instead of ``entries_by_published``."""
    _run(db, _SCHEMA_8, 8)


def to_9(db: sqlite3.Connection) -> None:
    """Article files and retractions."""
    _run(db, _SCHEMA_9, 9)


def to_10(db: sqlite3.Connection) -> None:
    """Alerts: targets, what each has seen, the outbox."""
    _run(db, _SCHEMA_10, 10)


def to_11(db: sqlite3.Connection) -> None:
    """Article pages' texts (full text)."""
    _run(db, _SCHEMA_11, 11)


def to_12(db: sqlite3.Connection) -> None:
    """Entry vectors and semantic matches."""
    _run(db, _SCHEMA_12, 12)


#: ``STEPS[N - 1]`` is ``to_N``.
STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    to_1, to_2, to_3, to_4, to_5, to_6, to_7, to_8, to_9, to_10, to_11, to_12,
)  # fmt: skip
SCHEMA_VERSION = len(STEPS)


def steps_after(version: int) -> tuple[Callable[[sqlite3.Connection], None], ...]:
    """The steps a store of schema ``version`` has yet to run, in order."""
    return STEPS[version:]
