"""The naive pipeline the issue compares against: httpx → feedparser → SQLite → a regex per
topic → feedgen, written the obvious way.

Conditional GETs (a 304 skips the feed), feedparser with its defaults (its sanitizer and URI
resolution on), one INSERT OR REPLACE per entry, then every topic's regex over every stored
entry and a feedgen feed per topic on every run. Like ``bench.run_feeds``, it takes one
command per stdin line (``update`` or ``quit``) and answers one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

import feedparser
import httpx
from feedgen.feed import FeedGenerator

from bench.gen import TOPIC_WORDS


def topic_regex(query: str) -> re.Pattern[str]:
    """Any of the query's words (the naive reading of a boolean query)."""
    words = [w.strip('"()*-').removeprefix("title:") for w in query.split()]
    words = [re.escape(w) for w in words if w and w not in ("OR", "AND", "NOT")]
    return re.compile(r"\b(?:" + "|".join(words) + r")", re.IGNORECASE)


async def fetch_all(db: sqlite3.Connection, urls: list[str]) -> list[tuple[str, bytes]]:
    limit = asyncio.Semaphore(20)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(url: str) -> tuple[str, bytes] | None:
            row = db.execute("SELECT etag FROM feeds WHERE url = ?", (url,)).fetchone()
            headers = {"If-None-Match": row[0]} if row and row[0] else {}
            async with limit:
                response = await client.get(url, headers=headers)
            if response.status_code == 304:
                return None
            etag = response.headers.get("etag")
            db.execute("INSERT OR REPLACE INTO feeds VALUES (?, ?)", (url, etag))
            return url, response.content

        results = await asyncio.gather(*(one(u) for u in urls))
    return [r for r in results if r is not None]


def store(db: sqlite3.Connection, url: str, body: bytes) -> int:
    parsed = feedparser.parse(body)
    with db:
        for e in parsed.entries:
            db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (e.get("id") or e.get("link"), url, e.get("title", ""), e.get("link", ""),
                 e.get("summary", ""), e.get("published", "")),
            )  # fmt: skip
    return len(parsed.entries)


def publish(db: sqlite3.Connection, public: Path) -> None:
    rows = db.execute("SELECT * FROM entries ORDER BY published DESC").fetchall()
    for slug, query in TOPIC_WORDS:
        pattern = topic_regex(query)
        matches = [r for r in rows if pattern.search(r[2]) or pattern.search(r[4])][:50]
        fg = FeedGenerator()
        fg.id(f"http://bench.example/{slug}.atom")
        fg.title(slug)
        fg.link(href=f"http://bench.example/{slug}.atom", rel="self")
        for r in matches:
            fe = fg.add_entry(order="append")
            fe.id(r[0])
            fe.title(r[2] or "-")
            fe.link(href=r[3])
            fe.summary(r[4])
        (public / f"{slug}.atom").write_bytes(fg.atom_str(pretty=True))


def main(argv: list[str]) -> None:
    folder, base_url, feeds = Path(argv[0]), argv[1], int(argv[2])
    (folder / "public").mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / "naive.sqlite3")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, feed TEXT, title TEXT, "
        "link TEXT, summary TEXT, published TEXT)"
    )
    urls = [f"{base_url}/f/{i}" for i in range(feeds)]
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        started = time.perf_counter()
        bodies = asyncio.run(fetch_all(db, urls))
        db.commit()
        new = sum(store(db, url, body) for url, body in bodies)
        publish(db, folder / "public")
        wall = time.perf_counter() - started
        print(json.dumps({"phase": line.strip(), "wall": wall, "parsed": new}), flush=True)
    db.close()


if __name__ == "__main__":
    main(sys.argv[1:])
