"""``python -m bench`` (``make bench``): feeds against lemon24's reader and a naive pipeline.

One invocation starts the loopback server (bench.server, a separate process) and runs:

1. cold: empty store, N feeds × M entries, 20 topics, ingest + publish;
2. revalidation: the same feeds again, every one answering 304;
3. churn: 10% of the feeds gain 5 entries;
4. history: publish 20 topics over 10k then 1M stored entries (first publish, and republish
   after 50 new entries: the median of five rounds, the same entries at either size);
5. articles: a folder of 10,000 article files, cold then unchanged;
6. full text: N feeds of teasers with ``full_text = true``, cold (every article page of a
   news site's size fetched, robots.txt asked, the text extracted), and the extraction's
   CPU per page alone (bench.gen, "full text").

6. semantic (with the extra feeds[semantic]): the cold pass of the first 100 feeds
   (--semantic-feeds) without and with a topic by meaning, texts embedded per second, the
   daemon's cost (bench.semantic).

``--only CASES`` runs some of them (comma-separated: fetch, feeds, feeds-reference, reader,
naive, history, articles, full-text, semantic).

``python -m bench steady`` measures the daemon's steady state instead, and ``python -m bench
soak --minutes 60`` its memory over an hour (bench.steady); ``make bench`` runs both this and
``steady``.

Each contender runs in its own process; CPU and peak RSS are those of its whole process tree
(bench.measure). feeds runs twice, with and without its optimizations (``FEEDS_PARSE_WORKERS=0``
turns the worker processes off, for parsing and for publishing; ``FEEDS_FAST_PARSE=0`` the
lxml fast path), and the store and public/ must come out byte-identical: the benchmark fails
otherwise. It prints a table and writes JSON (``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from bench import gen
from bench.contender import Contender
from bench.report import print_table, print_targets
from bench.semantic import semantic_phases

ROOT = Path(__file__).resolve().parent.parent
#: What ``--only`` may name, in the order they run.
CASES = (
    "fetch", "feeds", "feeds-reference", "reader", "naive", "history", "articles", "full-text",
    "semantic",
)  # fmt: skip
#: Article pages whose extraction is timed alone (full-text case).
EXTRACTION_SAMPLE = 200
#: Republishes measured at each history size (each after 50 new entries); the median counts.
REPUBLISH_ROUNDS = 5


def options(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--entries", type=int, default=50)
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--history", default="10000,1000000", help="stored entries, comma-separated")
    p.add_argument("--full-text-entries", type=int, default=10, help="teasers per full-text feed")
    p.add_argument("--only", default=",".join(CASES), help="cases to run, comma-separated")
    p.add_argument("--semantic-feeds", type=int, default=100, help="feeds of the semantic case")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    p.add_argument("--no-reader", action="store_true", help="skip lemon24's reader")
    p.add_argument("--no-naive", action="store_true", help="skip the naive pipeline")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/feeds-bench"))
    p.add_argument("--json", type=Path, default=None, help="results file [workdir/results.json]")
    args = p.parse_args(argv)
    if args.quick:
        args.feeds, args.entries, args.articles, args.history = 30, 10, 100, "500,5000"
        args.full_text_entries = 3
        args.semantic_feeds = 3
    args.only = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = set(args.only) - set(CASES)
    if unknown:
        p.error(f"unknown cases {sorted(unknown)} (known: {', '.join(CASES)})")
    return args


@contextmanager
def server(feeds: int, entries: int, full_text_entries: int = 10) -> Iterator[str]:
    cmd = [sys.executable, "-m", "bench.server", "--feeds", str(feeds), "--entries", str(entries),
           "--full-text-entries", str(full_text_entries)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        yield f"http://127.0.0.1:{int(proc.stdout.readline().split()[1])}"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def set_generation(base_url: str, generation: int) -> None:
    with urllib.request.urlopen(f"{base_url}/_control?generation={generation}") as answer:
        answer.read()


def site(folder: Path, text: str) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "feeds.toml").write_text(text, encoding="utf-8")
    return folder / "feeds.toml"


def feeds_contender(config: Path, *, reference: bool = False) -> Contender:
    # The reference: no worker processes (parse pool, parallel publish), no fast parser.
    off = {"FEEDS_PARSE_WORKERS": "0", "FEEDS_FAST_PARSE": "0"}
    env = dict(os.environ, **off) if reference else None
    return Contender([sys.executable, "-m", "bench.run_feeds", str(config)], env=env)


def feed_phases(args: argparse.Namespace, url: str, name: str) -> dict[str, Any]:
    """cold, revalidation and churn for one contender; its results and digests."""
    folder = args.workdir / name
    set_generation(url, 0)
    if name in ("feeds", "feeds-reference"):
        who = feeds_contender(site(folder, gen.config_text(url, args.feeds)),
                              reference=name == "feeds-reference")  # fmt: skip
        command = "ingest"
    elif name == "reader":
        site(folder, "")
        who = Contender([sys.executable, "-m", "bench.reader_run", str(folder / "reader.sqlite3"),
                         url, str(args.feeds), "cold", "revalidation", "churn"])  # fmt: skip
        command = "go"
    else:
        site(folder, "")
        who = Contender([sys.executable, "-m", "bench.naive", str(folder), url, str(args.feeds)])
        command = "update"
    results: dict[str, Any] = {}
    with who:
        for phase in ("cold", "revalidation", "churn"):
            if phase == "churn":
                set_generation(url, 1)
            results[phase] = who.phase(command)
            if command == "ingest":
                results[phase]["digest"] = who.ask("digest")["digest"]
    set_generation(url, 0)
    return results


def cold_site(args: argparse.Namespace, url: str, name: str, text: str) -> dict[str, Any]:
    """The cold pass (ingest + publish) of a fresh site of config ``text``."""
    set_generation(url, 0)
    with feeds_contender(site(args.workdir / name, text)) as who:
        return who.phase("ingest")


def fetch_phases(url: str, feeds: int) -> dict[str, Any]:
    set_generation(url, 0)
    with Contender([sys.executable, "-m", "bench.run_fetch", url, str(feeds)]) as who:
        return {"cold": who.phase("cold"), "revalidation": who.phase("revalidation")}


def history_phases(args: argparse.Namespace, size: int) -> dict[str, Any]:
    from bench.history import build

    config = site(args.workdir / f"history-{size}", gen.config_text("http://unused", 0))
    data = config.parent / "data"
    data.mkdir()
    cached = args.workdir / f"history-{size}.sqlite3"
    build(cached, size)
    shutil.copyfile(cached, data / "feeds.sqlite3")
    with feeds_contender(config) as who:
        first = who.phase("regenerate")
        rounds = []
        for r in range(REPUBLISH_ROUNDS):  # the same 50 new entries at every size
            who.ask(f"add {size + 50 * r} {r}")
            rounds.append(who.phase("regenerate"))
    # One republish takes ~0.1 s, which this machine's noise moves by a fifth: the median.
    again = dict(sorted(rounds, key=lambda phase: phase["wall"])[len(rounds) // 2])
    again["rounds"] = [phase["wall"] for phase in rounds]
    return {"first publish": first, "republish": again}


def article_phases(args: argparse.Namespace, reference: bool = False) -> dict[str, Any]:
    folder = args.workdir / f"articles-{args.articles}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        gen.write_articles(folder, args.articles)
        (folder / "done").write_text("")
    name = "articles-reference" if reference else "articles"
    config = site(args.workdir / name, gen.config_text("http://unused", 0, articles=folder))
    with feeds_contender(config, reference=reference) as who:
        cold = who.phase("ingest")
        cold["digest"] = who.ask("digest")["digest"]
        unchanged = who.phase("ingest")
        unchanged["digest"] = who.ask("digest")["digest"]
    return {"cold": cold, "unchanged": unchanged}


def full_text_phases(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """The cold pass with ``full_text = true``, the same without (the baseline: the feeds
    alone), and the extraction's CPU per page alone."""
    results: dict[str, Any] = {}
    for name, on in (("cold", True), ("cold without", False)):
        config = site(args.workdir / f"full-text-{on}", gen.full_text_config(url, args.feeds, on))
        with urllib.request.urlopen(f"{url}/_pages") as answer:  # the counter starts at 0
            answer.read()
        with feeds_contender(config) as who:
            results[name] = who.phase("ingest")
        with urllib.request.urlopen(f"{url}/_pages") as answer:
            results[name]["pages"] = int(answer.read())
    results["extraction"] = extraction_time()
    return results


def extraction_time() -> dict[str, Any]:
    """CPU per article page of feeds.sources.article.page_content (extract + sanitize), over
    EXTRACTION_SAMPLE generated pages of every template, in this process."""
    import time

    from feeds.sources.article import page_content

    pages = [gen.article_page(k, k // gen.TEMPLATES) for k in range(EXTRACTION_SAMPLE)]
    page_content(pages[0], "http://bench.example/a", None)  # imports, caches
    started = time.process_time()
    kept = sum(len(page_content(p, "http://bench.example/a", None)) for p in pages)
    cpu = time.process_time() - started
    return {
        "pages": len(pages),
        "ms_per_page": 1000 * cpu / len(pages),
        "page_kb": sum(map(len, pages)) / len(pages) / 1024,
        "kept_kb": kept / len(pages) / 1024,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"params": {k: str(v) for k, v in vars(args).items()}}
    names = ["feeds", "feeds-reference"]
    names += [] if args.no_reader else ["reader"]
    names += [] if args.no_naive else ["naive"]
    names = [n for n in names if n in args.only]
    with server(args.feeds, args.entries, args.full_text_entries) as url:
        if "fetch" in args.only:
            print("running the fetcher alone …", file=sys.stderr, flush=True)
            results["fetch"] = fetch_phases(url, args.feeds)
        for name in names:
            print(f"running {name} …", file=sys.stderr, flush=True)
            results[name] = feed_phases(args, url, name)
        if "full-text" in args.only:
            print("running full text …", file=sys.stderr, flush=True)
            results["full-text"] = full_text_phases(args, url)
        if "semantic" in args.only:
            print("running semantic …", file=sys.stderr, flush=True)
            if (semantic := semantic_phases(args, url, partial(cold_site, args, url))) is not None:
                results["semantic"] = semantic
    for size in (int(s) for s in args.history.split(",") if "history" in args.only):
        print(f"running history at {size:,} entries …", file=sys.stderr, flush=True)
        results[f"history-{size}"] = history_phases(args, size)
    if "articles" in args.only:
        print("running articles …", file=sys.stderr, flush=True)
        results["articles"] = article_phases(args)
        results["articles-reference"] = article_phases(args, reference=True)
    return results


def check(results: dict[str, Any]) -> list[str]:
    """Where the optimized and the reference runs differ (must be nowhere)."""
    problems = []
    for a, b in (("feeds", "feeds-reference"), ("articles", "articles-reference")):
        if a not in results or b not in results:
            continue
        for phase, got in results[a].items():
            if got.get("digest") != results[b][phase].get("digest"):
                problems.append(f"{a} {phase}: store or public/ differs from {b}")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["steady"], ["soak"]):  # the daemon's steady state (bench.steady)
        from bench.steady import main as steady

        return steady(argv)
    args = options(argv)
    results = run(args)
    results["problems"] = check(results)
    out = args.json or args.workdir / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print_table(results, args)
    print_targets(results)
    print(f"\nresults: {out}")
    for problem in results["problems"]:
        print(f"CORRECTNESS CHECK FAILED: {problem}")
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
