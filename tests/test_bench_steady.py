"""The daemon benchmark's parts (bench.steady, bench.steady_server): its loopback server
answers as the benchmark says, its figures are computed right. The benchmark itself is
``python -m bench steady`` (minutes long: not run here)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from bench.steady import config_text, slope_mb_per_hour, spread
from bench.steady_server import kind
from feeds.config.loader import parse_config

ROOT = Path(__file__).resolve().parent.parent


def test_the_server_answers_304_500_and_429_and_counts_each_request() -> None:
    cmd = [sys.executable, "-m", "bench.steady_server", "--feeds", "100", "--entries", "3"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        base = f"http://127.0.0.1:{int(proc.stdout.readline().split()[1])}"
        with urllib.request.urlopen(f"{base}/f/1") as answer:
            etag = answer.headers["ETag"]
            assert answer.read().count(b"<item>") == 3
        request = urllib.request.Request(f"{base}/f/1", headers={"If-None-Match": etag})
        statuses = []
        for url in (request, f"{base}/f/99", f"{base}/f/98"):
            try:
                urllib.request.urlopen(url)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
        assert statuses == [304, 500, 429]
        with urllib.request.urlopen(f"{base}/_stats") as answer:
            stats = json.loads(answer.read())
        assert stats["status"] == {"200": 1, "304": 1, "500": 1, "429": 1}
        assert len(stats["starts"]) == 4 and stats["per_feed"] == {"1": 2, "99": 1, "98": 1}
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def test_kinds_config_and_figures() -> None:
    kinds = [kind(i) for i in range(500)]
    assert kinds.count("failing") == kinds.count("limited") == 5
    assert kinds.count("churn") == 50
    config = parse_config(
        __import__("tomllib").loads(config_text("http://127.0.0.1:1", 12, 30)),
        path=Path("/tmp/x/feeds.toml"),
    )
    assert len(config.sources) == 12 and config.sources[0].interval.total_seconds() == 30
    assert spread([10.1, 10.5, 10.9, 11.2, 13.0], 5.0) == (3, 1.0)
    samples = [{"minute": m, "rss_mb": 100.0 + m / 60} for m in range(0, 61, 5)]
    assert abs((slope_mb_per_hour(samples, 10.0) or 0) - 1.0) < 1e-9
