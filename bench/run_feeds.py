"""feeds as a contender: ingest + publish through the library, one phase per stdin line.

``python -m bench.run_feeds CONFIG`` loads the config, opens the store, prints ``ready``,
then for each line on stdin (``ingest``, ``regenerate``, ``digest`` or ``quit``) runs that
phase and prints one JSON line: its wall time and what ingest found; ``digest`` answers a
hash of the store's entries and of public/ (the harness compares digests between runs with
and without an optimization), worked out in a child process so that reading everything does
not grow the contender's memory in later phases.
``now`` is fixed per phase, so two runs store and publish the same bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from lxml import etree

from bench.gen import BASE
from bench.history import ADDED_SEED, history_entry
from feeds.config.loader import load_config
from feeds.ingest.flow import ingest
from feeds.publish.flow import regenerate
from feeds.semantic.embedder import load_embedder
from feeds.semantic.flow import update_config
from feeds.store.sqlite.store import Store

#: "now" of the first phase; each phase is one day later (after every generated date).
NOW = BASE + timedelta(days=400)
ATOM = "{http://www.w3.org/2005/Atom}"


def digest(db_path: Path, public: Path) -> str:
    """sha256 of every stored entry (all columns but those of arrival order) and every file
    under public/."""
    h = hashlib.sha256()
    db = sqlite3.connect(db_path)
    try:
        # Every column but those of arrival order (rowid, newest_so_far): concurrent fetches
        # arrive in no fixed order, with or without an optimization.
        columns = [r[1] for r in db.execute("PRAGMA table_info(entries)")]
        kept = ", ".join(c for c in columns if c not in ("rowid", "newest_so_far"))
        for row in db.execute(f"SELECT {kept} FROM entries ORDER BY id"):
            h.update(json.dumps(list(row), ensure_ascii=False).encode())
    finally:
        db.close()
    topics: dict[str, set[bytes]] = {}
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        rel = path.relative_to(public)
        if rel.parts[0] == "archive" and path.suffix == ".atom":
            topics.setdefault(rel.parts[1], set()).update(_entries(path))
        elif (
            len(rel.parts) == 1 and (public / f"{path.stem}.atom").is_file() and path.stem[0] != "_"
        ):
            if path.suffix == ".atom":  # the .rss and .json siblings hold the same stories
                topics.setdefault(path.stem, set()).update(_entries(path))
        else:
            h.update(str(rel).encode() + b"\0" + path.read_bytes())
    for topic, entries in sorted(topics.items()):
        h.update(topic.encode() + b"\0" + b"\0".join(sorted(entries)))
    return h.hexdigest()


def _entries(path: Path) -> list[bytes]:
    """The entries of a topic's Atom document (current feed or RFC 5005 archive page), each
    as bytes, without the related links of story grouping.

    Arrival order (the store's rowid) decides which page holds an entry, what the current
    feed keeps past its newest ``feed_size`` (#15 item 14) and which copy of a story is
    shown (#15 item 16), and concurrent fetches arrive in no fixed order, with or without
    the parse pool. What must match is which entries a topic publishes, over its current
    feed and its archives, and how each is written.
    """
    root = etree.parse(str(path)).getroot()
    out = []
    for e in root.iterfind(f"{ATOM}entry"):
        for link in e.findall(f"{ATOM}link[@rel='related']"):
            e.remove(link)
        # Exclusive C14N: the namespaces a page declares but the entry does not use go.
        out.append(etree.tostring(e, method="c14n", exclusive=True, with_tail=False))
    return out


def main(argv: list[str]) -> None:
    if argv[0] == "--digest":  # in a child: reading everything would grow the contender
        print(digest(Path(argv[1]), Path(argv[2])))
        return
    config = load_config(Path(argv[0]))
    db_path = config.settings.data_dir / "feeds.sqlite3"
    store = Store(db_path)
    if any(t.about for t in config.topics):  # loaded and warm once, as in the daemon
        load_embedder().embed(["warm"])
    print(json.dumps({"ready": True}), flush=True)
    for day, line in enumerate(sys.stdin):
        command = line.strip()
        if command == "quit":
            break
        if command.startswith("add "):  # history, "add FIRST ROUND": 50 new entries, untimed
            first, rounds = (int(word) for word in command.split()[1:])
            seed = ADDED_SEED + 100 * rounds
            added = [history_entry(first + k, seed=seed + k) for k in range(50)]
            store.upsert(added, now=NOW)
            print(json.dumps({"added": 50}), flush=True)
            continue
        if command == "digest":  # apart: its cost must not count in a phase, nor its memory
            child = [sys.executable, "-m", "bench.run_feeds", "--digest", str(db_path),
                     str(config.settings.public_dir)]  # fmt: skip
            answer = subprocess.run(child, capture_output=True, text=True, check=True)
            print(json.dumps({"digest": answer.stdout.strip()}), flush=True)
            continue
        now = NOW + timedelta(days=day)
        started = time.perf_counter()
        result: dict[str, object] = {"phase": command}
        if command == "ingest":
            reports = asyncio.run(ingest(config, store, now=now))
            result["ingest_wall"] = time.perf_counter() - started
            result["new"] = sum(r.new for r in reports)
            result["changed"] = sum(r.changed for r in reports)
            result["failed"] = [r.message for r in reports if not r.ok][:3]
            if any(t.about for t in config.topics):  # topics by meaning (bench.semantic)
                began, cpu = time.perf_counter(), time.process_time()
                embedded = update_config(config, store).embedded
                result["semantic_wall"] = time.perf_counter() - began
                result["semantic_cpu"] = time.process_time() - cpu
                result["embedded"] = embedded
        regenerate(config, store, now=now)
        result["wall"] = time.perf_counter() - started
        print(json.dumps(result), flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
