"""The daemon's steady state: a real ``feeds run`` against hundreds of loopback feeds.

``python -m bench steady`` (part of ``make bench``) starts bench.steady_server and a
``feeds run --no-serve --admin-port`` process over ``--sources`` feeds at ``--interval``,
lets it warm up (the first, cold round and one more), then measures two phases of
``--phase`` seconds each:

- ``all-304``: nothing changes (the failing and rate-limited feeds keep failing);
- ``churn``: one feed in ten gains an item every interval.

For each: the daemon's CPU seconds (utime + stime from /proc/<pid>/stat, its children
included) per fetch the server saw, its share of one core, the fetch spread (the most
fetches started in one second against the mean per second), publishes (count, and their
wall time from the daemon's /metrics), the log it wrote, and its RSS (/proc/<pid>/status)
at start and end.

``python -m bench soak --minutes 60`` runs the churn phase for that long and samples RSS
every minute (``--sample``), writing ``soak.json`` as it goes; it prints the curve and the
growth per hour after ``--warmup-minutes``.

CPU figures are the machine's: other processes running slow the daemon down without adding
to its CPU seconds, but caches and frequency do; ``uptime``'s load is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import gen

ROOT = Path(__file__).resolve().parent.parent
_TICK = os.sysconf("SC_CLK_TCK")


def options(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=("steady", "soak"))
    p.add_argument("--sources", type=int, default=500)
    p.add_argument("--interval", type=int, default=30, help="seconds")
    p.add_argument("--entries", type=int, default=20, help="items per feed")
    p.add_argument("--phase", type=float, default=120.0, help="seconds per measured phase")
    p.add_argument("--minutes", type=float, default=60.0, help="soak: how long")
    p.add_argument("--sample", type=float, default=60.0, help="soak: seconds between samples")
    p.add_argument("--warmup-minutes", type=float, default=10.0, help="soak: not in the slope")
    p.add_argument("--root", type=Path, default=ROOT, help="the checkout whose feeds runs")
    p.add_argument("--workdir", type=Path, default=None, help="[/tmp/feeds-bench/<mode>]")
    p.add_argument("--quick", action="store_true", help="small and short: a smoke run")
    args = p.parse_args(argv)
    if args.quick:
        args.sources, args.interval, args.phase = 60, 5, 15.0
    args.workdir = args.workdir or Path("/tmp/feeds-bench") / args.mode
    return args


def config_text(url: str, sources: int, interval: int) -> str:
    lines = ["[settings]", 'base_url = "http://bench.example/"', 'public_dir = "public"',
             'data_dir = "data"', "feed_size = 50", 'languages = ["en"]',
             'id_authority = "bench.example"', f'interval = "{interval}s"', ""]  # fmt: skip
    for i in range(sources):
        lines += ["[[sources]]", f'name = "s{i:04d}"', f'url = "{url}/f/{i}"', ""]
    for slug, query in gen.TOPIC_WORDS:
        lines += ["[[topics]]", f'slug = "{slug}"', f'title = "{slug}"', f"query = '{query}'", ""]
    return "\n".join(lines)


# -- /proc -------------------------------------------------------------------------------------


def tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and every process under it (live ones)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2 :].split()
        parents[int(name)] = int(fields[1])
        cpu[int(name)] = (int(fields[11]) + int(fields[12])) / _TICK
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    return sum(cpu.get(p, 0.0) for p in members)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# -- the processes -----------------------------------------------------------------------------


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        data: bytes = answer.read()
        return data


@contextmanager
def server(args: argparse.Namespace) -> Iterator[str]:
    cmd = [sys.executable, "-m", "bench.steady_server", "--feeds", str(args.sources),
           "--entries", str(args.entries), "--interval", str(args.interval)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        yield f"http://127.0.0.1:{int(proc.stdout.readline().split()[1])}"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Daemon:
    proc: subprocess.Popen[bytes]
    admin: str
    log: Path

    def metrics(self) -> dict[str, float]:
        """Publishes, their wall seconds, entries ingested (new) from /metrics."""
        text = _get(f"{self.admin}/metrics").decode()
        out = {"publishes": 0.0, "publish_seconds": 0.0, "new": 0.0}
        for line in text.splitlines():
            if line.startswith("feeds_publish_duration_seconds_count"):
                out["publishes"] = float(line.split()[-1])
            elif line.startswith("feeds_publish_duration_seconds_sum"):
                out["publish_seconds"] = float(line.split()[-1])
            elif re.match(r'feeds_entries_ingested_total\{.*kind="new"', line):
                out["new"] += float(line.split()[-1])
        return out


@contextmanager
def daemon(args: argparse.Namespace, url: str) -> Iterator[Daemon]:
    folder = args.workdir
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    config = folder / "feeds.toml"
    config.write_text(config_text(url, args.sources, args.interval), encoding="utf-8")
    port = _free_port()
    log = folder / "daemon.log"
    env = dict(os.environ, PYTHONPATH=str(args.root))
    cmd = [sys.executable, "-m", "feeds", "--config", str(config), "run", "--no-serve",
           "--admin-port", str(port)]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=args.root, env=env, stdout=out, stderr=out)
    try:
        admin = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                _get(f"{admin}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield Daemon(proc, admin, log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- phases ------------------------------------------------------------------------------------


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_get(f"{url}/_stats"))
    return data


def spread(starts: list[float], seconds: float) -> tuple[int, float]:
    """(most fetches started in one second, mean per second) over ``seconds``."""
    if not starts:
        return 0, 0.0
    per_second = Counter(int(t) for t in starts)
    return max(per_second.values()), len(starts) / seconds


def phase(d: Daemon, url: str, seconds: float, name: str) -> dict[str, Any]:
    pid = d.proc.pid
    stats(url)
    cpu0, m0, rss0, log0, t0 = tree_cpu(pid), d.metrics(), rss_mb(pid), d.log.stat().st_size, \
        time.monotonic()  # fmt: skip
    time.sleep(seconds)
    cpu1, m1, rss1, t1 = tree_cpu(pid), d.metrics(), rss_mb(pid), time.monotonic()
    got = stats(url)
    starts = got["starts"]
    fetches = len(starts)
    peak, mean = spread(starts, t1 - t0)
    cpu = cpu1 - cpu0
    publishes = m1["publishes"] - m0["publishes"]
    return {
        "phase": name, "seconds": round(t1 - t0, 1), "fetches": fetches,
        "status": got["status"], "cpu_s": round(cpu, 3),
        "feeds_fetched": len(got["per_feed"]),
        "fetches_per_feed": [min(got["per_feed"].values(), default=0),
                             max(got["per_feed"].values(), default=0)],
        "cpu_ms_per_fetch": round(1000 * cpu / fetches, 3) if fetches else None,
        "core_share_pct": round(100 * cpu / (t1 - t0), 2),
        "spread_peak": peak, "spread_mean": round(mean, 2),
        "publishes": publishes, "new_entries": m1["new"] - m0["new"],
        "publish_wall_s": round(m1["publish_seconds"] - m0["publish_seconds"], 3),
        "log_bytes": d.log.stat().st_size - log0,
        "rss_start_mb": round(rss0, 1), "rss_end_mb": round(rss1, 1), "load": load(),
    }  # fmt: skip


def warm_up(d: Daemon, url: str, args: argparse.Namespace) -> None:
    """The first (cold) round and two more: the daemon's caches are filled."""
    print(f"warming up ({3 * args.interval} s) …", file=sys.stderr, flush=True)
    time.sleep(3 * args.interval)
    stats(url)


def steady(args: argparse.Namespace) -> dict[str, Any]:
    with server(args) as url, daemon(args, url) as d:
        warm_up(d, url, args)
        quiet = phase(d, url, args.phase, "all-304")
        _get(f"{url}/_churn?on=1")
        churn = phase(d, url, args.phase, "churn")
    return {"params": {k: str(v) for k, v in vars(args).items()}, "phases": [quiet, churn]}


def print_steady(results: dict[str, Any]) -> None:
    p = results["params"]
    print(f"\nfeeds run, steady state: {p['sources']} sources every {p['interval']} s "
          f"(1 in 10 churning in 'churn', 1 in 100 failing, 1 in 100 rate-limited)")  # fmt: skip
    head = ("phase", "fetches", "CPU s", "ms/fetch", "% core", "peak/s", "mean/s", "publishes",
            "new", "pub wall s", "log KB", "RSS MB start→end", "load")  # fmt: skip
    print(" | ".join(head))
    for r in results["phases"]:
        row = (r["phase"], r["fetches"], r["cpu_s"], r["cpu_ms_per_fetch"], r["core_share_pct"],
               r["spread_peak"], r["spread_mean"], int(r["publishes"]), int(r["new_entries"]),
               r["publish_wall_s"], round(r["log_bytes"] / 1024, 1),
               f"{r['rss_start_mb']}→{r['rss_end_mb']}", r["load"])  # fmt: skip
        print(" | ".join(str(x) for x in row))
    print("targets: all-304 ≤ 0.5 ms/fetch; churn ≤ 2 ms/fetch; 500 sources @30 s < 3% core")


# -- soak --------------------------------------------------------------------------------------


def slope_mb_per_hour(samples: list[dict[str, float]], after_min: float) -> float | None:
    """Least-squares growth of RSS, MB per hour, over the samples after ``after_min``."""
    pts = [(s["minute"], s["rss_mb"]) for s in samples if s["minute"] >= after_min]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return 60 * sum((x - mx) * (y - my) for x, y in pts) / var if var else None


def soak(args: argparse.Namespace) -> dict[str, Any]:
    out = args.workdir / "soak.json"
    samples: list[dict[str, float]] = []
    result: dict[str, Any] = {"params": {k: str(v) for k, v in vars(args).items()}}
    with server(args) as url, daemon(args, url) as d:
        _get(f"{url}/_churn?on=1")
        began, pid = time.monotonic(), d.proc.pid
        while (minute := (time.monotonic() - began) / 60) <= args.minutes:
            got = stats(url)
            samples.append({"minute": round(minute, 2), "rss_mb": round(rss_mb(pid), 2),
                            "cpu_s": round(tree_cpu(pid), 2), "fetches": len(got["starts"]),
                            "log_bytes": d.log.stat().st_size, "load": load()})  # type: ignore[dict-item]  # fmt: skip
            result["samples"] = samples
            result["slope_mb_per_hour"] = slope_mb_per_hour(samples, args.warmup_minutes)
            result["metrics"] = d.metrics()
            out.write_text(json.dumps(result, indent=1))
            print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
            time.sleep(args.sample)
    return result


def print_soak(result: dict[str, Any]) -> None:
    print("\nminute | RSS MB | CPU s | fetches | log bytes | load")
    for s in result["samples"]:
        print(f"{s['minute']} | {s['rss_mb']} | {s['cpu_s']} | {s['fetches']} | "
              f"{s['log_bytes']} | {s['load']}")  # fmt: skip
    print(f"RSS growth after warm-up: {result['slope_mb_per_hour']} MB/h")


def main(argv: list[str]) -> int:
    args = options(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.mode == "soak":
        print_soak(soak(args))
        return 0
    results = steady(args)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=1))
    print_steady(results)
    return 0
