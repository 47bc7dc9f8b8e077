"""A store with N entries, written straight into SQLite for the history benchmark.

Building a million entries through ingest would take longer than the benchmark itself, so
this bulk path writes rows as ``Store.upsert`` would (same columns, same FTS row: plain
text title and body, language, source, categories, "all") with ``executemany`` in one
transaction, then merges the search index as the daemon's daily maintenance does. The file
is kept and reused while its size matches.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import timedelta
from pathlib import Path

from bench.gen import BASE, FILLER_EN, FILLER_FR, _words
from feeds.models import Entry
from feeds.normalize.entry import with_hash
from feeds.store.sqlite.store import Store, ts
from feeds.topics.query import source_column

SOURCES = 100
_COLUMNS = (
    "rowid, id, source, title, link, summary, content, authors, published, updated, "
    "language, categories, page, hash, first_seen, newest_so_far"
)


#: Text seeds of the entries the republish phase adds: the same 50 texts at every size, so
#: the topics they land in (the work of the republish) are the same and only the size differs.
ADDED_SEED = 10**9


def history_entry(k: int, *, seed: int | None = None) -> Entry:
    """Entry ``k`` of the history (its id and date); its text is drawn from ``seed`` [k]."""
    seed = k if seed is None else seed
    rng = random.Random(9_000_011 + seed)
    lang = "fr" if seed % 3 == 0 else "en"
    filler = FILLER_FR if lang == "fr" else FILLER_EN
    when = BASE + timedelta(minutes=k)
    return with_hash(
        Entry(
            id=f"https://history.example/{k}",
            source=f"h{k % SOURCES:03d}",
            title=_words(rng, filler, 8).capitalize(),
            link=f"https://history.example/{k}.html",
            summary=f"<p>{_words(rng, filler, 24)}</p>",
            content="",
            authors=(f"Reporter {k % 20}",),
            published=when,
            updated=when,
            language=lang,
            categories=("World",),
        )
    )


def _rows(start: int, stop: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    entries: list[tuple[object, ...]] = []
    fts: list[tuple[object, ...]] = []
    for k in range(start, stop):
        e = history_entry(k)
        stamp = ts(e.published)
        entries.append(
            (k + 1, e.id, e.source, e.title, e.link, e.summary, e.content,
             json.dumps(list(e.authors)), stamp, stamp, e.language,
             json.dumps(list(e.categories)), None, e.hash, stamp, stamp)
        )  # fmt: skip
        # History dates grow with k, so the newest date so far is the entry's own.
        body = e.summary[3:-4]  # the plain text of "<p>…</p>" (no markup inside)
        fts.append((k + 1, e.title, body, e.language, source_column(e.source), "World"))
    return entries, fts


def build(path: Path, count: int) -> None:
    """A store at ``path`` holding exactly ``count`` history entries (reused if it does)."""
    if path.exists():
        db = sqlite3.connect(path)
        have = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        db.close()
        if have == count:
            _maintained(path)  # and migrated to this version of the schema, if older
            return
        path.unlink()
    Store(path).close()  # the schema, through the store's own migrations
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for start in range(0, count, 50_000):
        entries, fts = _rows(start, min(count, start + 50_000))
        db.executemany(f"INSERT INTO entries ({_COLUMNS}) VALUES ({', '.join('?' * 16)})", entries)
        db.executemany("INSERT INTO entries_fts (rowid, title, body, lang, source, category, "
                       "every) VALUES (?, ?, ?, ?, ?, ?, 'all')", fts)  # fmt: skip
    db.execute("COMMIT")
    db.close()
    _maintained(path)


def _maintained(path: Path) -> None:
    """The store as the daemon's daily ``Store.maintain`` keeps a long-lived one (its search
    index merged), unless it is already."""
    with Store(path) as store:
        if store.maintenance_due(BASE + timedelta(days=10_000)):
            store.maintain(BASE)
