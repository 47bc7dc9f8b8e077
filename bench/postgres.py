"""``python -m bench.postgres``: the PostgreSQL store against SQLite, and several nodes.

1. passes: ``feeds update`` on N loopback feeds × M entries (bench.server, the 20 topics),
   cold then revalidation (every feed answers 304), once per backend;
2. fetch-bound: ``feeds run`` on 1, 2 and 4 nodes sharing one PostgreSQL, every response
   50 ms late, the feeds spread over loopback addresses 127.0.0.1-127.0.0.H (the per-host
   limit is the cluster's); throughput = feeds fetched per second from the first request
   to the last;
3. lease claims: threads, each with its own store, claiming distinct sources as fast as
   they can (all contending on one table): claims per second.

The PostgreSQL server is a throwaway cluster (tests/pgserver.py). Prints a table and writes
``workdir/postgres.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import gen
from bench.__main__ import ROOT, server, set_generation, site

sys.path.insert(0, str(ROOT / "tests"))
from pgserver import cluster  # noqa: E402

RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F{i}</title>'
    "<link>http://example.org/</link><description>d</description>{items}</channel></rss>"
)
ITEM = (
    "<item><guid>http://example.org/{i}/{j}</guid><title>Story {i} {j}</title>"
    "<description>Story {j} of feed {i}.</description>"
    "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>"
)


def options() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.postgres")
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--entries", type=int, default=50)
    p.add_argument("--fetch-feeds", type=int, default=400)
    p.add_argument("--hosts", type=int, default=40)
    p.add_argument("--delay", type=float, default=0.05)
    p.add_argument("--nodes", default="1,2,4")
    p.add_argument("--claimers", type=int, default=4)
    p.add_argument("--claims", type=int, default=5000, help="per claimer")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/feeds-bench-pg"))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only-nodes", action="store_true", help="only the fetch-bound runs")
    args = p.parse_args()
    if args.quick:
        args.feeds, args.entries, args.fetch_feeds, args.claims = 30, 10, 40, 200
    return args


def _feeds(config: Path, *argv: str, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "feeds", "--config", str(config), *argv]
    subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, timeout=3600)
    return time.perf_counter() - started


def passes(args: argparse.Namespace, pg: Any) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with server(args.feeds, args.entries) as url:
        for backend in ("sqlite", "postgresql"):
            set_generation(url, 0)
            text = gen.config_text(url, args.feeds)
            if backend == "postgresql":
                text = text.replace("[settings]\n", f'[settings]\nstore = "{pg.database()}"\n', 1)
            config = site(args.workdir / backend, text)
            out[backend] = {
                "cold": _feeds(config, "update"),
                "revalidation": _feeds(config, "update"),
            }
    return out


async def _delayed_server(hosts: int, port: int, delay: float, log: list[float]) -> None:
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        log.append(time.monotonic())
        i = int(request.match_info["i"])
        items = "".join(ITEM.format(i=i, j=j) for j in range(5))
        return web.Response(body=RSS.format(i=i, items=items).encode(),
                            content_type="application/rss+xml")  # fmt: skip

    app = web.Application()
    app.router.add_get("/f/{i}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for h in range(1, hosts + 1):  # loopback addresses only
        await web.TCPSite(runner, f"127.0.0.{h}", port).start()
    await asyncio.Event().wait()


def fetch_bound(args: argparse.Namespace, pg: Any) -> dict[int, float]:
    from test_daemon import free_port

    port, log = free_port(), []
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete,
                              args=(_delayed_server(args.hosts, port, args.delay, log),),
                              daemon=True)  # fmt: skip
    thread.start()
    out: dict[int, float] = {}
    for n in (int(x) for x in args.nodes.split(",")):
        log.clear()
        out[n] = _cluster_run(args, pg.database(), port, n, log)
    return out


def _cluster_run(
    args: argparse.Namespace, store: str, port: int, n: int, log: list[float]
) -> float:
    lines = ["[settings]", f'store = "{store}"', 'base_url = "http://bench.example/"',
             'languages = ["en"]', 'interval = "1h"', ""]  # fmt: skip
    for i in range(args.fetch_feeds):
        host = f"127.0.0.{i % args.hosts + 1}"
        lines += ["[[sources]]", f'name = "f{i}"', f'url = "http://{host}:{port}/f/{i}"',
                  'language = "en"', ""]  # fmt: skip
    lines += ["[[topics]]", 'slug = "all"', 'title = "All"', 'query = "story"']
    config = site(args.workdir / f"nodes-{n}", "\n".join(lines) + "\n")
    procs = []
    for k in range(n):
        env = {**os.environ, "FEEDS_NODE": f"n{k}", "FEEDS_HEARTBEAT": "1",
               "FEEDS_DATA_DIR": str(config.parent / f"n{k}" / "data"),
               "FEEDS_PUBLIC_DIR": str(config.parent / f"n{k}" / "public")}  # fmt: skip
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "feeds", "--config", str(config), "run", "--no-serve"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
    end = time.monotonic() + 600
    while len(log) < args.fetch_feeds and time.monotonic() < end:
        time.sleep(0.05)
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(timeout=30)
    if len(log) < 2:
        return 0.0
    return (len(log) - 1) / (log[-1] - log[0])


def claim_rate(args: argparse.Namespace, pg: Any) -> float:
    from feeds.store.postgres.store import PostgresStore

    url = pg.database()
    done: list[int] = []

    def claimer(k: int) -> None:
        with PostgresStore(url) as store:
            got = 0
            for i in range(args.claims):
                claim = store.claim(f"node{k}", f"s{k}-{i}", host=None, ttl=timedelta(hours=1),
                                    fresh_for=timedelta(minutes=5), host_limit=2)  # fmt: skip
                got += claim.token is not None
            done.append(got)

    threads = [threading.Thread(target=claimer, args=(k,)) for k in range(args.claimers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def main() -> None:
    args = options()
    args.workdir.mkdir(parents=True, exist_ok=True)
    with cluster() as pg:
        if args.only_nodes:
            print(json.dumps(fetch_bound(args, pg)))  # noqa: T201
            return
        results: dict[str, Any] = {"passes": passes(args, pg)}
        results["fetch_bound"] = fetch_bound(args, pg)
        results["claims_per_second"] = claim_rate(args, pg)
    (args.workdir / "postgres.json").write_text(json.dumps(results, indent=2))
    p = results["passes"]
    for phase in ("cold", "revalidation"):
        ratio = p["postgresql"][phase] / p["sqlite"][phase]
        print(
            f"{phase:13} sqlite {p['sqlite'][phase]:7.2f} s  postgresql "  # noqa: T201
            f"{p['postgresql'][phase]:7.2f} s  ratio {ratio:.2f}"
        )
    one = results["fetch_bound"].get(1) or 1.0
    for n, rate in results["fetch_bound"].items():
        print(f"fetch-bound {n} node(s): {rate:7.1f} feeds/s  ({rate / one:.2f}x one)")  # noqa: T201
    print(
        f"lease claims: {results['claims_per_second']:.0f}/s "  # noqa: T201
        f"({args.claimers} claimers)"
    )


if __name__ == "__main__":
    main()
