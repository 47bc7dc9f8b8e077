"""lemon24's reader as a contender: ``update_feeds()`` over the loopback feeds.

Run in its own process (``python -m bench.reader_run DB BASE_URL FEEDS PHASE...``) so that
its CPU and peak RSS are measured apart from everything else. For each phase it reads one
line on stdin (the harness switches the server between phases), runs ``update_feeds()``,
and prints one JSON line: phase, wall, cpu, entries stored. reader is an optional
dependency (``pip install -e '.[bench]'``; it needs sgmllib3k beside it).
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str]) -> None:
    db, base_url, feeds, *phases = argv
    from reader import make_reader  # imported here so that a missing extra fails clearly

    reader = make_reader(db)
    for i in range(int(feeds)):
        reader.add_feed(f"{base_url}/f/{i}", exist_ok=True)
    print(json.dumps({"ready": True}), flush=True)
    for phase in phases:
        sys.stdin.readline()
        wall, cpu = time.perf_counter(), _cpu()
        reader.update_feeds(scheduled=False)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        entries = reader.get_entry_counts().total
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out = {"phase": phase, "wall": wall, "cpu": cpu, "entries": entries, "rss_mb": rss}
        print(json.dumps(out), flush=True)
    reader.close()


if __name__ == "__main__":
    main(sys.argv[1:])
